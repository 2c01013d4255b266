"""The demo's support models: three transitions, three states, and a second run that
changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts import demo as accounts_demo
from apps.projects import demo as projects_demo
from apps.projects import demo_data
from apps.projects import services as project_services
from apps.projects.models import Phase, Project
from apps.support import demo, gaps, readiness, services
from apps.support.models import (
    Component,
    EscalationLevel,
    Hours,
    Ownership,
    Path,
    SupportSettings,
    SupportTeam,
    Tier,
)

pytestmark = pytest.mark.django_db

MODELS = (Component, Tier, SupportTeam, Ownership, EscalationLevel, SupportSettings)


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    tally = {model.__name__: model.objects.count() for model in MODELS}
    tally.update({f"{m.__name__} history": m.history.count() for m in MODELS})
    tally["team members"] = SupportTeam.members.through.objects.count()
    return tally


def project_of(plan: demo.SupportPlan) -> Project:
    return Project.objects.get(name=plan.transition)


def blocking_rules(project: Project) -> set[str]:
    return {g.rule for g in gaps.find(readiness.facts_for(project)) if g.blocking}


def test_the_plans_name_the_projects_demo_transitions():
    assert {plan.transition for plan in demo.PLANS} == {p.name for p in demo_data.PROJECTS}


def test_seeding_twice_creates_nothing_and_changes_nothing():
    first = seed_demo()
    before = counts()
    updated = {c.pk: c.updated_at for c in Component.objects.all()}

    second = seed_demo()

    assert before["Component"] == 7 + 5 + 2
    assert counts() == before
    assert {c.pk: c.updated_at for c in Component.objects.all()} == updated
    assert first.count("(created)") >= 3
    for plan in demo.PLANS:
        line = next(
            line for line in second.splitlines() if plan.transition in line and "compon" in line
        )
        assert line.endswith("(already there)")


def test_the_identity_transition_has_a_complete_model_and_its_gate_passes():
    seed_demo()
    project = project_of(demo.IDENTITY)

    facts = readiness.facts_for(project)
    assert gaps.find(facts) == []  # not even an advisory gap
    result = readiness.assess(project, today=timezone.localdate())
    assert result.passed
    assert result.score == 100
    assert 6 <= len(facts.components) <= 8
    assert {c.criticality for c in facts.components} == {"critical", "high", "normal"}
    assert [t.name for t in Tier.objects.filter(project=project)] == [
        name for name, _ in services.DEFAULT_TIERS
    ]
    cells = Ownership.objects.filter(project=project)
    assert cells.count() == len(facts.components) * 3
    for component in Component.objects.filter(project=project, criticality="critical"):
        own = cells.filter(component=component)
        assert own.filter(hours=Hours.ALWAYS).exists(), component.name
        assert not own.filter(p1_minutes__isnull=True).exists(), component.name
    teams = SupportTeam.objects.filter(project=project)
    assert teams.count() == 4
    for team in teams:
        assert team.in_scope, team.name
        assert team.out_of_scope, team.name
        assert team.members.exists(), team.name
        assert team.phone, team.name
        assert team.email, team.name
    standard = EscalationLevel.objects.filter(project=project, path=Path.STANDARD)
    assert 3 <= standard.count() <= 4
    for level in standard.exclude(position=1):
        assert level.after_minutes
        assert level.on_priority
    assert EscalationLevel.objects.filter(project=project, path=Path.HYPERCARE).exists()
    assert SupportSettings.objects.get(project=project).catch_all is not None


def test_transition_itself_is_partly_modelled_with_the_gaps_its_tasks_talk_about():
    seed_demo()
    project = project_of(demo.TRANSITION_ITSELF)

    found = gaps.find(readiness.facts_for(project))
    assert {g.rule for g in found if g.blocking} == {
        "unowned",
        "no_24x7",
        "no_scope",
        "no_catch_all",
    }
    sentences = {g.rule: g.sentence for g in found if g.blocking}
    assert (
        sentences["unowned"] == "Redis 7 (Celery broker) has no owner at L3 Engineering / vendor."
    )
    assert sentences["no_24x7"].startswith("PostgreSQL 16 is critical")
    assert sentences["no_scope"].startswith("Database on-call owns components")
    # It has a standard path but no hypercare path yet: advisory in readiness.
    assert EscalationLevel.objects.filter(project=project, path=Path.STANDARD).count() == 3
    assert "no_hypercare_path" in {g.rule for g in found if not g.blocking}


def test_the_notifications_transition_is_barely_started():
    seed_demo()
    project = project_of(demo.NOTIFICATIONS)

    assert Component.objects.filter(project=project).count() == 2
    assert not SupportTeam.objects.filter(project=project).exists()
    assert not Ownership.objects.filter(project=project).exists()
    assert blocking_rules(project) == {"unowned", "no_24x7", "no_path", "no_catch_all"}


def test_who_do_i_call_has_an_answer_for_every_owned_component():
    """Every component of the complete model has a reachable owner at every tier; in the
    partial one, every component has at least a reachable first tier."""
    seed_demo()
    for plan in (demo.IDENTITY, demo.TRANSITION_ITSELF):
        project = project_of(plan)
        tiers = list(Tier.objects.filter(project=project))
        for component in Component.objects.filter(project=project):
            cells = {
                c.tier_id: c
                for c in Ownership.objects.filter(component=component).select_related("team")
            }
            wanted = tiers if plan is demo.IDENTITY else tiers[:1]
            for tier in wanted:
                team = cells[tier.pk].team
                assert team.members.exists(), (component.name, tier.name)
                assert team.phone or team.pager or team.email, (component.name, tier.name)


def history_users(model) -> set[int | None]:
    return set(model.history.values_list("history_user", flat=True))


def test_every_write_is_in_the_history_as_the_demo_lead():
    seed_demo()
    lead = accounts_demo.people()["lead"]

    for model in MODELS[:-1]:
        assert model.history.exists(), model.__name__
        assert history_users(model) == {lead.pk}, model.__name__


def test_the_catch_all_is_in_the_history_as_the_demo_lead():
    seed_demo()

    assert history_users(SupportSettings) == {accounts_demo.people()["lead"].pk}


def test_a_transition_that_has_support_data_is_left_as_it_is():
    today = timezone.localdate()
    accounts_demo.seed(today=today, password="x")
    projects_demo.seed(today=today, password="x")
    project = project_of(demo.IDENTITY)
    lead = accounts_demo.people()["lead"]
    services.component_save(component=Component(project=project, name="Something else"), by=lead)

    lines = demo.seed(today=today, password="x")

    assert list(Component.objects.filter(project=project).values_list("name", flat=True)) == [
        "Something else"
    ]
    assert any(demo.IDENTITY.transition in line and "already there" in line for line in lines)
    assert Component.objects.filter(project=project_of(demo.TRANSITION_ITSELF)).count() == 5


def test_a_closed_transition_is_left_as_it_is():
    today = timezone.localdate()
    accounts_demo.seed(today=today, password="x")
    projects_demo.seed(today=today, password="x")
    project = project_of(demo.NOTIFICATIONS)
    project_services.project_change_phase(
        project=project, to=Phase.CANCELLED, by=accounts_demo.people()["lead"]
    )

    lines = demo.seed(today=today, password="x")

    assert not Component.objects.filter(project=project).exists()
    assert any("Cancelled: left as it is" in line for line in lines)
