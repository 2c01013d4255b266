"""What the directory of accounts gives away: who may start a transition, whom its
form lists, and what adding a member tells about an address."""

import re
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts import demo as accounts_demo
from apps.accounts.models import Team, User
from apps.projects import access, forms, services
from apps.projects.models import Membership, Project, Role
from tests import factories
from tests.projects.db_state import form_data, snapshot

pytestmark = pytest.mark.django_db

CREATE = reverse("projects:create")
NEW = {"name": "CRM migration", "hypercare_days": "14", "go_live_date": "2027-02-01"}


def _create_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="projects", codename="create_transition")


# Who may start a transition -------------------------------------------------------------


def test_the_delivery_leads_group_exists_and_holds_the_create_permission():
    # Made by migration 0006, so that an administrator only adds people to it.
    group = Group.objects.get(name=access.DELIVERY_LEADS)
    assert list(group.permissions.all()) == [_create_permission()]


def test_a_project_lead_outside_the_group_is_refused_with_a_page_that_says_whom_to_ask(
    client_as, lead
):
    client = client_as(lead)
    before = snapshot()

    page = client.get(CREATE)
    posted = client.post(CREATE, {**NEW, "lead": lead.pk})

    assert page.status_code == posted.status_code == 403
    html = page.content.decode()
    assert "Only delivery leads start transitions" in html
    assert "“Delivery leads” group" in html
    assert '<form method="post" novalidate>' not in html
    assert snapshot() == before


def test_a_member_of_the_delivery_leads_group_creates_a_transition(client_as, delivery_lead):
    response = client_as(delivery_lead).post(CREATE, {**NEW, "lead": delivery_lead.pk})

    project = Project.objects.get(name="CRM migration")
    assert response["Location"] == project.get_absolute_url()
    assert project.lead == delivery_lead


def test_the_permission_granted_to_one_user_in_the_admin_is_enough(client_as):
    user = factories.UserFactory()
    user.user_permissions.add(_create_permission())

    assert client_as(user).get(CREATE).status_code == 200


def test_staff_may_create_transitions(client_as):
    assert client_as(factories.UserFactory(is_staff=True)).get(CREATE).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(CREATE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("kind", "may"),
    [
        ("no permission", False),
        ("in the group", True),
        ("permission of their own", True),
        ("staff", True),
        ("inactive, in the group", False),
        ("anonymous", False),
    ],
)
def test_who_may_create_a_transition(kind, may):
    if kind == "anonymous":
        assert access.can_create_transition(AnonymousUser()) is may
        return
    user = factories.UserFactory(
        is_staff=kind == "staff", is_active=not kind.startswith("inactive")
    )
    if "group" in kind:
        services.delivery_lead_grant(user=user)
    if kind == "permission of their own":
        user.user_permissions.add(_create_permission())

    assert access.can_create_transition(User.objects.get(pk=user.pk)) is may


def test_granting_remakes_a_deleted_group(project):
    Group.objects.filter(name=access.DELIVERY_LEADS).delete()
    user = factories.UserFactory()

    services.delivery_lead_grant(user=user)

    assert access.can_create_transition(User.objects.get(pk=user.pk))
    assert Group.objects.get(name=access.DELIVERY_LEADS).user_set.get() == user


def test_the_portfolio_shows_new_transition_only_to_those_who_may(client_as, lead, delivery_lead):
    other = factories.UserFactory()
    factories.MembershipFactory(project=lead.led_projects.get(), user=other, role=Role.VIEWER)
    create_link = f'href="{CREATE}"'

    shown = client_as(delivery_lead).get(reverse("projects:dashboard")).content.decode()
    hidden = client_as(other).get(reverse("projects:dashboard")).content.decode()
    empty = client_as(other).get(reverse("projects:dashboard"), {"phase": "bau"}).content.decode()

    assert create_link in shown
    assert create_link not in hidden
    assert "No transitions match." in empty
    assert create_link not in empty


def test_no_page_links_to_new_transition_from_the_navigation(client_as, delivery_lead, project):
    html = client_as(delivery_lead).get(project.get_absolute_url()).content.decode()

    assert f'href="{CREATE}"' not in html


def test_every_demo_lead_may_create_transitions_and_the_other_personas_may_not():
    call_command("seed_demo", stdout=StringIO())
    people = accounts_demo.people()
    leads = set(Membership.objects.filter(role=Role.LEAD).values_list("user_id", flat=True))

    may = {key for key, user in people.items() if access.can_create_transition(user)}

    assert {key for key, user in people.items() if user.pk in leads} <= may
    assert may == {"lead", "admin"}  # the admin is staff


# Whom the transition form lists ----------------------------------------------------------


@pytest.fixture
def directory(delivery_lead):
    """A teammate of the delivery lead, an operations engineer, and two strangers."""
    teammate = factories.UserFactory(full_name="Tess Teammate")
    factories.TeamFactory(kind=Team.Kind.DELIVERY).members.add(delivery_lead, teammate)
    operations = factories.UserFactory(full_name="Otto Operations")
    factories.TeamFactory(kind=Team.Kind.OPERATIONS).members.add(operations)
    other_delivery = factories.UserFactory(full_name="Dora Elsewhere")
    factories.TeamFactory(kind=Team.Kind.DELIVERY).members.add(other_delivery)
    teamless = factories.UserFactory(full_name="Nora Nobody")
    gone = factories.UserFactory(full_name="Ivan Inactive", is_active=False)
    factories.TeamFactory(kind=Team.Kind.DELIVERY).members.add(delivery_lead, gone)
    return {
        "teammate": teammate,
        "operations": operations,
        "other_delivery": other_delivery,
        "teamless": teamless,
        "gone": gone,
    }


def test_the_create_form_lists_my_teams_and_operations_not_the_directory(
    client_as, delivery_lead, directory
):
    response = client_as(delivery_lead).get(CREATE)

    form = response.context["form"]
    expected = {delivery_lead, directory["teammate"], directory["operations"]}
    assert set(form.fields["lead"].queryset) == expected
    assert set(form.fields["ops_lead"].queryset) == expected
    html = response.content.decode()
    for hidden in ("other_delivery", "teamless", "gone"):
        assert directory[hidden].full_name not in html
        assert directory[hidden].email not in html


@pytest.mark.parametrize("field", ["lead", "ops_lead"])
@pytest.mark.parametrize("stranger", ["other_delivery", "teamless", "gone"])
def test_naming_someone_the_form_does_not_list_is_refused_without_saying_who_exists(
    client_as, delivery_lead, directory, field, stranger
):
    data = {**NEW, "lead": delivery_lead.pk, field: directory[stranger].pk}
    unknown_id = {**data, field: User.objects.order_by("-pk").first().pk + 1000}
    client = client_as(delivery_lead)
    before = snapshot()

    response = client.post(CREATE, data)
    nobody = client.post(CREATE, unknown_id)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == nobody.context["form"].errors[field]
    assert "Select a valid choice" in response.context["form"].errors[field][0]
    assert snapshot() == before


def test_staff_may_name_any_active_user(directory):
    staff = factories.UserFactory(is_staff=True)

    people = set(forms.people_to_name(staff))

    assert {directory["other_delivery"], directory["teamless"]} <= people
    assert directory["gone"] not in people


def test_the_edit_form_also_lists_the_transitions_members(client_as, lead, project, viewer):
    teamless_member = viewer  # in no team, but a member of this transition
    client = client_as(lead)
    url = reverse("projects:edit", args=[project.pk])

    response = client.post(url, form_data(client.get(url), ops_lead=teamless_member.pk))

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.ops_lead == teamless_member


def test_the_edit_form_does_not_list_strangers(client_as, lead, project, directory):
    response = client_as(lead).get(reverse("projects:edit", args=[project.pk]))

    people = set(response.context["form"].fields["lead"].queryset)
    assert directory["teamless"] not in people
    assert directory["other_delivery"] not in people


# Adding a member tells nothing about the address -------------------------------------------


def _add(client: Client, project: Project, email: str, role: str = "ops"):
    return client.post(
        reverse("projects:members", args=[project.pk]), {"email": email, "role": role}
    )


def _messages_region(client: Client, project: Project) -> str:
    """The alerts the members page shows next, as HTML."""
    html = client.get(reverse("projects:members", args=[project.pk])).content.decode()
    return "".join(re.findall(r'<div class="alert.*?</div>', html, flags=re.DOTALL))


def test_adding_an_address_answers_the_same_whether_or_not_it_has_an_account(
    client_as, lead, project
):
    client = client_as(lead)
    email = "new.person@example.com"

    # The messages cookie is signed with a timestamp in seconds: hold the clock still
    # so that both answers are signed in the same second.
    with time_machine.travel(timezone.now(), tick=False):
        unknown = _add(client, project, email)
        unknown_message = _messages_region(client, project)
        factories.UserFactory(email=email)
        known = _add(client, project, email)
        known_message = _messages_region(client, project)

    # Status, where it leads, the body and the message (carried in a signed cookie):
    # byte for byte the same. Only the member list, read afterwards, differs.
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert unknown.content == known.content
    assert unknown.cookies["messages"].value == known.cookies["messages"].value
    assert unknown_message == known_message
    assert f"If {email} has an account, they are now a member (Operations)." in known_message
    assert Membership.objects.get(project=project, user__email=email).role == Role.OPS


def test_an_unknown_and_a_known_address_get_the_same_answer_but_for_the_address(
    client_as, lead, project
):
    known_user = factories.UserFactory(email="known@example.com")
    client = client_as(lead)

    known = _add(client, project, "known@example.com")
    known_message = _messages_region(client, project)
    unknown = _add(client, project, "unknown@example.com")
    unknown_message = _messages_region(client, project)

    assert (known.status_code, known["Location"], known.content) == (
        unknown.status_code,
        unknown["Location"],
        unknown.content,
    )
    assert known_message.replace("known@", "ADDRESS@") == unknown_message.replace(
        "unknown@", "ADDRESS@"
    )
    assert Membership.objects.filter(project=project, user=known_user).exists()
    assert not User.objects.filter(email="unknown@example.com").exists()


def test_an_inactive_account_is_answered_as_an_unknown_address_and_not_added(
    client_as, lead, project
):
    gone = factories.UserFactory(email="gone@example.com", is_active=False)
    client = client_as(lead)

    response = _add(client, project, "GONE@example.com")

    assert response.status_code == 302
    assert "If gone@example.com has an account" in _messages_region(client, project)
    assert not Membership.objects.filter(project=project, user=gone).exists()


def test_an_existing_member_is_named_since_the_lead_sees_the_list_anyway(
    client_as, lead, project, ops
):
    response = _add(client_as(lead), project, "OPS@example.com", role="viewer")

    assert response.status_code == 200
    [error] = response.context["form"].errors["email"]
    assert error.startswith(f"{ops} is already a member (Operations)")
    assert Membership.objects.get(project=project, user=ops).role == Role.OPS


def test_a_malformed_address_is_refused_and_adds_nobody(client_as, lead, project):
    before = snapshot()

    response = _add(client_as(lead), project, "not an address")

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert snapshot() == before
