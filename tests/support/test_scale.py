"""seed_scale's support models: one for every transition, rows that respect the rules,
gaps where the phase makes them likely, and a few statements whatever the number."""

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
from apps.projects.models import Membership, Phase, Project
from apps.support import gaps, readiness
from apps.support.models import (
    Component,
    EscalationLevel,
    Ownership,
    Path,
    SupportSettings,
    SupportTeam,
    Tier,
)

pytestmark = pytest.mark.django_db

MODELS = (Component, Tier, SupportTeam, Ownership, EscalationLevel, SupportSettings)


def generate(transitions: int, **options):
    return scale.generate(
        transitions=transitions, today=timezone.localdate(), now=timezone.now(), **options
    )


def blocking(facts: gaps.SupportFacts) -> set[str]:
    return {g.rule for g in gaps.find(facts) if g.blocking}


def test_every_transition_gets_a_support_model():
    generate(20)

    for project in Project.objects.all():
        assert 4 <= Component.objects.filter(project=project).count() <= 6, project.name
        assert Tier.objects.filter(project=project).count() == 3
        assert 3 <= SupportTeam.objects.filter(project=project).count() <= 4
        standard = EscalationLevel.objects.filter(project=project, path=Path.STANDARD)
        assert list(standard.values_list("position", flat=True)) == [1, 2, 3]
        assert Ownership.objects.filter(project=project).exists()
    for model in MODELS:
        assert model.history.filter(history_type="+").count() == model.objects.count()


def test_rows_stay_within_their_transition_and_name_only_its_members():
    generate(20)

    members = set(Membership.objects.values_list("project_id", "user_id"))
    team_members = SupportTeam.members.through.objects.values_list(
        "supportteam__project_id", "user_id"
    )
    assert team_members.exists()
    assert set(team_members) <= members
    persons = EscalationLevel.objects.filter(person__isnull=False)
    assert persons.exists()
    assert set(persons.values_list("project_id", "person_id")) <= members
    for cell in Ownership.objects.select_related("component", "tier", "team"):
        assert cell.project_id == cell.component.project_id == cell.tier.project_id
        assert cell.team.project_id == cell.project_id
    for settings in SupportSettings.objects.select_related("catch_all"):
        assert settings.catch_all.project_id == settings.project_id


def test_live_transitions_tend_to_pass_and_planning_ones_to_have_gaps():
    generate(40)

    facts = readiness.facts_for_many(Project.objects.values_list("pk", flat=True))
    passed: dict[str, list[bool]] = {}
    for project in Project.objects.all():
        passed.setdefault(project.phase, []).append(not blocking(facts[project.pk]))
    live = passed[Phase.HYPERCARE] + passed[Phase.BAU]
    assert sum(live) / len(live) > 0.6
    assert sum(passed[Phase.PLANNING]) / len(passed[Phase.PLANNING]) < 0.4
    # Every kind of gap the generator makes shows somewhere, and most models have a
    # catch-all owner and most components are owned at every tier.
    seen = set().union(*(blocking(f) for f in facts.values()))
    assert {"unowned", "no_24x7", "no_scope", "no_catch_all", "no_p1_target"} <= seen
    assert SupportSettings.objects.count() > Project.objects.count() / 2
    components = Component.objects.count()
    assert Ownership.objects.count() > 0.8 * 3 * components


def test_summaries_include_the_support_gate_as_compute_gives_it(monkeypatch):
    """The generators run before the summaries: with the support gate registered, every
    stored summary is what `summary.compute` gives."""
    if not any(gate.key == readiness.KEY for gate in gates.GATES):
        support = gates.Gate(
            readiness.KEY, readiness.TITLE, readiness.assess, readiness.assess_many
        )
        monkeypatch.setattr(gates, "GATES", (*gates.GATES, support))
    generate(20)

    today = timezone.localdate()
    ready = Counter()
    for project in Project.objects.select_related("summary"):
        stored = _plain(project.summary)
        assert stored == _plain(summary.compute(project, today=today)), project.name
        keys = [g["key"] for g in project.summary.gates]
        assert readiness.KEY in keys
        ready[project.summary.ready] += 1
    assert ready[False] > 0


def _plain(row) -> dict:
    """The row's fields as JSON would store them (tuples as lists, dates as text)."""
    return json.loads(json.dumps(model_to_dict(row), default=str))


def _support_statements(captured: CaptureQueriesContext) -> Counter[tuple[str, str]]:
    """(verb, table) of each statement on a support table."""
    found: Counter[tuple[str, str]] = Counter()
    for query in captured.captured_queries:
        sql = query["sql"]
        tables = re.findall(r'"(support_\w+)"', sql)
        if tables:
            found[sql.split(None, 1)[0].upper(), tables[0]] += 1
    return found


def _statements_needed(model, rows: int) -> int:
    """How many INSERTs a bulk insert of `rows` rows of `model` takes on this database
    (one, unless the database caps the parameters of a statement, as SQLite does)."""
    if rows == 0:
        return 0
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField)]
    batch = max(connection.ops.bulk_batch_size(fields, [None] * rows), 1)
    return math.ceil(rows / batch)


def _tables():
    return [*MODELS, *(m.history.model for m in MODELS), SupportTeam.members.through]


def _rows() -> dict[str, int]:
    return {m._meta.db_table: m._default_manager.count() for m in _tables()}


def test_support_rows_take_a_few_statements_whatever_the_number_of_transitions():
    """One INSERT per table (and its history), split only in the batches the database's
    parameter limit needs; nothing is read or written once per transition."""
    runs = []
    for size in (5, 20):
        before = _rows()
        with CaptureQueriesContext(connection) as captured:
            generate(size)
        after = _rows()
        runs.append(_support_statements(captured))
        inserts = {table: n for (verb, table), n in runs[-1].items() if verb == "INSERT"}
        needed = {
            m._meta.db_table: _statements_needed(m, after[t] - before[t])
            for m in _tables()
            if after[t := m._meta.db_table] > before[t]
        }
        assert inserts == needed, size
    small, big = runs
    # What is not an INSERT (the gate's reads, when it is registered) does not grow.
    assert {k: n for k, n in small.items() if k[0] != "INSERT"} == {
        k: n for k, n in big.items() if k[0] != "INSERT"
    }
    assert set(small) == set(big)
    if connection.features.max_query_params is None:
        assert sum(small.values()) == sum(big.values())
