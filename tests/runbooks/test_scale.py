"""seed_scale's runbooks: one for every transition, on its own components, rehearsed by
its own operations members, gaps where the phase makes them likely, and a few
statements whatever the number of transitions."""

import json
import math
import re
from collections import Counter

import pytest
from django.db import connection
from django.db.models import AutoField
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.projects import gates, scale, summary
from apps.projects.models import CLOSED_PHASES, Membership, Phase, Project, Role
from apps.runbooks import readiness
from apps.runbooks import scale as runbooks_scale
from apps.runbooks.models import Outcome, Runbook, RunbookStatus, Scenario, Walkthrough
from apps.runbooks.services import snapshot
from apps.support import scale as support_scale

pytestmark = pytest.mark.django_db

MODELS = (Runbook, Scenario, Walkthrough)
LIVE = (Phase.HYPERCARE, Phase.BAU)


def generate(transitions: int, **options):
    return scale.generate(
        transitions=transitions, today=timezone.localdate(), now=timezone.now(), **options
    )


def test_it_is_registered_after_the_support_generator():
    generators = list(scale.GENERATORS)
    assert generators.index(runbooks_scale.generate) > generators.index(support_scale.generate)


def test_every_transition_gets_a_runbook_of_three_to_five_scenarios_on_its_components():
    generate(20)

    members = set(Membership.objects.values_list("project_id", "user_id"))
    for project in Project.objects.all():
        runbook = Runbook.objects.get(project=project)
        assert (project.pk, runbook.owner_id) in members
        scenarios = list(runbook.scenarios.select_related("component"))
        assert 3 <= len(scenarios) <= 5, project.name
        assert [s.position for s in scenarios] == list(range(1, len(scenarios) + 1))
        for scenario in scenarios:
            assert scenario.project_id == project.pk
            assert scenario.component.project_id == project.pk
            assert scenario.alerts, scenario.title
            assert "{" not in scenario.title + scenario.problem + scenario.alert_names
    for model in MODELS:
        assert model.history.filter(history_type="+").count() == model.objects.count()


def test_walkthroughs_are_by_the_transitions_operations_and_rehearse_what_the_scenario_says():
    generate(20)
    today = timezone.localdate()

    ops = set(Membership.objects.filter(role=Role.OPS).values_list("project_id", "user_id"))
    members = set(Membership.objects.values_list("project_id", "user_id"))
    walkthroughs = Walkthrough.objects.select_related("scenario").prefetch_related("participants")
    assert walkthroughs.exists()
    for walkthrough in walkthroughs:
        assert walkthrough.project_id == walkthrough.scenario.project_id
        assert (walkthrough.project_id, walkthrough.recorded_by_id) in ops
        assert walkthrough.held_on < today
        assert walkthrough.recorded_at.date() == walkthrough.held_on
        assert walkthrough.recorded_at <= timezone.now()
        people = {(walkthrough.project_id, u.pk) for u in walkthrough.participants.all()}
        assert people
        assert people <= members
        assert walkthrough.scenario_snapshot == snapshot(walkthrough.scenario)
    # Every scenario of a live transition was rehearsed; none of a planning one.
    for scenario in Scenario.objects.filter(project__phase__in=LIVE):
        assert scenario.walkthroughs.exists(), scenario.title
    assert not Walkthrough.objects.filter(project__phase=Phase.PLANNING).exists()


def test_live_runbooks_tend_to_pass_and_planning_ones_to_fail():
    generate(40)
    today = timezone.localdate()

    results = readiness.assess_many(list(Project.objects.all()), today=today)
    passed: dict[str, list[bool]] = {}
    for project in Project.objects.all():
        passed.setdefault(project.phase, []).append(results[project.pk].passed)
    live = passed[Phase.HYPERCARE] + passed[Phase.BAU]
    assert sum(live) / len(live) > 0.6
    assert sum(passed[Phase.PLANNING]) / len(passed[Phase.PLANNING]) < 0.4
    # Each kind of gap the generator makes shows somewhere.
    sentences = [f.sentence for r in results.values() for f in r.findings]
    for expected in ("was due for review", "lacks", "has no scenario", "is a draft"):
        assert any(expected in s for s in sentences), expected
    assert Walkthrough.objects.filter(outcome=Outcome.FAILED).exists()
    assert Runbook.objects.filter(status=RunbookStatus.PUBLISHED).exists()
    assert (
        Runbook.objects.filter(review_by__lt=today)
        .exclude(project__phase__in=CLOSED_PHASES)
        .exists()
    )  # hand-off items for the reminders


def test_summaries_include_the_runbooks_gate_as_compute_gives_it(monkeypatch):
    """The generators run before the summaries: with the runbooks gate registered, every
    stored summary is what `summary.compute` gives."""
    if not any(gate.key == readiness.KEY for gate in gates.GATES):
        runbooks = gates.Gate(
            readiness.KEY, readiness.TITLE, readiness.assess, readiness.assess_many
        )
        monkeypatch.setattr(gates, "GATES", (*gates.GATES, runbooks))
    generate(20)

    today = timezone.localdate()
    for project in Project.objects.select_related("summary"):
        assert _plain(project.summary) == _plain(summary.compute(project, today=today))
        assert readiness.KEY in [g["key"] for g in project.summary.gates]


def _plain(row) -> dict:
    return json.loads(json.dumps(model_to_dict(row), default=str))


def _statements(captured: CaptureQueriesContext) -> Counter[tuple[str, str]]:
    """(verb, table) of each statement on a runbooks table."""
    found: Counter[tuple[str, str]] = Counter()
    for query in captured.captured_queries:
        sql = query["sql"]
        tables = re.findall(r'"(runbooks_\w+)"', sql)
        if tables:
            found[sql.split(None, 1)[0].upper(), tables[0]] += 1
    return found


def _needed(model, rows: int) -> int:
    """INSERTs a bulk insert of `rows` rows takes (split only by the parameter limit)."""
    if rows == 0:
        return 0
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField)]
    return math.ceil(rows / max(connection.ops.bulk_batch_size(fields, [None] * rows), 1))


def _tables():
    return [*MODELS, *(m.history.model for m in MODELS), Walkthrough.participants.through]


def _rows() -> dict[str, int]:
    return {m._meta.db_table: m._default_manager.count() for m in _tables()}


def test_runbook_rows_take_a_few_statements_whatever_the_number_of_transitions():
    runs = []
    for size in (5, 20):
        before = _rows()
        with CaptureQueriesContext(connection) as captured:
            generate(size)
        after = _rows()
        runs.append(_statements(captured))
        inserts = {table: n for (verb, table), n in runs[-1].items() if verb == "INSERT"}
        needed = {
            m._meta.db_table: _needed(m, after[t] - before[t])
            for m in _tables()
            if after[t := m._meta.db_table] > before[t]
        }
        assert inserts == needed, size
    small, big = runs
    # The reads (the gate's, for the summaries) do not grow with the number either.
    assert {k: n for k, n in small.items() if k[0] != "INSERT"} == {
        k: n for k, n in big.items() if k[0] != "INSERT"
    }
