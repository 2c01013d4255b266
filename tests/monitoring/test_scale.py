"""seed_scale's monitoring: an inventory for every transition named after its runbook's
scenarios, proven through the webhook as the receiver records it, gaps where the phase
makes them likely, and a few statements whatever the number of transitions."""

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

from apps.monitoring import readiness, sources
from apps.monitoring import scale as monitoring_scale
from apps.monitoring.models import (
    Alert,
    AlertEvent,
    Dashboard,
    DashboardCheck,
    Delivery,
    Integration,
    Severity,
    State,
    Verification,
    VerificationKind,
)
from apps.projects import gates, scale, summary
from apps.projects.models import Membership, Phase, Project, Role
from apps.runbooks import scale as runbooks_scale
from apps.runbooks.models import Scenario

pytestmark = pytest.mark.django_db

TRACKED = (Integration, Alert, Dashboard)
EVIDENCE = (DashboardCheck, Delivery, AlertEvent, Verification)
LIVE = (Phase.HYPERCARE, Phase.BAU)


def generate(transitions: int, **options):
    return scale.generate(
        transitions=transitions, today=timezone.localdate(), now=timezone.now(), **options
    )


def test_it_is_registered_after_the_runbooks_generator():
    generators = list(scale.GENERATORS)
    assert generators.index(monitoring_scale.generate) > generators.index(runbooks_scale.generate)


def test_every_transition_gets_an_inventory_of_its_scenarios_alerts_a_heartbeat_and_dashboards():
    generate(20)

    ops = set(Membership.objects.filter(role=Role.OPS).values_list("project_id", "user_id"))
    for project in Project.objects.all():
        alerts = list(Alert.objects.filter(project=project))
        named = {n for s in Scenario.objects.filter(project=project) for n in s.alerts}
        assert named <= {a.name for a in alerts}, project.name
        assert [a.name for a in alerts if a.is_heartbeat] == ["Watchdog"]
        assert any(a.severity == Severity.CRITICAL for a in alerts), project.name
        assert any(a.severity == Severity.MEDIUM for a in alerts), project.name
        assert Integration.objects.filter(project=project).count() == 1
        dashboards = Dashboard.objects.filter(project=project)
        assert dashboards.count() == 2
        for dashboard in dashboards:
            assert (project.pk, dashboard.owner_id) in ops
    for check in DashboardCheck.objects.select_related("dashboard"):
        assert (check.project_id, check.checked_by_id) in ops
        assert check.url == check.dashboard.url
        assert check.project_id == check.dashboard.project_id
    for model in TRACKED:
        assert model.history.filter(history_type="+").count() == model.objects.count()
    tokens = list(Integration.objects.values_list("token", flat=True))
    assert len(set(tokens)) == len(tokens)


def test_webhook_verifications_are_pairs_of_events_as_the_receiver_records_them():
    generate(20)
    now = timezone.now()

    webhook = Verification.objects.filter(kind=VerificationKind.WEBHOOK).select_related(
        "alert", "firing_event__delivery", "resolved_event__delivery"
    )
    assert webhook.exists()
    for verification in webhook:
        firing, resolved = verification.firing_event, verification.resolved_event
        assert verification.proves(verification.alert)
        assert (firing.state, resolved.state) == (State.FIRING, State.RESOLVED)
        assert (firing.dedup_key, firing.episode) == (resolved.dedup_key, resolved.episode)
        assert firing.received_at <= resolved.received_at == verification.verified_at < now
        assert firing.alert_key == verification.alert.name
        for event in (firing, resolved):
            assert event.project_id == verification.project_id
            assert event.integration.project_id == event.project_id
            # The event is what the receiver makes of the body kept as evidence.
            (note,) = sources.parse("alertmanager", event.delivery.body.encode()).notifications
            assert (note.dedup_key, note.episode, note.state) == (
                event.dedup_key,
                event.episode,
                event.state,
            )
            assert note.labels == event.labels
    ops = set(Membership.objects.filter(role=Role.OPS).values_list("project_id", "user_id"))
    manual = Verification.objects.filter(kind=VerificationKind.MANUAL)
    assert manual.exists()
    for verification in manual:
        assert (verification.project_id, verification.verified_by_id) in ops
        assert verification.evidence


def test_live_monitoring_tends_to_pass_and_planning_to_fail():
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
    for expected in (
        "has not been seen firing and resolving",
        "has not been confirmed live",
        "has not been verified",
    ):
        assert any(expected in s for s in sentences), expected


def test_each_gap_kind_is_made_when_a_live_transition_draws_it(monkeypatch):
    monkeypatch.setattr(monitoring_scale, "LIVE_GAP_CHANCE", 1.0)
    generate(60, phase=Phase.HYPERCARE)
    today = timezone.localdate()

    results = readiness.assess_many(list(Project.objects.all()), today=today)
    sentences = [f.sentence for r in results.values() for f in r.findings]
    for expected in (
        "has not been seen firing and resolving",  # unverified
        f"more than {readiness.fresh_days()} days ago: verify it again",  # stale
        "has not been confirmed live",  # unconfirmed
        "sends the engineer to no runbook scenario",  # uncovered
        "Monitoring pipeline silent",  # silent
    ):
        assert any(expected in s for s in sentences), expected


def test_summaries_include_the_monitoring_gate_as_compute_gives_it(monkeypatch):
    """The generators run before the summaries: with the monitoring gate registered,
    every stored summary is what `summary.compute` gives."""
    if not any(gate.key == readiness.KEY for gate in gates.GATES):
        monitoring = gates.Gate(
            readiness.KEY, readiness.TITLE, readiness.assess, readiness.assess_many
        )
        monkeypatch.setattr(gates, "GATES", (*gates.GATES, monitoring))
    generate(20)

    today = timezone.localdate()
    for project in Project.objects.select_related("summary"):
        assert _plain(project.summary) == _plain(summary.compute(project, today=today))
        assert readiness.KEY in [g["key"] for g in project.summary.gates]


def _plain(row) -> dict:
    return json.loads(json.dumps(model_to_dict(row), default=str))


def _statements(captured: CaptureQueriesContext) -> Counter[tuple[str, str]]:
    """(verb, table) of each statement on a monitoring table."""
    found: Counter[tuple[str, str]] = Counter()
    for query in captured.captured_queries:
        sql = query["sql"]
        tables = re.findall(r'"(monitoring_\w+)"', sql)
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
    return [*TRACKED, *(m.history.model for m in TRACKED), *EVIDENCE]


def _rows() -> dict[str, int]:
    return {m._meta.db_table: m._default_manager.count() for m in _tables()}


def test_monitoring_rows_take_a_few_statements_whatever_the_number_of_transitions():
    runs = []
    # Both runs have transitions in hypercare, whose heartbeats the gate reads (one more
    # query, whatever their number).
    for size in (20, 60):
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
