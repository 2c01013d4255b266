import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Phase,
    Project,
    Role,
    SignOff,
    Task,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(project):
    return factories.TaskFactory(project=project, title="Write the runbook")


@pytest.fixture
def criterion(project):
    return factories.CriterionFactory(project=project, statement="Runbook accepted by ops.")


@pytest.fixture
def signoff(criterion, ops):
    return factories.SignOffFactory(criterion=criterion, signed_by=ops)


def urls(project, task, criterion, signoff):
    """Every page and action of a project: (name, method, url, valid POST data)."""
    p = project.pk
    membership = Membership.objects.get(project=project, user=project.lead)
    return {
        "detail": ("GET", reverse("projects:detail", args=[p]), None),
        "members": ("GET", reverse("projects:members", args=[p]), None),
        "activity": ("GET", reverse("projects:activity", args=[p]), None),
        "edit": ("POST", reverse("projects:edit", args=[p]), {"name": "Renamed"}),
        "phase": ("POST", reverse("projects:phase", args=[p]), {"phase": "readiness"}),
        "member-add": (
            "POST",
            reverse("projects:members", args=[p]),
            {"email": "outsider@example.com", "role": "viewer"},
        ),
        "member-update": (
            "POST",
            reverse("projects:member-update", args=[p, membership.pk]),
            {"role": "viewer"},
        ),
        "task-create": (
            "POST",
            reverse("projects:task-create", args=[p]),
            {
                "title": "New",
                "area": "other",
                "owner": project.lead.pk,
                "due_date": "2027-01-01",
                "status": "todo",
            },
        ),
        "task-edit": (
            "POST",
            reverse("projects:task-edit", args=[p, task.pk]),
            {
                "title": "Changed",
                "area": "other",
                "owner": project.lead.pk,
                "due_date": "2027-01-01",
                "status": "todo",
            },
        ),
        "task-status": (
            "POST",
            reverse("projects:task-status", args=[p, task.pk]),
            {"status": "done"},
        ),
        "criterion-create": (
            "POST",
            reverse("projects:criterion-create", args=[p]),
            {"statement": "New", "due_date": "2027-01-01"},
        ),
        "criterion-edit": (
            "POST",
            reverse("projects:criterion-edit", args=[p, criterion.pk]),
            {"statement": "Changed", "due_date": "2027-01-01"},
        ),
        "task-delete": ("POST", reverse("projects:task-delete", args=[p, task.pk]), {}),
        "criterion-delete": (
            "POST",
            reverse("projects:criterion-delete", args=[p, criterion.pk]),
            {},
        ),
        "criterion-sign-off": (
            "POST",
            reverse("projects:criterion-sign-off", args=[p, criterion.pk]),
            {"comment": "ok", "as_ops": "on", "statement_digest": criterion.statement_digest},
        ),
        "signoff-revoke": (
            "POST",
            reverse("projects:signoff-revoke", args=[p, criterion.pk, signoff.pk]),
            {"reason": "Not true any more."},
        ),
    }


ALL_URLS = [
    "detail",
    "members",
    "activity",
    "edit",
    "phase",
    "member-add",
    "member-update",
    "task-create",
    "task-edit",
    "task-status",
    "criterion-create",
    "criterion-edit",
    "criterion-sign-off",
    "signoff-revoke",
    "task-delete",
    "criterion-delete",
]
READ_URLS = {"detail", "members", "activity"}
WRITE_URLS = set(ALL_URLS) - READ_URLS


def snapshot():
    """Everything a refused request must leave as it was."""
    return (
        list(Project.objects.values_list("name", "phase")),
        list(Membership.objects.order_by("pk").values_list("user_id", "role")),
        list(Task.objects.order_by("pk").values_list("title", "status")),
        list(AcceptanceCriterion.objects.order_by("pk").values_list("statement", flat=True)),
        list(SignOff.objects.order_by("pk").values_list("revoked_at", "voided_at")),
    )


def call(client: Client, method: str, url: str, data):
    return client.get(url) if method == "GET" else client.post(url, data or {})


@pytest.mark.parametrize("name", ALL_URLS)
def test_an_outsider_gets_404_for_every_url_of_a_project(
    client_as, outsider, project, task, criterion, signoff, name
):
    method, url, data = urls(project, task, criterion, signoff)[name]
    before = snapshot()
    assert call(client_as(outsider), method, url, data).status_code == 404
    # A GET of a write URL is a 404 too: the project's existence is not revealed.
    assert client_as(outsider).get(url).status_code in {404, 405}
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(WRITE_URLS))
def test_a_viewer_cannot_write(client_as, viewer, project, task, criterion, signoff, name):
    method, url, data = urls(project, task, criterion, signoff)[name]
    before = snapshot()
    assert call(client_as(viewer), method, url, data).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(READ_URLS))
@pytest.mark.parametrize("persona", ["lead", "contributor", "ops", "viewer"])
def test_every_member_can_read(
    request, client_as, project, task, criterion, signoff, name, persona
):
    user = request.getfixturevalue(persona)
    _method, url, _data = urls(project, task, criterion, signoff)[name]
    response = client_as(user).get(url)
    assert response.status_code == 200
    assert project.name in response.content.decode()


@pytest.mark.parametrize("name", ["criterion-sign-off", "signoff-revoke"])
def test_a_contributor_cannot_sign_off_or_revoke(
    client_as, contributor, project, task, criterion, signoff, name
):
    method, url, data = urls(project, task, criterion, signoff)[name]
    before = snapshot()
    assert call(client_as(contributor), method, url, data).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "name",
    [
        "edit",
        "phase",
        "member-add",
        "member-update",
        "task-create",
        "task-edit",
        "task-delete",
        "criterion-create",
        "criterion-edit",
        "criterion-delete",
    ],
)
def test_ops_cannot_edit_the_plan(client_as, ops, project, task, criterion, signoff, name):
    method, url, data = urls(project, task, criterion, signoff)[name]
    before = snapshot()
    assert call(client_as(ops), method, url, data).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("name", ["edit", "phase", "member-add", "member-update"])
def test_a_contributor_cannot_manage_the_transition(
    client_as, contributor, project, task, criterion, signoff, name
):
    method, url, data = urls(project, task, criterion, signoff)[name]
    assert call(client_as(contributor), method, url, data).status_code == 403


def test_staff_see_every_project_but_cannot_write(client, project, task, criterion, signoff):
    staff = factories.UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200
    response = client.post(
        reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "done"}
    )
    assert response.status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, project):
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_forms_need_a_csrf_token(lead, project, task):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    response = client.post(
        reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "done"}
    )
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == Task.Status.TODO


# Tasks ---------------------------------------------------------------------------


def test_htmx_status_change_returns_only_the_row(client_as, contributor, project, task):
    response = client_as(contributor).post(
        reverse("projects:task-status", args=[project.pk, task.pk]),
        {"status": "done"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="task-{task.pk}"')
    assert "<html" not in html
    assert response["HX-Trigger"] == "counts-changed"
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.completed_at is not None


def test_status_change_without_javascript_redirects_back(client_as, contributor, project, task):
    response = client_as(contributor).post(
        reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "blocked"}
    )
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    task.refresh_from_db()
    assert task.status == Task.Status.BLOCKED


def test_an_unknown_status_is_refused_with_a_message(client_as, contributor, project, task):
    response = client_as(contributor).post(
        reverse("projects:task-status", args=[project.pk, task.pk]),
        {"status": "finished"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Choose one of the listed statuses." in response.content.decode()
    task.refresh_from_db()
    assert task.status == Task.Status.TODO


def test_an_ops_member_may_update_their_own_task_but_not_others(client_as, ops, project):
    own = factories.TaskFactory(project=project, owner=ops)
    other = factories.TaskFactory(project=project)
    url = "projects:task-status"
    client = client_as(ops)
    assert (
        client.post(reverse(url, args=[project.pk, own.pk]), {"status": "done"}).status_code == 302
    )
    assert (
        client.post(reverse(url, args=[project.pk, other.pk]), {"status": "done"}).status_code
        == 403
    )


def test_a_task_needs_an_owner_a_due_date_and_a_title(client_as, contributor, project):
    response = client_as(contributor).post(
        reverse("projects:task-create", args=[project.pk]),
        {"title": "", "area": "other", "status": "todo", "due_date": "not a date"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"title", "owner", "due_date"}
    assert Task.objects.count() == 0


def test_a_task_owner_must_be_a_member(client_as, contributor, outsider, project):
    response = client_as(contributor).post(
        reverse("projects:task-create", args=[project.pk]),
        {
            "title": "X",
            "area": "other",
            "status": "todo",
            "due_date": "2027-01-01",
            "owner": outsider.pk,
        },
    )
    assert "owner" in response.context["form"].errors
    assert Task.objects.count() == 0


def test_a_contributor_adds_a_task(client_as, contributor, project):
    response = client_as(contributor).post(
        reverse("projects:task-create", args=[project.pk]),
        {
            "title": "Hand over the on-call rota",
            "area": "support",
            "status": "todo",
            "due_date": "2027-01-01",
            "owner": contributor.pk,
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.owner == contributor and task.area == "support"


def test_a_task_from_another_project_is_404(client_as, lead, project):
    other_task = factories.TaskFactory()
    response = client_as(lead).post(
        reverse("projects:task-status", args=[project.pk, other_task.pk]), {"status": "done"}
    )
    assert response.status_code == 404


# Sign-off ----------------------------------------------------------------------------


def test_ops_signs_off_inline_and_sees_the_row(client_as, ops, project, criterion):
    response = client_as(ops).post(
        reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk]),
        {"comment": "Walked through it.", "statement_digest": criterion.statement_digest},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="criterion-{criterion.pk}"' in html
    assert "Signed off" in html
    assert SignOff.objects.active().get().comment == "Walked through it."


def test_a_double_click_signs_once(client_as, ops, project, criterion):
    url = reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk])
    client = client_as(ops)
    data = {"comment": "", "statement_digest": criterion.statement_digest}
    client.post(url, data, HTTP_HX_REQUEST="true")
    second = client.post(url, data, HTTP_HX_REQUEST="true")
    html = second.content.decode()
    assert "This criterion is already signed off." in html
    # The refusal is the row's message, not an error of the (unopened) revoke form.
    assert "is-invalid" not in html
    assert SignOff.objects.filter(criterion=criterion).count() == 1


def test_a_lead_must_tick_signing_as_ops(client_as, lead, project, criterion):
    url = reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk])
    data = {"comment": "", "statement_digest": criterion.statement_digest}
    response = client_as(lead).post(url, data, HTTP_HX_REQUEST="true")
    assert "explicitly on behalf of operations" in response.content.decode()
    assert SignOff.objects.count() == 0
    client_as(lead).post(url, {**data, "as_ops": "on"})
    assert SignOff.objects.get().signed_as_ops


def test_revoking_without_a_reason_is_refused(client_as, ops, project, criterion, signoff):
    url = reverse("projects:signoff-revoke", args=[project.pk, criterion.pk, signoff.pk])
    response = client_as(ops).post(url, {"reason": " "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    signoff.refresh_from_db()
    assert signoff.is_active


def test_revoking_with_a_reason_shows_who_and_why(client_as, ops, project, criterion, signoff):
    url = reverse("projects:signoff-revoke", args=[project.pk, criterion.pk, signoff.pk])
    response = client_as(ops).post(url, {"reason": "Alert never fired."}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Alert never fired." in html and "Awaiting sign-off" in html


def test_editing_a_signed_statement_voids_it_visibly(
    client_as, contributor, project, criterion, signoff
):
    client = client_as(contributor)
    response = client.post(
        reverse("projects:criterion-edit", args=[project.pk, criterion.pk]),
        {"statement": "Runbook accepted and rehearsed.", "due_date": "2027-01-01"},
        follow=True,
    )
    html = response.content.decode()
    assert "its sign-off is void" in html
    assert "was voided" in html and "Runbook accepted by ops." in html


def test_a_criterion_needs_a_statement_and_a_due_date(client_as, contributor, project):
    response = client_as(contributor).post(
        reverse("projects:criterion-create", args=[project.pk]), {"statement": ""}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"statement", "due_date"}
    assert AcceptanceCriterion.objects.count() == 0


# Phases, members, project ---------------------------------------------------------


def test_a_refused_phase_change_explains_and_changes_nothing(client_as, lead, project):
    project.phase = Phase.HYPERCARE
    project.save()
    factories.CriterionFactory(project=project)
    response = client_as(lead).post(
        reverse("projects:phase", args=[project.pk]), {"phase": "bau"}, follow=True
    )
    assert "1 of 1 acceptance criteria are not signed off" in response.content.decode()
    project.refresh_from_db()
    assert project.phase == Phase.HYPERCARE


def test_a_lead_moves_the_transition_to_readiness(client_as, lead, project):
    client_as(lead).post(reverse("projects:phase", args=[project.pk]), {"phase": "readiness"})
    project.refresh_from_db()
    assert project.phase == Phase.READINESS


def test_an_unknown_phase_is_refused(client_as, lead, project):
    response = client_as(lead).post(
        reverse("projects:phase", args=[project.pk]), {"phase": "done"}, follow=True
    )
    assert "Choose a phase" in response.content.decode()
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING


def test_adding_an_unknown_email_explains(client_as, lead, project):
    response = client_as(lead).post(
        reverse("projects:members", args=[project.pk]),
        {"email": "nobody@example.com", "role": "ops"},
    )
    assert "No active account uses nobody@example.com" in response.content.decode()
    assert Membership.objects.filter(project=project).count() == 1


def test_a_lead_adds_a_member_and_changes_their_role(client_as, lead, outsider, project):
    client = client_as(lead)
    client.post(
        reverse("projects:members", args=[project.pk]),
        {"email": "OUTSIDER@example.com", "role": "ops"},
    )
    membership = Membership.objects.get(project=project, user=outsider)
    assert membership.role == Role.OPS
    client.post(
        reverse("projects:member-update", args=[project.pk, membership.pk]), {"role": "viewer"}
    )
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_the_transitions_named_lead_cannot_be_removed(client_as, lead, project):
    co_lead = factories.MembershipFactory(project=project, role=Role.LEAD).user
    membership = Membership.objects.get(project=project, user=lead)
    response = client_as(co_lead).post(
        reverse("projects:member-update", args=[project.pk, membership.pk]),
        {"remove": "1"},
        follow=True,
    )
    # Otherwise the header and the dashboard would name a lead who gets a 404.
    assert "name another lead in the transition&#x27;s settings first" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_creating_a_transition_from_the_template(client_as, lead):
    ops_lead = factories.UserFactory()
    response = client_as(lead).post(
        reverse("projects:create"),
        {
            "name": "CRM migration",
            "lead": lead.pk,
            "ops_lead": ops_lead.pk,
            "go_live_date": "2027-02-01",
            "hypercare_days": "21",
            "blueprint": "standard-bau",
        },
    )
    project = Project.objects.get(name="CRM migration")
    assert response["Location"] == project.get_absolute_url()
    assert project.tasks.count() > 5
    assert project.criteria.count() == 5


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "hypercare_days": "14"}, "name"),
        ({"name": "X", "hypercare_days": "0"}, "hypercare_days"),
        ({"name": "X", "hypercare_days": "14", "go_live_date": "31/02/2027"}, "go_live_date"),
        ({"name": "X", "hypercare_days": "14", "same_ops_lead": True}, "ops_lead"),
    ],
)
def test_a_bad_transition_form_explains_and_creates_nothing(client_as, lead, data, field):
    data = {**data, "lead": lead.pk}
    if data.pop("same_ops_lead", False):
        data["ops_lead"] = lead.pk
    before = snapshot()
    response = client_as(lead).post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot() == before


# Activity ----------------------------------------------------------------------------


def test_activity_shows_who_changed_what(client_as, contributor, project, task):
    client = client_as(contributor)
    client.post(reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "done"})
    html = client.get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert contributor.display_name in html
    assert "Status: To do → Done" in html


# Dashboard and My items ------------------------------------------------------------


def test_the_dashboard_lists_only_visible_projects_with_counts(client_as, lead, project):
    today = timezone.localdate()
    factories.TaskFactory(project=project, due_date=today - dt.timedelta(days=2))
    factories.TaskFactory(project=project, status=Task.Status.DONE, completed_at=timezone.now())
    factories.CriterionFactory(project=project)
    hidden = factories.ProjectFactory(name="Someone else's")
    response = client_as(lead).get(reverse("projects:dashboard"))
    html = response.content.decode()
    assert project.name in html and hidden.name not in html
    row = response.context["page"].object_list[0].summary
    assert (row.tasks_done, row.tasks_total, row.tasks_overdue) == (1, 2, 1)
    assert (row.criteria_signed, row.criteria_total) == (0, 1)


def test_the_dashboard_filters_by_phase_lead_and_mine(client_as, lead, project):
    other = factories.ProjectFactory(name="Data warehouse", phase=Phase.READINESS)
    factories.MembershipFactory(project=other, user=lead, role=Role.VIEWER)
    client = client_as(lead)

    def names(**params):
        response = client.get(reverse("projects:dashboard"), params)
        return [p.name for p in response.context["page"].object_list]

    assert sorted(names()) == ["Data warehouse", "Payments platform"]
    assert names(phase="readiness") == ["Data warehouse"]
    assert names(lead=other.lead.pk) == ["Data warehouse"]
    assert names(mine="on") == ["Payments platform"]
    assert names(sort="-name") == ["Payments platform", "Data warehouse"]


def test_a_bad_dashboard_filter_is_explained(client_as, lead, project):
    response = client_as(lead).get(reverse("projects:dashboard"), {"phase": "nonsense"})
    assert response.status_code == 400
    assert "The filter was not understood" in response.content.decode()


def test_closed_transitions_are_hidden_unless_asked_for(client_as, lead, project):
    project.phase = Phase.BAU
    project.save()
    client = client_as(lead)
    assert not client.get(reverse("projects:dashboard")).context["page"].object_list
    assert client.get(reverse("projects:dashboard"), {"phase": "all"}).context["page"].object_list


def test_my_items_lists_my_open_tasks_and_criteria_awaiting_my_sign_off(client_as, ops, project):
    today = timezone.localdate()
    mine_late = factories.TaskFactory(project=project, owner=ops, due_date=today - dt.timedelta(1))
    mine_soon = factories.TaskFactory(project=project, owner=ops, due_date=today + dt.timedelta(3))
    factories.TaskFactory(project=project, owner=ops, status="done", completed_at=timezone.now())
    factories.TaskFactory(project=project)  # someone else's
    to_sign = factories.CriterionFactory(project=project)
    factories.CriterionFactory(project=project, expected_signer=project.lead)
    signed = factories.CriterionFactory(project=project)
    factories.SignOffFactory(criterion=signed, signed_by=ops)
    response = client_as(ops).get(reverse("projects:my-items"))
    assert response.context["tasks"] == [mine_late, mine_soon]
    assert response.context["criteria"] == [to_sign]
    assert "overdue" in response.content.decode()


def test_a_closed_transition_is_read_only(client_as, contributor, project, task):
    project.phase = Phase.CANCELLED
    project.save()
    response = client_as(contributor).post(
        reverse("projects:task-status", args=[project.pk, task.pk]), {"status": "done"}
    )
    assert response.status_code == 403


# Query budgets: the same at 3 and at 30 rows. ------------------------------------------


def build(project, n):
    members = [factories.MembershipFactory(project=project, role=Role.OPS).user for _ in range(3)]
    for i in range(n):
        task = factories.TaskFactory(project=project, owner=members[i % 3])
        if i % 2:
            task.status = Task.Status.DONE
            task.completed_at = timezone.now()
            task.save()
        criterion = factories.CriterionFactory(project=project, expected_signer=members[i % 3])
        if i % 3 == 0:
            factories.SignOffFactory(criterion=criterion, signed_by=members[0])
    return members


@pytest.mark.parametrize("n", [3, 30])
def test_dashboard_queries_do_not_grow(client_as, django_assert_max_num_queries, n):
    user = factories.UserFactory()
    for _ in range(n):
        project = factories.ProjectFactory()
        factories.MembershipFactory(project=project, user=user, role=Role.VIEWER)
        factories.TaskFactory(project=project)
        factories.CriterionFactory(project=project)
    client = client_as(user)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("projects:dashboard"))
    assert len(response.context["page"].object_list) == min(n, 25)


@pytest.mark.parametrize("n", [3, 30])
def test_transition_page_queries_do_not_grow(
    client_as, lead, project, django_assert_max_num_queries, n
):
    build(project, n)
    client = client_as(lead)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("projects:detail", args=[project.pk]))
    assert len(response.context["tasks"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_my_items_queries_do_not_grow(client_as, project, django_assert_max_num_queries, n):
    members = build(project, n)
    client = client_as(members[0])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("projects:my-items"))
    assert response.context["tasks"]


@pytest.mark.parametrize("n", [3, 30])
def test_activity_queries_do_not_grow(client_as, lead, project, django_assert_max_num_queries, n):
    build(project, n)
    client = client_as(lead)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("projects:activity", args=[project.pk]))
    assert response.context["entries"]


def test_naming_a_new_lead_and_ops_lead_makes_them_members(client_as, lead, project):
    new_lead, new_ops_lead = factories.UserFactory.create_batch(2)
    response = client_as(lead).post(
        reverse("projects:edit", args=[project.pk]),
        {
            "name": project.name,
            "lead": new_lead.pk,
            "ops_lead": new_ops_lead.pk,
            "hypercare_days": "21",
            "go_live_date": "2027-03-01",
        },
    )
    assert response.status_code == 302
    roles = dict(Membership.objects.filter(project=project).values_list("user_id", "role"))
    assert roles == {lead.pk: Role.LEAD, new_lead.pk: Role.LEAD, new_ops_lead.pk: Role.OPS}
    project.refresh_from_db()
    assert (project.hypercare_days, project.go_live_date) == (21, dt.date(2027, 3, 1))


# Closed transitions, stale pages and history --------------------------------------------


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
def test_a_lead_cannot_edit_a_closed_transition(client_as, lead, project, phase):
    Project.objects.filter(pk=project.pk).update(phase=phase)
    response = client_as(lead).post(
        reverse("projects:edit", args=[project.pk]),
        {"name": "Renamed after closing", "lead": lead.pk, "hypercare_days": 14},
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "Payments platform"


def test_a_lead_cannot_change_members_after_bau(client_as, lead, outsider, project):
    Project.objects.filter(pk=project.pk).update(phase=Phase.BAU)
    response = client_as(lead).post(
        reverse("projects:members", args=[project.pk]), {"email": outsider.email, "role": "ops"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(project=project, user=outsider).exists()


def test_a_cancelled_transition_can_be_reopened(client_as, lead, project):
    Project.objects.filter(pk=project.pk).update(phase=Phase.CANCELLED)
    client_as(lead).post(reverse("projects:phase", args=[project.pk]), {"phase": "planning"})
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING


def test_the_go_live_date_stays_once_hypercare_started(client_as, lead, project):
    Project.objects.filter(pk=project.pk).update(phase=Phase.HYPERCARE)
    response = client_as(lead).post(
        reverse("projects:edit", args=[project.pk]),
        {"name": project.name, "lead": lead.pk, "hypercare_days": 14, "go_live_date": ""},
    )
    assert "go_live_date" in response.context["form"].errors
    project.refresh_from_db()
    assert project.go_live_date is not None


def test_the_expected_signer_must_be_ops_in_this_transition(client_as, lead, viewer, project):
    # The viewer here is ops in another transition: that does not make them ops here.
    factories.MembershipFactory(user=viewer, role=Role.OPS)
    response = client_as(lead).post(
        reverse("projects:criterion-create", args=[project.pk]),
        {
            "statement": "Ops can restart it.",
            "due_date": "2027-01-01",
            "expected_signer": viewer.pk,
        },
    )
    assert "expected_signer" in response.context["form"].errors
    assert AcceptanceCriterion.objects.count() == 0


def test_ops_cannot_sign_a_statement_that_changed_after_the_page_was_loaded(
    client_as, ops, contributor, project
):
    criterion = factories.CriterionFactory(project=project, statement="What ops read.")
    read = criterion.statement_digest
    client_as(contributor).post(
        reverse("projects:criterion-edit", args=[project.pk, criterion.pk]),
        {"statement": "Something ops never read.", "due_date": "2027-01-01"},
    )
    response = client_as(ops).post(
        reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk]),
        {"comment": "", "statement_digest": read},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "The statement changed after you opened the page" in html
    assert "Something ops never read." in html  # the row now shows what there is to sign
    assert not SignOff.objects.exists()


def test_a_sign_off_without_the_statement_it_read_is_refused(client_as, ops, project, criterion):
    response = client_as(ops).post(
        reverse("projects:criterion-sign-off", args=[project.pk, criterion.pk]),
        {"comment": ""},
        follow=True,
    )
    assert "reload the page" in response.content.decode()
    assert not SignOff.objects.exists()


def test_going_back_to_a_filtered_dashboard_gets_the_whole_page(client_as, lead, project):
    # After hx-push-url, a history-cache miss re-requests the URL as an htmx request
    # and swaps the answer into <body>.
    response = client_as(lead).get(
        reverse("projects:dashboard"),
        {"phase": "all"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<nav" in response.content.decode()


def test_an_htmx_filter_request_gets_only_the_table(client_as, lead, project):
    response = client_as(lead).get(
        reverse("projects:dashboard"), {"phase": "all"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="project-table">') and "<nav" not in html


def test_a_bad_htmx_filter_is_explained_inside_the_table(client_as, lead, project):
    response = client_as(lead).get(
        reverse("projects:dashboard"), {"phase": "nonsense"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "The filter was not understood" in response.content.decode()


def test_my_items_does_not_ask_someone_who_is_no_longer_ops(client_as, lead, ops, project):
    factories.CriterionFactory(project=project, statement="Backups restore.", expected_signer=ops)
    Membership.objects.filter(project=project, user=ops).update(role=Role.VIEWER)
    response = client_as(ops).get(reverse("projects:my-items"))
    assert response.context["criteria"] == []


def test_done_tasks_sit_below_open_ones(client_as, lead, project):
    today = timezone.localdate()
    done = factories.TaskFactory(
        project=project,
        due_date=today - dt.timedelta(5),
        status="done",
        completed_at=timezone.now(),
    )
    blocked = factories.TaskFactory(project=project, due_date=today, status="blocked")
    todo = factories.TaskFactory(project=project, due_date=today + dt.timedelta(1))
    response = client_as(lead).get(reverse("projects:detail", args=[project.pk]))
    assert response.context["tasks"] == [blocked, todo, done]


def test_dashboard_pages_neither_repeat_nor_skip_tied_rows(client_as):
    user = factories.UserFactory()
    go_live = timezone.localdate()
    for _ in range(30):
        project = factories.ProjectFactory(name="Same name", go_live_date=go_live)
        factories.MembershipFactory(project=project, user=user, role=Role.VIEWER)
    client = client_as(user)
    seen = []
    for page in (1, 2):
        response = client.get(reverse("projects:dashboard"), {"page": page})
        seen += [p.pk for p in response.context["page"].object_list]
    assert len(seen) == len(set(seen)) == 30


def test_transitions_without_a_go_live_date_sort_last(client_as, lead, project):
    undated = factories.ProjectFactory(name="Undated", go_live_date=None)
    factories.MembershipFactory(project=undated, user=lead, role=Role.VIEWER)
    client = client_as(lead)
    for sort in ("go_live", "-go_live"):
        names = [
            p.name
            for p in client.get(reverse("projects:dashboard"), {"sort": sort})
            .context["page"]
            .object_list
        ]
        assert names[-1] == "Undated", sort


def test_a_contributor_deletes_a_task_and_the_history_keeps_it(
    client_as, contributor, project, task
):
    client = client_as(contributor)
    response = client.post(reverse("projects:task-delete", args=[project.pk, task.pk]))
    assert response.status_code == 302
    assert not Task.objects.filter(pk=task.pk).exists()
    html = client.get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert "deleted task “Write the runbook”" in html


def test_a_signed_criterion_cannot_be_deleted(client_as, contributor, project, criterion, signoff):
    response = client_as(contributor).post(
        reverse("projects:criterion-delete", args=[project.pk, criterion.pk]), follow=True
    )
    assert "revoke the sign-off (with a reason) first" in response.content.decode()
    assert AcceptanceCriterion.objects.filter(pk=criterion.pk).exists()


def test_an_unsigned_criterion_can_be_deleted(client_as, contributor, project):
    criterion = factories.CriterionFactory(project=project)
    client_as(contributor).post(
        reverse("projects:criterion-delete", args=[project.pk, criterion.pk])
    )
    assert not AcceptanceCriterion.objects.filter(pk=criterion.pk).exists()


def test_deleting_needs_a_post(client_as, contributor, project, task):
    response = client_as(contributor).get(
        reverse("projects:task-delete", args=[project.pk, task.pk])
    )
    assert response.status_code == 405
    assert Task.objects.filter(pk=task.pk).exists()


def test_my_items_pages_long_lists_and_keeps_the_other_lists_page(client_as, project):
    owner = factories.MembershipFactory(project=project, role=Role.OPS).user
    factories.TaskFactory.create_batch(55, project=project, owner=owner)
    client = client_as(owner)
    first = client.get(reverse("projects:my-items"))
    assert len(first.context["tasks"]) == 50
    assert "tasks_page=2" in first.content.decode()
    second = client.get(reverse("projects:my-items"), {"tasks_page": 2, "criteria_page": 1})
    assert len(second.context["tasks"]) == 5
    assert "tasks_page=1&amp;criteria_page=1" in second.content.decode()


def test_dashboard_page_links_keep_the_filters_and_sort(client_as):
    user = factories.UserFactory()
    for _ in range(26):
        factories.MembershipFactory(user=user, role=Role.VIEWER)
    response = client_as(user).get(reverse("projects:dashboard"), {"sort": "name", "phase": "all"})
    assert "sort=name&amp;phase=all&amp;page=2" in response.content.decode()
