"""The transition page at any size: open items first and paged, done ones behind a link,
counts from the summary row, the readiness card, and a query budget that does not grow."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.projects import scale, summary
from apps.projects.models import Phase, Project, ProjectSummary, Task
from apps.projects.views.transition import CRITERIA_PAGE_SIZE, TASKS_PAGE_SIZE
from tests import factories
from tests.runbooks.complete import every_gate_passing

pytestmark = pytest.mark.django_db


def detail(project, **params):
    return reverse("projects:detail", args=[project.pk]), params


def big_transition(tasks: int, criteria: int, phase: str = Phase.READINESS) -> Project:
    """One open transition, built the way seed_scale builds them."""
    result = scale.generate(
        transitions=1,
        tasks=tasks,
        criteria=criteria,
        today=timezone.localdate(),
        now=timezone.now(),
        phase=phase,
    )
    return Project.objects.get(pk=result.first_project_id)


def test_open_tasks_come_first_by_due_date_and_done_ones_sit_behind_a_link(
    client_as, lead, project
):
    today = timezone.localdate()
    done = factories.TaskFactory(
        project=project,
        due_date=today - dt.timedelta(5),
        status="done",
        completed_at=timezone.now(),
    )
    blocked = factories.TaskFactory(project=project, due_date=today, status="blocked")
    todo = factories.TaskFactory(project=project, due_date=today + dt.timedelta(1))
    client = client_as(lead)

    response = client.get(*detail(project))
    assert response.context["tasks"] == [blocked, todo]
    html = response.content.decode()
    assert "?tasks=done#tasks" in html
    assert "Done (1)" in html
    assert "Open (2)" in html
    assert done.title not in html

    response = client.get(*detail(project, tasks="done"))
    assert response.context["tasks"] == [done]
    assert response.context["tasks_view"] == "done"


def test_done_tasks_are_listed_most_recently_completed_first(client_as, lead, project):
    now = timezone.now()
    earlier = factories.TaskFactory(
        project=project, status="done", completed_at=now - dt.timedelta(days=2)
    )
    later = factories.TaskFactory(project=project, status="done", completed_at=now)
    response = client_as(lead).get(*detail(project, tasks="done"))
    assert response.context["tasks"] == [later, earlier]


def test_an_unknown_list_view_shows_the_open_items(client_as, lead, project):
    open_task = factories.TaskFactory(project=project)
    response = client_as(lead).get(*detail(project, tasks="nonsense", tasks_page="x"))
    assert response.status_code == 200
    assert response.context["tasks"] == [open_task]


def test_tasks_are_paged_with_links_that_keep_the_other_lists_view(client_as):
    project = big_transition(tasks=130, criteria=0)
    open_count = project.tasks.open().count()
    assert open_count > 2 * TASKS_PAGE_SIZE
    client = client_as(project.lead)

    first = client.get(*detail(project, criteria="signed"))
    assert len(first.context["tasks"]) == TASKS_PAGE_SIZE
    html = first.content.decode()
    assert "?criteria=signed&amp;tasks_page=2#tasks" in html
    last_page = -(-open_count // TASKS_PAGE_SIZE)
    assert f"Page 1 of {last_page}" in html

    last = client.get(*detail(project, criteria="signed", tasks_page=last_page))
    assert len(last.context["tasks"]) == open_count - TASKS_PAGE_SIZE * (last_page - 1)
    seen = [
        t.pk
        for n in range(1, last_page + 1)
        for t in client.get(*detail(project, tasks_page=n)).context["tasks"]
    ]
    assert sorted(seen) == sorted(project.tasks.open().values_list("pk", flat=True))


def test_switching_a_list_starts_it_at_its_first_page(client_as):
    project = big_transition(tasks=130, criteria=0)
    response = client_as(project.lead).get(*detail(project, tasks_page=2))
    assert "?tasks=done#tasks" in response.content.decode()  # tasks_page dropped


def test_criteria_awaiting_sign_off_come_first_and_signed_ones_sit_behind_a_link(
    client_as, lead, ops, project
):
    signed = factories.CriterionFactory(project=project, statement="Backups restore.")
    factories.SignOffFactory(criterion=signed, signed_by=ops)
    unsigned = factories.CriterionFactory(project=project, statement="Alerts fire.")
    client = client_as(lead)

    response = client.get(*detail(project))
    assert response.context["criteria"] == [unsigned]
    html = response.content.decode()
    assert "Awaiting sign-off (1)" in html
    assert "Signed off (1)" in html
    assert "?criteria=signed#criteria" in html
    assert "Backups restore." not in html

    response = client.get(*detail(project, criteria="signed"))
    assert response.context["criteria"] == [signed]
    assert "Signed by" in response.content.decode()


def test_criteria_are_paged_and_keep_the_tasks_view(client_as):
    project = big_transition(tasks=0, criteria=140, phase=Phase.PLANNING)
    unsigned = project.criteria.unsigned().count()
    assert unsigned > CRITERIA_PAGE_SIZE
    response = client_as(project.lead).get(*detail(project, tasks="done"))
    assert len(response.context["criteria"]) == CRITERIA_PAGE_SIZE
    assert "?tasks=done&amp;criteria_page=2#criteria" in response.content.decode()


def test_the_counts_at_the_top_come_from_the_summary_row(client_as, lead, project):
    factories.TaskFactory(project=project)
    ProjectSummary.objects.filter(project=project).update(
        tasks_total=40, tasks_done=17, tasks_overdue=3, criteria_total=9, criteria_signed=4
    )
    response = client_as(lead).get(*detail(project))
    html = response.content.decode()
    assert 'data-testid="tasks-done">17/40<' in html
    assert 'data-testid="tasks-overdue">3<' in html
    assert 'data-testid="criteria-signed">4/9<' in html
    assert "Open (23)" in html
    assert "Awaiting sign-off (5)" in html


def test_a_summary_from_an_earlier_day_is_not_shown_as_today(client_as, lead, project):
    factories.TaskFactory(project=project, due_date=timezone.localdate() - dt.timedelta(1))
    ProjectSummary.objects.filter(project=project).update(
        computed_on=timezone.localdate() - dt.timedelta(1), tasks_overdue=0
    )
    html = client_as(lead).get(*detail(project)).content.decode()
    assert 'data-testid="tasks-overdue">1<' in html


def test_the_summary_region_refreshes_alone_for_htmx(
    client_as, lead, project, django_assert_max_num_queries
):
    factories.TaskFactory(project=project, status="done", completed_at=timezone.now())
    client = client_as(lead)
    with django_assert_max_num_queries(3):
        response = client.get(
            *detail(project), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="project-summary"
        )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="project-summary"')
    assert 'data-testid="tasks-done">1/1<' in html
    assert "<table" not in html


def test_the_readiness_card_refreshes_alone_for_htmx(client_as, lead, project):
    factories.CriterionFactory(project=project)
    response = client_as(lead).get(
        *detail(project), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="readiness"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="card mb-3" id="readiness"')
    assert "1 of 1 acceptance criteria await operations&#x27; sign-off." in html


def test_a_history_restore_gets_the_whole_page(client_as, lead, project):
    response = client_as(lead).get(
        *detail(project), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_the_readiness_card_shows_each_gate_its_score_and_findings_with_links(
    client_as, lead, project
):
    factories.CriterionFactory(project=project)
    factories.TaskFactory(project=project, due_date=project.go_live_date - dt.timedelta(1))
    html = client_as(lead).get(*detail(project)).content.decode()
    card = html[html.index('id="readiness"') :]
    card = card[: card.index("</aside>")]
    result = summary.gate_results(ProjectSummary.objects.get(project=project))[0]
    assert "Go-live readiness" in card
    assert "blocked" in card
    assert result.title in card
    assert f"{result.score}%" in card
    assert f'href="/p/{project.pk}/#criteria"' in card
    assert f'href="/p/{project.pk}/#tasks"' in card
    assert "1 of 1 tasks due by go-live are not done." in card


def test_a_transition_whose_gates_pass_reads_ready(client_as, lead, ops, project):
    criterion = factories.CriterionFactory(project=project)
    factories.SignOffFactory(criterion=criterion, signed_by=ops)
    every_gate_passing(project, lead, ops)
    html = client_as(lead).get(*detail(project)).content.decode()
    assert 'data-testid="readiness">ready<' in html


def test_an_inline_status_change_still_swaps_its_row_and_asks_for_fresh_counts(
    client_as, lead, project
):
    task = factories.TaskFactory(project=project)
    response = client_as(lead).post(
        reverse("projects:task-status", args=[project.pk, task.pk]),
        {"status": "done"},
        HTTP_HX_REQUEST="true",
    )
    assert response.content.decode().lstrip().startswith(f'<tr id="task-{task.pk}">')
    assert response["HX-Trigger"] == "counts-changed"
    assert ProjectSummary.objects.get(project=project).tasks_done == 1


# Size and query budgets ----------------------------------------------------------------


@pytest.mark.parametrize(("tasks", "criteria"), [(3, 3), (30, 30), (120, 120)])
def test_the_transition_page_reads_a_fixed_number_of_queries(
    client_as, django_assert_max_num_queries, tasks, criteria
):
    project = big_transition(tasks=tasks, criteria=criteria)
    client = client_as(project.lead)
    with django_assert_max_num_queries(7):
        response = client.get(*detail(project))
    assert response.context["tasks"]
    with django_assert_max_num_queries(7):
        client.get(*detail(project, tasks="done", criteria="signed"))


@pytest.mark.parametrize("n", [3, 30])
def test_transition_page_queries_do_not_grow_with_factory_rows(
    client_as, lead, project, fill, django_assert_max_num_queries, n
):
    fill(project, n)
    client = client_as(lead)
    with django_assert_max_num_queries(7):
        response = client.get(*detail(project))
    assert len(response.context["tasks"]) == len(project.tasks.open())


def test_a_transition_with_500_tasks_and_300_criteria_renders_small(client_as):
    project = big_transition(tasks=500, criteria=300)
    response = client_as(project.lead).get(*detail(project))
    assert len(response.context["tasks"]) == TASKS_PAGE_SIZE
    assert len(response.context["criteria"]) == CRITERIA_PAGE_SIZE
    assert len(response.content) < 200_000
    assert Task.objects.filter(project=project).count() == 500
