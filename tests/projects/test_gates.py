"""The gate registry, the transition's own gate and the verdict they compose into."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.readiness import Finding, GateResult, percent
from apps.projects import gates, readiness, summary
from apps.projects.readiness import AcceptanceFacts
from tests import factories


@pytest.mark.parametrize(
    ("facts", "passed", "score", "sentences"),
    [
        (AcceptanceFacts(3, 3, 4, 0), True, 100, []),
        (
            AcceptanceFacts(0, 0, 0, 0),
            False,
            0,
            ["No acceptance criteria are defined: operations has nothing to sign off."],
        ),
        (
            AcceptanceFacts(4, 1, 0, 0),
            False,
            25,
            ["3 of 4 acceptance criteria await operations' sign-off."],
        ),
        (
            AcceptanceFacts(2, 2, 2, 1),
            False,
            75,
            ["1 of 2 tasks due by go-live are not done."],
        ),
    ],
)
def test_the_acceptance_gate_is_a_pure_rule(facts, passed, score, sentences):
    result = readiness.evaluate(facts, url="/p/1/")
    assert result.passed is passed
    assert result.score == score
    assert [f.sentence for f in result.findings] == sentences
    assert all(f.url.startswith("/p/1/#") for f in result.findings)


def test_the_verdict_is_blocked_while_any_gate_has_a_blocking_finding():
    ready = GateResult("a", "A", passed=True, score=100)
    blocked = GateResult("b", "B", passed=False, score=40, findings=(Finding("Fix it."),))
    assert gates.verdict([ready]) == gates.READY
    assert gates.verdict([ready, blocked]) == gates.BLOCKED
    assert gates.score([ready, blocked]) == 70
    assert gates.score([]) == 100


def test_a_gate_result_survives_the_trip_through_the_summary_row():
    result = GateResult("a", "A", passed=False, score=40, findings=(Finding("Fix.", "/x", True),))
    assert GateResult.from_dict(result.as_dict()) == result


def test_percent_of_nothing_is_complete():
    assert percent(0, 0) == 100
    assert percent(1, 3) == 33


@pytest.mark.django_db
def test_every_registered_gate_assesses_a_transition(project):
    results = gates.assess_all(project, today=timezone.localdate())
    assert [r.key for r in results] == [g.key for g in gates.GATES]
    assert results[0].key == readiness.KEY


@pytest.mark.django_db
def test_tasks_due_after_go_live_do_not_block_it(project):
    go_live = project.go_live_date
    factories.CriterionFactory(project=project)
    factories.TaskFactory(project=project, due_date=go_live + dt.timedelta(days=5))
    factories.TaskFactory(project=project, due_date=go_live - dt.timedelta(days=5))
    facts = readiness.facts_for(project)
    assert (facts.tasks_before_go_live, facts.tasks_before_go_live_open) == (1, 1)
    assert (facts.criteria_total, facts.criteria_signed) == (1, 0)


@pytest.mark.django_db
def test_the_transition_page_shows_the_gates_findings(client_as, lead, project):
    factories.CriterionFactory(project=project)
    response = client_as(lead).get(reverse("projects:detail", args=[project.pk]))
    results = response.context["gate_results"]
    assert results == summary.gate_results(project.summary)
    assert not results[0].passed
    assert [f.sentence for f in results[0].findings] == [
        "1 of 1 acceptance criteria await operations' sign-off."
    ]
