"""The transition page as a lead, an ops engineer and a viewer find it (issue 7): a phase
card that separates forward, backward and destructive moves and links what blocks each;
cancelling a transition and removing a member ask first; a closed transition says so on
every page and offers no write; tasks filter by status, owner and area."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.projects import services, summary
from apps.projects.models import Membership, Phase, Project, Task
from tests import factories

pytestmark = pytest.mark.django_db


def detail(project, **params):
    return reverse("projects:detail", args=[project.pk]), params


def move_to(project, phase):
    Project.objects.filter(pk=project.pk).update(phase=phase)
    summary.refresh(project.pk)


def page_of(client, project, **params) -> str:
    return client.get(*detail(project, **params)).content.decode()


# The phase card --------------------------------------------------------------------------


def test_the_phase_card_separates_forward_backward_and_cancel(client_as, lead, project):
    move_to(project, Phase.READINESS)
    html = page_of(client_as(lead), project)
    card = html[html.index('id="phase"') : html.index("</section>", html.index('id="phase"'))]
    assert card.index("Move forward") < card.index("Move to Hypercare")
    assert card.index("Step back") < card.index("Back to Planning")
    cancel = card[card.index('class="phase-cancel') :]
    # Cancel is a link to a page that asks first, not a button that posts.
    assert f'href="/p/{project.pk}/cancel/"' in cancel
    assert 'value="cancelled"' not in html


def test_a_refused_move_to_bau_names_and_links_the_unsigned_criteria(client_as, lead, ops, project):
    move_to(project, Phase.HYPERCARE)
    signed = factories.CriterionFactory(project=project, statement="Backups restore.")
    factories.SignOffFactory(criterion=signed, signed_by=ops)
    first = factories.CriterionFactory(project=project, statement="Alerts reach ops.")
    second = factories.CriterionFactory(project=project, statement="The runbook is walked.")
    html = page_of(client_as(lead), project)
    blockers = html[html.index('id="blockers-bau"') :]
    blockers = blockers[: blockers.index("</form>")]
    assert "2 of 3 acceptance criteria are not signed off by operations." in blockers
    assert f'href="/p/{project.pk}/?criteria=unsigned#criteria"' in blockers
    assert f'href="/p/{project.pk}/#criterion-{first.pk}">Alerts reach ops.</a>' in blockers
    assert f'href="/p/{project.pk}/#criterion-{second.pk}"' in blockers
    assert "Backups restore." not in blockers
    assert 'aria-describedby="blockers-bau"' in html  # the disabled button says why


def test_a_move_to_hypercare_without_a_go_live_date_links_to_the_settings(client_as, lead, project):
    Project.objects.filter(pk=project.pk).update(phase=Phase.READINESS, go_live_date=None)
    summary.refresh(project.pk)
    html = page_of(client_as(lead), project)
    blockers = html[html.index('id="blockers-hypercare"') :]
    blockers = blockers[: blockers.index("</form>")]
    assert "Set the go-live date before starting hypercare." in blockers
    assert f'href="/p/{project.pk}/edit/">Set the go-live date</a>' in blockers


def test_going_live_with_overdue_and_blocked_tasks_is_allowed_but_linked(client_as, lead, project):
    move_to(project, Phase.READINESS)
    factories.TaskFactory(project=project, due_date=timezone.localdate() - dt.timedelta(2))
    factories.TaskFactory(project=project, status=Task.Status.BLOCKED)
    html = page_of(client_as(lead), project)
    form = html[html.index('data-testid="move-hypercare"') :]
    form = form[: form.index("</form>")]
    assert "disabled" not in form
    assert "1 task is overdue." in form
    assert f'href="/p/{project.pk}/?overdue=on#tasks"' in form
    assert "1 task is blocked." in form
    assert f'href="/p/{project.pk}/?status=blocked#tasks"' in form


@pytest.mark.parametrize("persona", ["contributor", "ops", "viewer"])
def test_only_a_lead_is_offered_phase_moves(request, client_as, project, persona):
    user = request.getfixturevalue(persona)
    html = page_of(client_as(user), project)
    assert 'id="phase"' not in html
    assert "/cancel/" not in html


# Cancelling asks first --------------------------------------------------------------------


def test_posting_a_cancel_to_the_phase_endpoint_only_leads_to_the_confirmation(
    client_as, lead, project
):
    response = client_as(lead).post(
        reverse("projects:phase", args=[project.pk]), {"phase": Phase.CANCELLED}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:cancel", args=[project.pk])
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING


def test_the_cancel_confirmation_says_what_cancelling_means(client_as, lead, project):
    factories.TaskFactory(project=project)
    response = client_as(lead).get(reverse("projects:cancel", args=[project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "read only" in html
    assert "reopen" in html
    assert "1 task (1 still open)" in html
    assert 'name="confirm" value="yes"' in html
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING  # a GET changes nothing


def test_a_post_without_the_confirmation_cancels_nothing(client_as, lead, project):
    response = client_as(lead).post(reverse("projects:cancel", args=[project.pk]), {})
    assert response.status_code == 400
    assert "Nothing was cancelled" in response.content.decode()
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING


def test_a_confirmed_cancel_cancels_and_says_how_to_undo_it(client_as, lead, project):
    response = client_as(lead).post(
        reverse("projects:cancel", args=[project.pk]), {"confirm": "yes"}, follow=True
    )
    project.refresh_from_db()
    assert project.phase == Phase.CANCELLED
    assert "read only until a lead reopens it" in response.content.decode()


@pytest.mark.parametrize("persona", ["contributor", "ops", "viewer"])
def test_only_a_lead_gets_the_cancel_confirmation(request, client_as, project, persona):
    user = request.getfixturevalue(persona)
    url = reverse("projects:cancel", args=[project.pk])
    assert client_as(user).get(url).status_code == 403
    assert client_as(user).post(url, {"confirm": "yes"}).status_code == 403
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING


def test_an_outsider_cannot_tell_a_cancel_confirmation_exists(client_as, outsider, project):
    assert client_as(outsider).get(reverse("projects:cancel", args=[project.pk])).status_code == 404


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
def test_a_closed_transition_offers_no_cancellation(client_as, lead, project, phase):
    move_to(project, phase)
    response = client_as(lead).get(reverse("projects:cancel", args=[project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="cancel-refused"' in html
    assert 'name="confirm"' not in html


# Removing a member asks first -------------------------------------------------------------


def test_the_remove_button_only_leads_to_the_confirmation(client_as, lead, contributor, project):
    membership = Membership.objects.get(project=project, user=contributor)
    client = client_as(lead)
    members_page = client.get(reverse("projects:members", args=[project.pk])).content.decode()
    confirm_url = reverse("projects:member-remove", args=[project.pk, membership.pk])
    assert f'href="{confirm_url}"' in members_page

    # The old one-click form (a bookmarked page, a script) no longer removes anyone.
    response = client.post(
        reverse("projects:member-update", args=[project.pk, membership.pk]), {"remove": "1"}
    )
    assert response["Location"] == confirm_url
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_remove_confirmation_says_who_loses_access_and_what_stays_theirs(
    client_as, lead, contributor, project
):
    factories.TaskFactory.create_batch(2, project=project, owner=contributor)
    factories.CriterionFactory(project=project, expected_signer=contributor)
    membership = Membership.objects.get(project=project, user=contributor)
    response = client_as(lead).get(
        reverse("projects:member-remove", args=[project.pk, membership.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert contributor.email in html
    assert "loses access" in html
    assert "2 open tasks still name them as owner" in html
    assert "1 acceptance criterion awaiting sign-off names them" in html
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_removing_a_member_needs_the_confirmation(client_as, lead, contributor, project):
    membership = Membership.objects.get(project=project, user=contributor)
    url = reverse("projects:member-remove", args=[project.pk, membership.pk])
    client = client_as(lead)
    refused = client.post(url, {"confirm": "no"})
    assert refused.status_code == 400
    assert "Nobody was removed" in refused.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()

    response = client.post(url, {"confirm": "yes"})
    assert response["Location"] == reverse("projects:members", args=[project.pk])
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("persona", ["contributor", "ops", "viewer"])
def test_only_a_lead_gets_the_remove_confirmation(request, client_as, project, lead, persona):
    user = request.getfixturevalue(persona)
    membership = Membership.objects.get(project=project, user=lead)
    url = reverse("projects:member-remove", args=[project.pk, membership.pk])
    assert client_as(user).get(url).status_code == 403
    members_page = client_as(user).get(reverse("projects:members", args=[project.pk]))
    assert "/remove/" not in members_page.content.decode()


def test_an_outsider_and_another_transitions_member_get_404(client_as, outsider, lead, project):
    membership = Membership.objects.get(project=project, user=lead)
    url = reverse("projects:member-remove", args=[project.pk, membership.pk])
    assert client_as(outsider).get(url).status_code == 404
    elsewhere = factories.ProjectFactory(lead=lead)
    wrong = reverse("projects:member-remove", args=[elsewhere.pk, membership.pk])
    assert client_as(lead).get(wrong).status_code == 404


# Closed transitions -----------------------------------------------------------------------

PAGES = ("projects:detail", "projects:members", "projects:activity")


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_a_closed_transition_says_it_is_read_only(
    client_as, lead, project, phase, page
):
    move_to(project, phase)
    html = client_as(lead).get(reverse(page, args=[project.pk])).content.decode()
    start = html.index('data-testid="closed-banner"')
    banner = html[start : html.index('<ul class="nav nav-tabs', start)]
    assert "read only" in banner
    assert timezone.localdate().strftime("%-d %b %Y") in banner


def test_a_lead_can_reopen_a_cancelled_transition_from_the_banner(client_as, lead, project):
    services.project_change_phase(project=project, to=Phase.CANCELLED, by=lead)
    html = page_of(client_as(lead), project)
    assert 'data-testid="reopen"' in html
    assert "Cancelled</strong>" in html
    client_as(lead).post(reverse("projects:phase", args=[project.pk]), {"phase": "planning"})
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING


@pytest.mark.parametrize("persona", ["contributor", "ops", "viewer"])
def test_only_a_lead_is_offered_the_reopen(request, client_as, lead, project, persona):
    services.project_change_phase(project=project, to=Phase.CANCELLED, by=lead)
    html = page_of(client_as(request.getfixturevalue(persona)), project)
    assert 'data-testid="closed-banner"' in html
    assert 'data-testid="reopen"' not in html
    assert "a lead can reopen it" in html


def test_bau_cannot_be_reopened_so_none_is_offered(client_as, lead, project):
    move_to(project, Phase.BAU)
    html = page_of(client_as(lead), project)
    assert "Handed over to operations" in html
    assert 'data-testid="reopen"' not in html


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
@pytest.mark.parametrize("persona", ["lead", "contributor", "ops"])
def test_a_closed_transition_offers_no_write_control(
    request, client_as, project, lead, contributor, ops, persona, phase
):
    # Each persona would see write controls on an open transition: own tasks, criteria.
    user = request.getfixturevalue(persona)
    factories.TaskFactory(project=project, owner=user)
    factories.CriterionFactory(project=project)
    signed = factories.CriterionFactory(project=project)
    factories.SignOffFactory(criterion=signed, signed_by=ops)
    open_page = page_of(client_as(user), project)
    assert "status-select" in open_page  # the control this test expects to disappear

    move_to(project, phase)
    client = client_as(user)
    for params in ({}, {"criteria": "signed"}):
        html = page_of(client, project, **params)
        for control in (
            "status-select",  # a task's status
            "/tasks/new/",
            "/criteria/new/",
            "/sign-off/",
            "/revoke/",
            "/withdraw/",
            "/edit/",
            "/cancel/",
            'id="phase"',
        ):
            assert control not in html, control
    members = client.get(reverse("projects:members", args=[project.pk])).content.decode()
    assert "role-select" not in members
    assert "/remove/" not in members
    assert "Add a member" not in members


# Task filters and marks --------------------------------------------------------------------


@pytest.fixture
def mixed_tasks(project, lead, ops):
    today = timezone.localdate()
    return {
        "late": factories.TaskFactory(
            project=project, title="Late runbook", area="runbook", due_date=today - dt.timedelta(3)
        ),
        "blocked": factories.TaskFactory(
            project=project, title="Blocked alerts", area="monitoring", status="blocked"
        ),
        "ops": factories.TaskFactory(
            project=project, title="Ops walkthrough", area="runbook", owner=ops
        ),
        "done": factories.TaskFactory(
            project=project,
            title="Done support",
            area="support",
            owner=ops,
            status="done",
            completed_at=timezone.now(),
        ),
    }


def titles(response) -> set[str]:
    return {task.title for task in response.context["tasks"]}


def test_tasks_filter_by_status_owner_area_and_overdue(client_as, lead, ops, mixed_tasks, project):
    client = client_as(lead)
    assert titles(client.get(*detail(project, status="blocked"))) == {"Blocked alerts"}
    assert titles(client.get(*detail(project, owner=ops.pk))) == {"Ops walkthrough"}
    assert titles(client.get(*detail(project, area="runbook"))) == {
        "Late runbook",
        "Ops walkthrough",
    }
    assert titles(client.get(*detail(project, area="runbook", owner=lead.pk))) == {"Late runbook"}
    response = client.get(*detail(project, overdue="on"))
    assert titles(response) == {"Late runbook"}
    assert 'data-testid="tasks-matching">1 of 3 open tasks matches.' in response.content.decode()
    response = client.get(*detail(project, area="runbook"))
    assert 'data-testid="tasks-matching">2 of 3 open tasks match.' in response.content.decode()


def test_filters_combine_with_the_done_tab(client_as, lead, ops, mixed_tasks, project):
    client = client_as(lead)
    response = client.get(*detail(project, tasks="done", owner=ops.pk))
    assert titles(response) == {"Done support"}
    assert titles(client.get(*detail(project, tasks="done", owner=lead.pk))) == set()
    # The tab links keep the filters; switching tabs starts at page 1.
    html = client.get(*detail(project, owner=ops.pk, tasks_page=1)).content.decode()
    assert f"?owner={ops.pk}&amp;tasks=done#tasks" in html


def test_filters_combine_with_paging(client_as, lead, project):
    factories.TaskFactory.create_batch(30, project=project, area="monitoring")
    factories.TaskFactory.create_batch(3, project=project, area="runbook")
    client = client_as(lead)
    first = client.get(*detail(project, area="monitoring"))
    assert len(first.context["tasks"]) == 25
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert "?area=monitoring&amp;tasks_page=2#tasks" in html
    second = client.get(*detail(project, area="monitoring", tasks_page=2))
    assert len(second.context["tasks"]) == 5
    assert {t.area for t in second.context["tasks"]} == {"monitoring"}


def test_an_unknown_filter_value_is_reported_and_ignored(client_as, lead, mixed_tasks, project):
    response = client_as(lead).get(*detail(project, owner="999999", area="nonsense"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "That filter is not applied." in html
    assert titles(response) == {"Late runbook", "Blocked alerts", "Ops walkthrough"}


def test_a_filter_that_matches_nothing_says_how_to_see_everything(
    client_as, lead, mixed_tasks, project
):
    html = page_of(client_as(lead), project, area="hypercare")
    assert "No task matches these filters." in html
    assert 'data-testid="clear-filters"' in html


def test_overdue_and_blocked_tasks_are_marked(client_as, lead, mixed_tasks, project):
    html = page_of(client_as(lead), project)
    late = html[html.index(f'id="task-{mixed_tasks["late"].pk}"') :]
    late = late[: late.index("</tr>")]
    assert 'class="order-3 text-overdue"' in late
    assert 'data-testid="overdue-badge">overdue<' in late
    blocked = html[html.index(f'<tr id="task-{mixed_tasks["blocked"].pk}"') :]
    blocked = blocked[: blocked.index("</tr>")]
    assert 'class="table-warning task-blocked"' in blocked
    assert 'data-testid="blocked-badge"' in blocked
    fine = html[html.index(f'id="task-{mixed_tasks["ops"].pk}"') :]
    fine = fine[: fine.index("</tr>")]
    for mark in ("overdue-badge", "blocked-badge", "text-overdue", "task-blocked"):
        assert mark not in fine


# Query budgets ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 30])
def test_the_page_with_filters_and_phase_card_keeps_its_query_budget(
    client_as, lead, project, fill, django_assert_max_num_queries, n
):
    move_to(project, Phase.HYPERCARE)  # the move to BAU names unsigned criteria
    members = fill(project, n)
    summary.refresh(project.pk)
    client = client_as(lead)
    with django_assert_max_num_queries(7):
        response = client.get(*detail(project))
    assert response.context["phase_moves"].forward
    # A filter counts its matches: one query more, whatever the size.
    with django_assert_max_num_queries(8):
        response = client.get(*detail(project, owner=members[0].pk, area="other", status="todo"))
    assert response.context["tasks"]


@pytest.mark.parametrize("n", [3, 30])
def test_a_closed_transition_keeps_its_query_budget(
    client_as, lead, project, fill, django_assert_max_num_queries, n
):
    fill(project, n)
    move_to(project, Phase.CANCELLED)
    client = client_as(lead)
    with django_assert_max_num_queries(7):
        response = client.get(*detail(project))
    assert 'data-testid="closed-banner"' in response.content.decode()


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
def test_a_closed_transition_raises_no_alarm(client_as, lead, project, phase):
    """Overdue marks and a "blocked" readiness verdict mean nothing once it is closed."""
    late = timezone.localdate() - dt.timedelta(days=3)
    factories.TaskFactory(project=project, due_date=late)
    factories.CriterionFactory(project=project, due_date=late)
    assert 'data-testid="overdue-badge"' in page_of(client_as(lead), project)
    move_to(project, phase)
    html = page_of(client_as(lead), project)
    assert 'data-testid="overdue-badge"' not in html
    assert "text-overdue" not in html
    assert '<span class="badge text-bg-secondary" data-testid="readiness">closed</span>' in html
    dashboard = client_as(lead).get(reverse("projects:dashboard"), {"phase": "all"})
    assert "1 overdue" not in dashboard.content.decode()


# Links to one row (My items, Activity) ----------------------------------------------


def test_a_link_to_a_task_lands_on_its_tab_and_page(client_as, lead, project):
    today = timezone.localdate()
    tasks = [
        factories.TaskFactory(project=project, due_date=today + dt.timedelta(days=n))
        for n in range(30)
    ]
    done = factories.TaskFactory(
        project=project, status=Task.Status.DONE, completed_at=timezone.now()
    )
    client = client_as(lead)
    overview = reverse("projects:detail", args=[project.pk])
    late = tasks[-1]  # the 30th open task: page 2
    response = client.get(overview, {"task": late.pk})
    assert response["Location"] == f"{overview}?tasks=open&tasks_page=2#task-{late.pk}"
    assert f'id="task-{late.pk}"' in client.get(response["Location"]).content.decode()
    response = client.get(overview, {"task": done.pk})
    assert response["Location"] == f"{overview}?tasks=done&tasks_page=1#task-{done.pk}"


def test_a_link_to_a_criterion_lands_on_its_tab_or_the_withdrawn_list(
    client_as, lead, ops, project
):
    signed = factories.CriterionFactory(project=project)
    factories.SignOffFactory(criterion=signed, signed_by=ops)
    waiting = factories.CriterionFactory(project=project)
    withdrawn = factories.CriterionFactory(
        project=project, withdrawn_at=timezone.now(), withdrawn_by=lead, withdraw_reason="Moot"
    )
    client = client_as(lead)
    overview = reverse("projects:detail", args=[project.pk])
    expected = {
        signed: f"?criteria=signed&criteria_page=1#criterion-{signed.pk}",
        waiting: f"?criteria=unsigned&criteria_page=1#criterion-{waiting.pk}",
        withdrawn: f"#withdrawn-{withdrawn.pk}",
    }
    for criterion, where in expected.items():
        response = client.get(overview, {"criterion": criterion.pk})
        assert response["Location"] == overview + where


@pytest.mark.parametrize("param", ["task", "criterion"])
@pytest.mark.parametrize("value", ["abc", "", "99999999", "-1", "1" * 30])
def test_a_link_to_a_row_not_of_this_transition_leads_to_its_page(
    client_as, lead, project, param, value
):
    other = factories.ProjectFactory()
    factories.TaskFactory(project=other)
    overview = reverse("projects:detail", args=[project.pk])
    response = client_as(lead).get(overview, {param: value})
    assert response["Location"] == overview


def test_a_link_to_a_row_of_a_transition_i_am_not_in_is_not_found(client_as, outsider, project):
    task = factories.TaskFactory(project=project)
    overview = reverse("projects:detail", args=[project.pk])
    assert client_as(outsider).get(overview, {"task": task.pk}).status_code == 404
