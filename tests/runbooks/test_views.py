"""The runbooks' pages: the reading view answers the three questions, the search finds a
scenario by what the engineer sees, query budgets, walkthroughs, the editors, and bad
input refused with nothing written.

Who may do what is `test_access_matrix.py`'s: these tests act as the lead, a
contributor or operations and check what the pages say and what they write.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.concurrency import version_of
from apps.projects.models import Phase, Project, Task
from apps.runbooks.forms import MAX_FOLLOW_UPS
from apps.runbooks.models import Outcome, Runbook, RunbookStatus, Scenario, Walkthrough
from apps.runbooks.views.runbooks import SEARCH_LIMIT
from apps.support.models import Component
from tests.runbooks.factories import RunbookFactory, ScenarioFactory, WalkthroughFactory
from tests.support.factories import (
    ComponentFactory,
    EscalationLevelFactory,
    SupportTeamFactory,
    TierFactory,
    model_fully,
)

pytestmark = pytest.mark.django_db

# Helpers -------------------------------------------------------------------------


def _url(name: str, project: Project, *args: int) -> str:
    return reverse(name, args=[project.pk, *args])


def _body(response) -> str:
    return response.content.decode()


def _card(page: str, scenario: Scenario) -> str:
    """The HTML of one scenario's card on the reading view."""
    start = page.index(f'id="scenario-{scenario.pk}"')
    end = page.find("</article>", start)
    return page[start:end]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _form_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(e) for errors in form.errors.values() for e in errors]


@pytest.fixture
def support(project, lead, ops):
    """A support model with no gap: Payments API owned at the first tier by the Service
    desk (24x7, phone), three escalation levels, a catch-all."""
    return model_fully(project, lead, ops)


@pytest.fixture
def api(support) -> Component:
    return support["components"][0]


@pytest.fixture
def runbook(project, lead):
    return RunbookFactory(project=project, title="Payments on-call", owner=lead)


# 1. The reading view answers the three questions --------------------------------------


def test_the_reading_view_answers_what_breaks_normal_versus_problem_and_who_to_call(
    client_as, project, ops, api, runbook
):
    scenario = ScenarioFactory(
        project=project,
        runbook=runbook,
        component=api,
        title="Checkout answers 502",
        symptoms="Customers see **Bad gateway** at checkout.",
        normal="Error rate below `0.1%`.",
        problem="Error rate above `5%` for 5 minutes.",
        first_checks="1. Open the payments dashboard.",
        resolution="1. Restart the API pods.",
        rollback="Deploy the previous release.",
        alert_names="PaymentsApi5xx\nCheckoutLatencyHigh",
    )
    page = client_as(ops).get(_url("runbooks:detail", project, runbook.pk))
    assert page.status_code == 200
    card = _card(_body(page), scenario)
    # What do I do when it breaks: the symptoms and the steps, as Markdown rendered.
    assert "Customers see <strong>Bad gateway</strong> at checkout." in card
    assert "Restart the API pods." in card
    assert "Deploy the previous release." in card
    # What normal looks like versus a problem, side by side on a wide screen.
    assert re.search(r'class="col-12 col-md-6" data-testid="normal"', card)
    assert "What normal looks like" in card
    assert "<code>0.1%</code>" in card
    assert "What a problem looks like" in card
    assert "<code>5%</code>" in card
    # The alerts that send an engineer here.
    assert "PaymentsApi5xx" in card
    assert "CheckoutLatencyHigh" in card
    # Who to call: the owner at the first tier with how to reach them, then the path.
    who = card[card.index('data-testid="who-to-call"') :]
    assert "Service desk" in who
    assert "24x7" in who
    assert 'href="tel:+442079460000"' in who
    assert "responds to a P1 within 15 min" in who
    assert who.count('data-testid="escalation-call"') == 3
    assert "PagerDuty Pay-L2" in who  # level 2's pager
    assert "call now for a P1" in who  # level 3 is called at once for a P1
    assert 'data-testid="contact-unresolved"' not in card


def test_a_scenario_whose_contact_does_not_resolve_says_so_rather_than_showing_nothing(
    client_as, project, ops, runbook
):
    orphan = ComponentFactory(project=project, name="Batch exporter")
    scenario = ScenarioFactory(project=project, runbook=runbook, component=orphan)
    no_component = ScenarioFactory(project=project, runbook=runbook, component=None)
    page = _body(client_as(ops).get(_url("runbooks:detail", project, runbook.pk)))
    card = _card(page, scenario)
    assert 'data-testid="contact-unresolved"' in card
    assert "Batch exporter has no owner" in card
    assert "there is no escalation path" in card
    assert project.lead.email in card  # someone to ask meanwhile, never a blank
    other = _card(page, no_component)
    assert 'data-testid="contact-unresolved"' in other
    assert "this scenario names no component" in other


def test_a_removed_owner_leaves_a_warning_and_the_escalation_path(
    client_as, project, lead, ops, runbook
):
    """The team that owned the component was replaced by nobody: the page names the gap
    and still shows whom to escalate to."""
    component = ComponentFactory(project=project, name="Ledger DB")
    TierFactory(project=project, name="L1 Service desk")
    EscalationLevelFactory(project=project, team=SupportTeamFactory(project=project, name="SRE"))
    scenario = ScenarioFactory(project=project, runbook=runbook, component=component)
    card = _card(_body(client_as(ops).get(_url("runbooks:detail", project, runbook.pk))), scenario)
    assert 'data-testid="contact-unresolved"' not in card
    assert "No owner at L1 Service desk, and no catch-all owner." in card
    assert "SRE" in card


def test_a_scenario_without_a_component_still_shows_the_escalation_path_and_why(
    client_as, project, ops, support, runbook
):
    scenario = ScenarioFactory(project=project, runbook=runbook, component=None)
    card = _card(_body(client_as(ops).get(_url("runbooks:detail", project, runbook.pk))), scenario)
    assert "names no component" in card
    assert card.count('data-testid="escalation-call"') == 3
    assert 'data-testid="owner-call"' not in card


def test_in_hypercare_the_hypercare_path_is_the_one_to_call(client_as, project, ops, api, runbook):
    Project.objects.filter(pk=project.pk).update(phase=Phase.HYPERCARE)
    scenario = ScenarioFactory(project=project, runbook=runbook, component=api)
    card = _card(_body(client_as(ops).get(_url("runbooks:detail", project, runbook.pk))), scenario)
    assert card.count('data-testid="escalation-call"') == 1  # the one hypercare level
    assert "Hypercare level 1" in card


def test_hostile_markdown_is_shown_harmless(client_as, project, ops, runbook):
    scenario = ScenarioFactory(
        project=project,
        runbook=runbook,
        symptoms='<script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror="x()">',
    )
    card = _card(_body(client_as(ops).get(_url("runbooks:detail", project, runbook.pk))), scenario)
    assert "<script>" not in card
    assert "<img" not in card  # shown as text: &lt;img …
    assert 'href="javascript:' not in card


def test_missing_parts_show_as_not_written_and_the_last_walkthrough_is_shown(
    client_as, project, lead, ops, runbook
):
    bare = ScenarioFactory(project=project, runbook=runbook, normal="", problem="")
    walked = ScenarioFactory(project=project, runbook=runbook)
    WalkthroughFactory(
        project=project,
        scenario=walked,
        held_on=timezone.localdate() - dt.timedelta(days=40),
        outcome=Outcome.WORKED,
    )
    WalkthroughFactory(
        project=project,
        scenario=walked,
        held_on=timezone.localdate() - dt.timedelta(days=2),
        outcome=Outcome.FAILED,
        recorded_by=ops,
    )
    page = _body(client_as(ops).get(_url("runbooks:detail", project, runbook.pk)))
    assert _card(page, bare).count("Not written yet.") == 2
    assert 'data-testid="never-walked"' in _card(page, bare)
    latest = _card(page, walked)
    assert ">Failed</span>" in latest
    assert f"recorded by {ops.display_name}" in latest
    assert "Worked</span>" not in latest  # only the last one


@pytest.mark.parametrize(
    ("persona", "edits", "walks"),
    [
        ("lead", True, True),
        ("contributor", True, False),
        ("ops", False, True),
        ("viewer", False, False),
    ],
)
def test_each_role_sees_the_actions_it_may_take(
    request, client_as, project, runbook, persona, edits, walks
):
    scenario = ScenarioFactory(project=project, runbook=runbook)
    user = request.getfixturevalue(persona)
    page = _body(client_as(user).get(_url("runbooks:detail", project, runbook.pk)))
    assert (_url("runbooks:scenario-edit", project, scenario.pk) in page) is edits
    assert (_url("runbooks:edit", project, runbook.pk) in page) is edits
    assert (_url("runbooks:walkthrough-record", project, scenario.pk) in page) is walks
    # Everyone can take the runbook away: as Markdown or on paper.
    assert _url("runbooks:export-markdown", project, runbook.pk) in page
    assert _url("runbooks:print", project, runbook.pk) in page


# 2. The list and the search -----------------------------------------------------------


def test_the_list_shows_each_runbook_with_its_state_owner_review_date_and_scenarios(
    client_as, project, lead, viewer
):
    fresh = RunbookFactory(project=project, title="Fresh runbook")
    ScenarioFactory.create_batch(2, project=project, runbook=fresh)
    RunbookFactory(
        project=project,
        title="Old runbook",
        status=RunbookStatus.DRAFT,
        review_by=timezone.localdate() - dt.timedelta(days=1),
    )
    page = _body(client_as(viewer).get(_url("runbooks:list", project)))
    rows = page.split('<tr id="runbook-')[1:]
    fresh_row, old_row = (r for title in ("Fresh", "Old") for r in rows if f"{title} runbook" in r)
    assert "Published" in fresh_row
    assert 'data-testid="stale"' not in fresh_row
    assert '<td data-label="Scenarios" class="text-end">2</td>' in fresh_row
    assert "Draft" in old_row
    assert 'data-testid="stale"' in old_row
    assert lead.display_name in old_row
    # The gate says what is missing: here, the stale draft.
    assert "“Old runbook” is a draft" in page


@pytest.fixture
def findable(project, runbook):
    ledger = ComponentFactory(project=project, name="Ledger DB")
    lag = ScenarioFactory(
        project=project,
        runbook=runbook,
        title="Replication lag",
        symptoms="Balances are **stale** for minutes.",
        component=ledger,
        alert_names="LedgerReplicationLag",
    )
    errors = ScenarioFactory(
        project=project,
        runbook=runbook,
        title="Checkout fails",
        symptoms="Customers see HTTP 502.",
        alert_names="PaymentsApi5xx",
    )
    elsewhere = ScenarioFactory(title="Replication lag elsewhere", symptoms="Balances are stale.")
    return lag, errors, elsewhere


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("STALE", "lag"),  # a symptom, whatever its case
        ("ledgerreplication", "lag"),  # an alert name, in part
        ("ledger db", "lag"),  # its component
        ("502", "errors"),
        ("PaymentsApi5xx", "errors"),
        ("checkout", "errors"),  # its title
    ],
)
def test_a_scenario_is_found_by_symptom_alert_or_component(
    client_as, project, ops, findable, query, found
):
    lag, errors, _elsewhere = findable
    page = client_as(ops).get(_url("runbooks:list", project), {"q": query})
    assert page.status_code == 200
    expected = {"lag": lag, "errors": errors}[found]
    hits = re.findall(r'href="([^"]+)" data-testid="search-hit"', _body(page))
    assert hits == [
        f"{_url('runbooks:detail', project, expected.runbook_id)}#scenario-{expected.pk}"
    ]


def test_a_search_with_no_match_says_so_and_never_shows_another_transition(
    client_as, project, ops, findable
):
    page = _body(client_as(ops).get(_url("runbooks:list", project), {"q": "elsewhere"}))
    assert 'data-testid="no-match"' in page
    assert 'data-testid="search-hit"' not in page


def test_an_overlong_search_is_a_form_error(client_as, project, ops, findable):
    page = client_as(ops).get(_url("runbooks:list", project), {"q": "x" * 101})
    assert page.status_code == 400
    assert 'id="scenario-q-error"' in _body(page)


# 3. Query budgets ---------------------------------------------------------------------

# Every page starts with 3 queries: the session, its user, and the project with its
# summary and the user's role (access_for). The reading view then reads the runbook,
# its scenarios (each with its last walkthrough's id), those walkthroughs with who
# recorded them, and the support model once for the page: tiers, the components'
# cells with their teams and their members, the catch-all with its members, the levels
# with their teams and people and their teams' members, the member ids.
DETAIL_QUERIES = 14
# 3 + the runbooks with their scenario counts + the gate (runbooks, scenarios, critical
# components) + the search.
LIST_QUERIES = 8


def _scale(project: Project, runbook: Runbook, n: int, support: dict, by) -> None:
    components = list(support["components"]) + [ComponentFactory(project=project) for _ in range(3)]
    for i in range(n):
        scenario = ScenarioFactory(
            project=project,
            runbook=runbook,
            component=components[i % len(components)],
            symptoms=f"Symptom {i} with a **stale** balance.",
            alert_names=f"Alert{i}",
        )
        if i % 2:
            WalkthroughFactory(project=project, scenario=scenario, recorded_by=by)


@pytest.mark.parametrize("n", [3, 30])
def test_the_reading_view_costs_the_same_queries_with_3_or_30_scenarios(
    client_as, django_assert_max_num_queries, project, lead, ops, support, runbook, n
):
    _scale(project, runbook, n, support, ops)
    client = client_as(ops)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        page = client.get(_url("runbooks:detail", project, runbook.pk))
    assert page.status_code == 200
    body = _body(page)
    assert body.count('data-testid="who-to-call"') == n
    assert body.count('data-testid="outcome"') == n // 2


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_and_its_search_cost_the_same_queries_with_3_or_30_runbooks(
    client_as, django_assert_max_num_queries, project, lead, ops, support, n
):
    for _ in range(n):
        _scale(project, RunbookFactory(project=project), 2, support, ops)
    client = client_as(ops)
    with django_assert_max_num_queries(LIST_QUERIES):
        page = client.get(_url("runbooks:list", project), {"q": "stale"})
    assert page.status_code == 200
    assert _body(page).count('data-testid="search-hit"') == min(2 * n, SEARCH_LIMIT)


# 4. Walkthroughs ----------------------------------------------------------------------


def _walkthrough(scenario: Scenario, *people, **changes) -> dict:
    return {
        "held_on": timezone.localdate().isoformat(),
        "kind": "game_day",
        "participants": [p.pk for p in people],
        "outcome": "worked_with_changes",
        "gaps_found": "The dashboard link was dead.",
        "follow_ups": "Fix the dashboard link\n\n  Add the rollback command  \n",
        **changes,
    }


def test_the_walkthrough_form_starts_today_with_the_members_to_tick(
    client_as, project, lead, ops, viewer, runbook
):
    scenario = ScenarioFactory(project=project, runbook=runbook)
    page = client_as(ops).get(_url("runbooks:walkthrough-record", project, scenario.pk))
    assert page.status_code == 200
    body = _body(page)
    assert f'value="{timezone.localdate().isoformat()}"' in body
    for member in (lead, ops, viewer):
        assert f'value="{member.pk}"' in body
    assert 'type="checkbox"' in body


def test_recording_a_walkthrough_keeps_the_evidence_and_creates_the_follow_up_tasks(
    client_as, project, lead, ops, runbook
):
    scenario = ScenarioFactory(project=project, runbook=runbook, title="Checkout fails")
    client = client_as(ops)
    response = client.post(
        _url("runbooks:walkthrough-record", project, scenario.pk),
        _walkthrough(scenario, ops, lead),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#scenario-{scenario.pk}")
    walkthrough = Walkthrough.objects.get(scenario=scenario)
    assert walkthrough.recorded_by == ops
    assert walkthrough.kind == "game_day"
    assert set(walkthrough.participants.all()) == {ops, lead}
    assert walkthrough.scenario_snapshot["title"] == "Checkout fails"
    tasks = Task.objects.filter(project=project, area=Task.Area.RUNBOOK).order_by("pk")
    assert [t.title for t in tasks] == ["Fix the dashboard link", "Add the rollback command"]
    assert {t.owner for t in tasks} == {runbook.owner}
    page = client.get(response["Location"])
    assert "2 follow-up tasks added" in _body(page)
    assert "Worked with changes" in _card(_body(page), scenario)


def _nothing_written(project: Project) -> tuple[int, int]:
    return Walkthrough.objects.count(), Task.objects.filter(project=project).count()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            {"held_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()},
            "this date is ahead",
        ),
        ({"participants": []}, "Name who took part."),
        ({"outcome": "great"}, "Select a valid choice"),
        ({"held_on": "yesterday"}, "Enter a valid date"),
        (
            {"follow_ups": "\n".join(f"Task {n}" for n in range(MAX_FOLLOW_UPS + 1))},
            f"At most {MAX_FOLLOW_UPS} follow-up tasks",
        ),
        ({"follow_ups": "x" * 201}, "line 1 is longer"),
    ],
)
def test_a_bad_walkthrough_is_refused_with_why_and_writes_nothing(
    client_as, project, ops, runbook, changes, error
):
    scenario = ScenarioFactory(project=project, runbook=runbook)
    before = _nothing_written(project)
    response = client_as(ops).post(
        _url("runbooks:walkthrough-record", project, scenario.pk),
        _walkthrough(scenario, ops, **changes),
    )
    assert response.status_code == 400
    assert any(error in e for e in _form_errors(response)), _form_errors(response)
    assert _nothing_written(project) == before


def test_a_participant_from_outside_the_transition_is_refused(
    client_as, project, ops, outsider, runbook
):
    scenario = ScenarioFactory(project=project, runbook=runbook)
    before = _nothing_written(project)
    response = client_as(ops).post(
        _url("runbooks:walkthrough-record", project, scenario.pk),
        _walkthrough(scenario, ops, outsider),
    )
    assert response.status_code == 400
    assert _nothing_written(project) == before


# 5. The editors -----------------------------------------------------------------------


def _runbook_data(project: Project, **changes) -> dict:
    return {
        "title": "Ledger runbook",
        "component": "",
        "owner": project.lead_id,
        "review_by": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "status": "draft",
        "summary": "The ledger and its replicas.",
        **changes,
    }


def test_writing_a_runbook_goes_to_its_page_to_add_scenarios(client_as, project, contributor):
    response = client_as(contributor).post(_url("runbooks:create", project), _runbook_data(project))
    runbook = Runbook.objects.get(project=project, title="Ledger runbook")
    assert response.status_code == 302
    assert response["Location"] == _url("runbooks:detail", project, runbook.pk)
    assert runbook.history.first().history_user == contributor


def test_the_runbook_form_offers_only_this_transition_s_components_and_members(
    client_as, project, lead, outsider
):
    other = ComponentFactory(name="Not ours")
    response = client_as(lead).post(
        _url("runbooks:create", project),
        _runbook_data(project, component=other.pk, owner=outsider.pk),
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"component", "owner"}
    assert not Runbook.objects.exists()


def test_a_stale_runbook_edit_is_refused_with_what_changed_and_nothing_written(
    client_as, project, lead, contributor, runbook
):
    read = version_of(runbook)
    client_as(lead).post(
        _url("runbooks:edit", project, runbook.pk),
        _runbook_data(project, title="Payments (lead's)", version=read, status="published"),
    )
    response = client_as(contributor).post(
        _url("runbooks:edit", project, runbook.pk),
        _runbook_data(project, title="Payments (contributor's)", version=read, status="published"),
    )
    assert response.status_code == 409
    assert any("Payments (lead's)" in e for e in _form_errors(response))
    assert Runbook.objects.get(pk=runbook.pk).title == "Payments (lead's)"


def _scenario_data(**changes) -> dict:
    return {
        "title": "Refunds stall",
        "component": "",
        "symptoms": "Refunds stay pending.",
        "normal": "Refunds settle within a minute.",
        "problem": "Refunds pending for over 10 minutes.",
        "first_checks": "",
        "diagnosis": "",
        "resolution": "Drain the queue.",
        "rollback": "",
        "alert_names": "RefundQueueStuck",
        **changes,
    }


def test_adding_a_scenario_puts_it_last_and_goes_to_it(client_as, project, contributor, runbook):
    first = ScenarioFactory(project=project, runbook=runbook)
    response = client_as(contributor).post(
        _url("runbooks:scenario-create", project, runbook.pk), _scenario_data()
    )
    added = Scenario.objects.get(title="Refunds stall")
    assert response["Location"].endswith(f"#scenario-{added.pk}")
    assert added.position > first.position
    assert added.runbook == runbook


def test_the_scenario_form_puts_normal_and_problem_side_by_side(client_as, project, lead, runbook):
    page = _body(client_as(lead).get(_url("runbooks:scenario-create", project, runbook.pk)))
    normal, problem = page.index('name="normal"'), page.index('name="problem"')
    between = page[normal:problem]
    assert "col-md-6" in between  # the problem's column opens after normal's


def test_a_stale_scenario_edit_is_refused_with_409_and_nothing_written(
    client_as, project, lead, contributor, runbook
):
    scenario = ScenarioFactory(project=project, runbook=runbook, title="Old title")
    read = version_of(scenario)
    url = _url("runbooks:scenario-edit", project, scenario.pk)
    assert (
        client_as(lead).post(url, _scenario_data(title="Lead's", version=read)).status_code == 302
    )
    response = client_as(contributor).post(url, _scenario_data(title="Mine", version=read))
    assert response.status_code == 409
    assert Scenario.objects.get(pk=scenario.pk).title == "Lead's"


def test_a_scenario_edit_without_a_version_is_refused(client_as, project, lead, runbook):
    scenario = ScenarioFactory(project=project, runbook=runbook, title="Old title")
    response = client_as(lead).post(
        _url("runbooks:scenario-edit", project, scenario.pk), _scenario_data(title="New")
    )
    assert response.status_code == 400
    assert Scenario.objects.get(pk=scenario.pk).title == "Old title"


def test_moving_a_scenario_swaps_it_with_its_neighbour(client_as, project, lead, runbook):
    first, second = ScenarioFactory.create_batch(2, project=project, runbook=runbook)
    response = client_as(lead).post(
        _url("runbooks:scenario-move", project, second.pk), {"direction": "up"}
    )
    assert response["Location"].endswith(f"#scenario-{second.pk}")
    assert list(Scenario.objects.filter(runbook=runbook)) == [second, first]


def test_a_bad_direction_moves_nothing_and_says_why(client_as, project, lead, runbook):
    first, second = ScenarioFactory.create_batch(2, project=project, runbook=runbook)
    response = client_as(lead).post(
        _url("runbooks:scenario-move", project, second.pk), {"direction": "sideways"}, follow=True
    )
    assert "Move a scenario up or down." in _messages(response)
    assert list(Scenario.objects.filter(runbook=runbook)) == [first, second]


def test_a_rehearsed_runbook_or_scenario_cannot_be_deleted_and_the_page_says_why(
    client_as, project, lead, runbook
):
    walked = WalkthroughFactory(project=project, scenario__runbook=runbook).scenario
    client = client_as(lead)
    response = client.post(_url("runbooks:delete", project, runbook.pk), follow=True)
    assert any("walkthroughs are evidence" in m for m in _messages(response))
    response = client.post(_url("runbooks:scenario-delete", project, walked.pk), follow=True)
    assert any("walkthroughs are evidence" in m for m in _messages(response))
    assert Runbook.objects.filter(pk=runbook.pk).exists()
    assert Scenario.objects.filter(pk=walked.pk).exists()


def test_deleting_a_runbook_takes_its_scenarios(client_as, project, lead, runbook):
    ScenarioFactory.create_batch(2, project=project, runbook=runbook)
    response = client_as(lead).post(_url("runbooks:delete", project, runbook.pk))
    assert response["Location"] == _url("runbooks:list", project)
    assert not Scenario.objects.filter(project=project).exists()


def test_another_transition_s_runbook_is_not_found_through_this_one(client_as, project, lead):
    theirs = ScenarioFactory()
    client = client_as(lead)
    assert client.get(_url("runbooks:detail", project, theirs.runbook_id)).status_code == 404
    assert client.get(_url("runbooks:scenario-edit", project, theirs.pk)).status_code == 404
    assert client.post(_url("runbooks:scenario-delete", project, theirs.pk)).status_code == 404
    assert Scenario.objects.filter(pk=theirs.pk).exists()
