"""Who may create a transition: the `create_transition` permission and the
"Delivery leads" group that holds it (members are added in the admin)."""

from django.db import migrations

GROUP = "Delivery leads"


def create_delivery_leads(apps, schema_editor):
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Django makes a model's permissions after every migration has run (post_migrate);
    # the group needs this one now, so it is made here, as Django would make it.
    project_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="projects", model="project"
    )
    permission, _ = Permission.objects.using(db).get_or_create(
        content_type=project_type,
        codename="create_transition",
        defaults={"name": "Can create transitions"},
    )
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    group.permissions.add(permission)


def remove_delivery_leads(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_portfolio_order_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="project",
            options={
                "ordering": ["go_live_date", "name"],
                "permissions": [("create_transition", "Can create transitions")],
            },
        ),
        migrations.RunPython(create_delivery_leads, remove_delivery_leads),
    ]
