from django.urls import path

from apps.projects.views import criteria, members, portfolio, tasks, transition

app_name = "projects"

urlpatterns = [
    path("", portfolio.dashboard, name="dashboard"),
    path("me/items/", portfolio.my_items, name="my-items"),
    path("p/new/", portfolio.project_create, name="create"),
    path("p/<int:project_id>/", transition.project_detail, name="detail"),
    path("p/<int:project_id>/edit/", transition.project_edit, name="edit"),
    path("p/<int:project_id>/phase/", transition.project_phase, name="phase"),
    path("p/<int:project_id>/cancel/", transition.project_cancel, name="cancel"),
    path("p/<int:project_id>/members/", members.project_members, name="members"),
    path(
        "p/<int:project_id>/members/<int:membership_id>/",
        members.member_update,
        name="member-update",
    ),
    path(
        "p/<int:project_id>/members/<int:membership_id>/remove/",
        members.member_remove,
        name="member-remove",
    ),
    path("p/<int:project_id>/activity/", transition.project_activity, name="activity"),
    path("p/<int:project_id>/tasks/new/", tasks.task_create, name="task-create"),
    path("p/<int:project_id>/tasks/<int:task_id>/edit/", tasks.task_edit, name="task-edit"),
    path("p/<int:project_id>/tasks/<int:task_id>/status/", tasks.task_status, name="task-status"),
    path("p/<int:project_id>/tasks/<int:task_id>/delete/", tasks.task_delete, name="task-delete"),
    path("p/<int:project_id>/criteria/new/", criteria.criterion_create, name="criterion-create"),
    path(
        "p/<int:project_id>/criteria/<int:criterion_id>/edit/",
        criteria.criterion_edit,
        name="criterion-edit",
    ),
    path(
        "p/<int:project_id>/criteria/<int:criterion_id>/delete/",
        criteria.criterion_delete,
        name="criterion-delete",
    ),
    path(
        "p/<int:project_id>/criteria/<int:criterion_id>/withdraw/",
        criteria.criterion_withdraw,
        name="criterion-withdraw",
    ),
    path(
        "p/<int:project_id>/criteria/<int:criterion_id>/restore/",
        criteria.criterion_restore,
        name="criterion-restore",
    ),
    path(
        "p/<int:project_id>/criteria/<int:criterion_id>/sign-off/",
        criteria.criterion_sign_off,
        name="criterion-sign-off",
    ),
    path(
        "p/<int:project_id>/criteria/<int:criterion_id>/sign-offs/<int:signoff_id>/revoke/",
        criteria.signoff_revoke,
        name="signoff-revoke",
    ),
]
