"""The "Monitoring" gate: pure rule tables, then its facts read from the database."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.monitoring import readiness, services
from apps.monitoring.models import Alert, Dashboard, Severity
from apps.monitoring.readiness import AlertFact, DashboardFact, MonitoringFacts, evaluate

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
DAYS = 30
MINUTES = 30


def _alert(pk=1, name="PaymentsApiDown", severity="critical", verified_days_ago=1, **kw):
    verified = None if verified_days_ago is None else NOW - dt.timedelta(days=verified_days_ago)
    return AlertFact(pk, name, name, severity, verified_at=verified, **kw)


GOOD = MonitoringFacts(
    alerts=(_alert(),),
    dashboards=(DashboardFact(1, "Payments overview", True),),
    scenario_alerts=frozenset({"PaymentsApiDown"}),
)


def _result(facts):
    return evaluate(facts, now=NOW, fresh_days=DAYS, silent_minutes=MINUTES)


def _sentences(facts, blocking=True):
    return [f.sentence for f in _result(facts).findings if f.blocking is blocking]


def test_a_verified_linked_alert_and_a_confirmed_dashboard_pass():
    result = _result(GOOD)
    assert result.passed
    assert result.score == 100
    assert result.findings == ()


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            MonitoringFacts(),
            [
                "No alert is in the inventory: nothing says what operations will be told.",
                "No dashboard is listed for operations to watch.",
            ],
        ),
        (
            MonitoringFacts(
                alerts=(_alert(verified_days_ago=None),),
                dashboards=GOOD.dashboards,
                scenario_alerts=GOOD.scenario_alerts,
            ),
            [
                "Critical alert PaymentsApiDown has not been seen firing and resolving: send a "
                "test alert through the webhook, or record a manual verification."
            ],
        ),
        (
            MonitoringFacts(
                alerts=(_alert(verified_days_ago=None, verified_before=True),),
                dashboards=GOOD.dashboards,
                scenario_alerts=GOOD.scenario_alerts,
            ),
            [
                "Critical alert PaymentsApiDown was verified before it was last changed, not "
                "since: send a test alert through the webhook, or record a manual verification."
            ],
        ),
        (
            MonitoringFacts(
                alerts=(_alert(severity="high", verified_days_ago=31),),
                dashboards=GOOD.dashboards,
            ),
            [
                "High alert PaymentsApiDown was last verified on 28 Oct 2026, more than 30 days "
                "ago: verify it again."
            ],
        ),
        (
            MonitoringFacts(alerts=GOOD.alerts, dashboards=GOOD.dashboards),
            [
                "Critical alert PaymentsApiDown sends the engineer to no runbook scenario: name "
                "it in a scenario's alerts."
            ],
        ),
        (
            MonitoringFacts(
                alerts=GOOD.alerts,
                dashboards=(DashboardFact(1, "Payments overview", False),),
                scenario_alerts=GOOD.scenario_alerts,
            ),
            ["Dashboard “Payments overview” has not been confirmed live at its current address."],
        ),
    ],
)
def test_each_rule_blocks_with_a_sentence_that_says_what_to_do(facts, expected):
    assert _sentences(facts) == expected
    assert not _result(facts).passed


def test_a_verification_exactly_at_the_limit_is_still_fresh():
    facts = MonitoringFacts(
        alerts=(_alert(verified_days_ago=DAYS),),
        dashboards=GOOD.dashboards,
        scenario_alerts=GOOD.scenario_alerts,
    )
    assert _result(facts).passed


def test_medium_and_low_alerts_need_no_proof_or_runbook_but_say_they_have_none():
    facts = MonitoringFacts(
        alerts=(
            *GOOD.alerts,
            _alert(2, "QueueSlow", "medium", None),
            _alert(3, "Info", "low", None),
        ),
        dashboards=GOOD.dashboards,
        scenario_alerts=GOOD.scenario_alerts,
    )
    result = _result(facts)
    assert result.passed
    assert _sentences(facts, blocking=False) == [
        "Medium alert QueueSlow has not been verified.",
        "Low alert Info has not been verified.",
    ]


@pytest.mark.parametrize(
    ("in_hypercare", "seen_minutes_ago", "silent"),
    [
        (True, None, True),
        (True, 31, True),
        (True, 30, False),
        (True, 1, False),
        (False, None, False),  # before go-live the pipeline is not watched yet
    ],
)
def test_a_silent_heartbeat_during_hypercare_says_the_pipeline_is_broken(
    in_hypercare, seen_minutes_ago, silent
):
    seen = None if seen_minutes_ago is None else NOW - dt.timedelta(minutes=seen_minutes_ago)
    facts = MonitoringFacts(
        alerts=(*GOOD.alerts, _alert(2, "Watchdog", "low", 1, is_heartbeat=True)),
        dashboards=GOOD.dashboards,
        scenario_alerts=GOOD.scenario_alerts,
        in_hypercare=in_hypercare,
        heartbeat_seen_at=seen,
    )
    advisories = _sentences(facts, blocking=False)
    assert (
        any(s.startswith("Monitoring pipeline silent: the heartbeat Watchdog") for s in advisories)
        is silent
    )
    assert _result(facts).passed  # it does not gate go-live


def test_the_score_counts_what_is_proven():
    facts = MonitoringFacts(
        alerts=(_alert(), _alert(2, "LedgerLag", "high", None)),
        dashboards=(DashboardFact(1, "A", True), DashboardFact(2, "B", False)),
        scenario_alerts=GOOD.scenario_alerts,
    )
    # Checks: an alert, a dashboard, 2 to verify, 1 critical linked, 2 dashboards = 7;
    # two fail (LedgerLag unverified, B unconfirmed).
    assert _result(facts).score == 71


@pytest.mark.django_db
def test_the_facts_of_any_number_of_transitions_take_a_fixed_number_of_queries(
    django_assert_num_queries, project, lead
):
    from tests import factories

    others = [factories.ProjectFactory(lead=lead) for _ in range(3)]
    for p in [project, *others]:
        services.alert_save(
            alert=Alert(project=p, name="Down", severity=Severity.CRITICAL), by=lead
        )
        services.dashboard_save(
            dashboard=Dashboard(
                project=p, title="Board", url="https://g.example.com/d/1", owner=lead
            ),
            by=lead,
        )
    with django_assert_num_queries(3):
        facts = readiness.facts_for_many([project])
    with django_assert_num_queries(3):
        many = readiness.facts_for_many([project, *others])
    assert facts[project.pk] == many[project.pk]
    assert [a.name for a in many[others[0].pk].alerts] == ["Down"]


@pytest.mark.django_db
def test_editing_an_alert_voids_its_verification_visibly(project, lead, ops):
    alert = services.alert_save(
        alert=Alert(project=project, name="Down", severity=Severity.CRITICAL), by=lead
    )
    services.verification_record(
        alert=alert, by=ops, evidence="Saw it fire and resolve.", now=timezone.now()
    )
    assert readiness.facts_for_many([project])[project.pk].alerts[0].verified_at is not None
    alert.matchers = "env=prod"
    services.alert_save(alert=alert, by=lead)
    fact = readiness.facts_for_many([project])[project.pk].alerts[0]
    assert fact.verified_at is None
    assert fact.verified_before
