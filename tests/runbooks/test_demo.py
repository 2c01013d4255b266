"""The demo's runbooks: three transitions, three states, and a second run that changes
nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts import demo as accounts_demo
from apps.projects import demo as projects_demo
from apps.projects import services as project_services
from apps.projects.management.commands.seed_demo import SEEDERS
from apps.projects.models import Phase, Project, Role, Task
from apps.runbooks import demo, readiness
from apps.runbooks.models import Outcome, Runbook, RunbookStatus, Scenario, Walkthrough
from apps.support import demo as support_demo
from apps.support.models import Component, Criticality

pytestmark = pytest.mark.django_db

MODELS = (Runbook, Scenario, Walkthrough)


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    tally = {model.__name__: model.objects.count() for model in MODELS}
    tally.update({f"{m.__name__} history": m.history.count() for m in MODELS})
    tally["participants"] = Walkthrough.participants.through.objects.count()
    tally["Task"] = Task.objects.count()
    return tally


def project_of(plan: demo.TransitionRunbooks) -> Project:
    return Project.objects.get(name=plan.transition)


def blocking(project: Project) -> list[str]:
    result = readiness.assess(project, today=timezone.localdate())
    return [f.sentence for f in result.findings if f.blocking]


def test_the_seeder_runs_after_the_support_models_whose_components_it_names():
    order = [seed for _, seed in SEEDERS]
    assert order.index(demo.seed) == order.index(support_demo.seed) + 1


def test_the_plans_name_the_support_demos_transitions():
    assert {p.transition for p in demo.PLANS} == {p.transition for p in support_demo.PLANS}


def test_seeding_twice_creates_nothing_and_changes_nothing():
    first = seed_demo()
    before = counts()
    updated = {s.pk: s.updated_at for s in Scenario.objects.all()}

    second = seed_demo()

    assert before["Runbook"] == 1 + 2 + 1
    assert before["Scenario"] == 5 + 6 + 1
    assert counts() == before
    assert {s.pk: s.updated_at for s in Scenario.objects.all()} == updated
    for plan in demo.PLANS:
        runbook_lines = [line for line in first.splitlines() if "walkthroughs" in line]
        assert any(plan.transition in line and "(created)" in line for line in runbook_lines)
        again = next(
            line
            for line in second.splitlines()
            if plan.transition in line and "walkthroughs" in line
        )
        assert again.endswith("(already there)")


def test_the_identity_runbook_is_one_an_engineer_would_use_and_its_gate_passes():
    seed_demo()
    project = project_of(demo.IDENTITY)
    today = timezone.localdate()

    result = readiness.assess(project, today=today)
    assert result.passed, [f.sentence for f in result.findings]
    assert result.score == 100
    assert result.findings == ()
    runbook = Runbook.objects.get(project=project)
    assert runbook.status == RunbookStatus.PUBLISHED
    assert runbook.review_by > today
    assert runbook.owner.email.startswith("opslead@")
    scenarios = list(runbook.scenarios.select_related("component"))
    assert 4 <= len(scenarios) <= 5
    critical = set(
        Component.objects.filter(project=project, criticality=Criticality.CRITICAL).values_list(
            "name", flat=True
        )
    )
    assert critical == {
        support_demo.KEYCLOAK,
        support_demo.KEYCLOAK_DB,
        support_demo.KUBERNETES,
    }
    assert critical <= {s.component.name for s in scenarios}
    for scenario in scenarios:
        for part in ("symptoms", "normal", "problem", "first_checks", "resolution"):
            assert getattr(scenario, part).strip(), (scenario.title, part)
        assert scenario.alerts, scenario.title
        if scenario.component.name in critical:  # commands an engineer can paste
            assert "```" in scenario.first_checks + scenario.resolution, scenario.title
            assert scenario.rollback.strip(), scenario.title
    everything = " ".join(s.normal + s.problem for s in scenarios)
    for baseline in ("p95 login latency 180 ms", "40-60 logins/min at 9:00", "Unable to acquire"):
        assert baseline in everything
    alerts = {name for s in scenarios for name in s.alerts}
    assert {"KeycloakDown", "KeycloakLoginLatencyHigh", "PostgresReplicationLag"} <= alerts


def test_the_identity_walkthroughs_are_by_operations_within_the_window():
    seed_demo()
    project = project_of(demo.IDENTITY)
    today = timezone.localdate()

    walkthroughs = Walkthrough.objects.filter(project=project).select_related("scenario")
    assert {w.outcome for w in walkthroughs} == {Outcome.WORKED, Outcome.WORKED_WITH_CHANGES}
    ops = set(project.memberships.filter(role=Role.OPS).values_list("user", flat=True))
    for walkthrough in walkthroughs:
        assert walkthrough.recorded_by_id in ops
        assert 0 < (today - walkthrough.held_on).days <= readiness.fresh_days()
        assert walkthrough.participants.exists()
        assert walkthrough.scenario_snapshot["title"] == walkthrough.scenario.title
    walked = {w.scenario.component_id for w in walkthroughs}
    for component in Component.objects.filter(project=project, criticality=Criticality.CRITICAL):
        assert component.pk in walked, component.name


def test_transition_itself_has_a_published_runbook_with_gaps_and_a_draft():
    seed_demo()
    project = project_of(demo.TRANSITION_ITSELF)

    result = readiness.assess(project, today=timezone.localdate())
    assert not result.passed
    assert 0 < result.score < 100
    sentences = blocking(project)
    assert len(sentences) == 3, sentences
    assert "Critical component PostgreSQL 16 has no scenario in a published runbook." in sentences
    assert f"Scenario “{demo.WORKER_STOPPED.title}” lacks what normal looks like." in sentences
    assert any(
        s.startswith(f"Scenario “{demo.WEBHOOKS_REFUSED.title}” of a critical component has never")
        for s in sentences
    )
    advisory = [f.sentence for f in result.findings if not f.blocking]
    assert advisory == ["“PostgreSQL recovery” is a draft: it counts once published."]
    assert {r.status for r in Runbook.objects.filter(project=project)} == {
        RunbookStatus.PUBLISHED,
        RunbookStatus.DRAFT,
    }


def test_transition_itselfs_failed_walkthrough_left_a_follow_up_task():
    seed_demo()
    project = project_of(demo.TRANSITION_ITSELF)

    failed = Walkthrough.objects.get(project=project, outcome=Outcome.FAILED)
    assert failed.scenario.title == demo.TWO_BEATS.title
    assert failed.gaps_found
    follow_up = Task.objects.get(
        project=project, title=demo.TWO_BEATS.walkthroughs[0].follow_ups[0]
    )
    assert follow_up.owner == failed.scenario.runbook.owner
    assert follow_up.area == Task.Area.RUNBOOK


def test_the_notifications_transition_has_a_draft_with_one_scenario():
    seed_demo()
    project = project_of(demo.NOTIFICATIONS)

    runbook = Runbook.objects.get(project=project)
    assert runbook.status == RunbookStatus.DRAFT
    scenario = Scenario.objects.get(runbook=runbook)
    assert scenario.component.name == demo.SMS_PROVIDER
    assert not Walkthrough.objects.filter(project=project).exists()
    result = readiness.assess(project, today=timezone.localdate())
    assert not result.passed
    assert result.score == 0
    assert blocking(project)[0] == (
        "No runbook is published: operations has nothing to follow when it breaks."
    )


def test_runbooks_are_written_by_the_lead_and_walkthroughs_recorded_by_operations():
    seed_demo()
    people = accounts_demo.people()

    for model in (Runbook, Scenario):
        users = set(model.history.values_list("history_user", flat=True))
        assert users == {people["lead"].pk}, model.__name__
    recorders = set(Walkthrough.objects.values_list("recorded_by", flat=True))
    assert recorders == {people["ops"].pk, people["opslead"].pk}


def _seed_up_to_support() -> None:
    today = timezone.localdate()
    for seed in (accounts_demo.seed, projects_demo.seed, support_demo.seed):
        seed(today=today, password="x")


def test_a_transition_that_has_a_runbook_is_left_as_it_is():
    _seed_up_to_support()
    today = timezone.localdate()
    project = project_of(demo.IDENTITY)
    lead = accounts_demo.people()["lead"]
    Runbook.objects.create(project=project, title="Mine", owner=lead, review_by=today)

    lines = demo.seed(today=today, password="x")

    assert list(Runbook.objects.filter(project=project).values_list("title", flat=True)) == ["Mine"]
    assert any(demo.IDENTITY.transition in line and "already there" in line for line in lines)
    assert Runbook.objects.filter(project=project_of(demo.TRANSITION_ITSELF)).count() == 2


def test_a_closed_transition_is_left_as_it_is():
    _seed_up_to_support()
    today = timezone.localdate()
    project = project_of(demo.NOTIFICATIONS)
    project_services.project_change_phase(
        project=project, to=Phase.CANCELLED, by=accounts_demo.people()["lead"]
    )

    lines = demo.seed(today=today, password="x")

    assert not Runbook.objects.filter(project=project).exists()
    assert any("Cancelled: left as it is" in line for line in lines)
