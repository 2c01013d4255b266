import dataclasses
import itertools
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.accounts import demo as accounts_demo
from apps.accounts.models import Team, User
from apps.projects import demo, demo_data, phases
from apps.projects.guard import ActionRefused
from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Phase,
    Project,
    Role,
    SignOff,
    Task,
)

pytestmark = pytest.mark.django_db


def seed_demo(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [User, Team, Project, Membership, Task, AcceptanceCriterion, SignOff]
    tally = {model.__name__: model.objects.count() for model in models}
    for model in models[2:]:
        tally[f"{model.__name__} history"] = model.history.count()
    tally["team members"] = Team.members.through.objects.count()
    return tally


def test_seeding_creates_a_user_for_every_role_and_a_staff_admin():
    seed_demo()

    emails = set(User.objects.values_list("email", flat=True))
    assert {p.email for p in accounts_demo.PERSONAS} <= emails
    assert all(email.endswith("@demo.transition.example") for email in emails)
    assert User.objects.filter(email__startswith="lead@", full_name__gt="").exists()
    admin = User.objects.get(email="admin@demo.transition.example")
    assert admin.is_staff
    assert admin.is_superuser
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)


def test_seeding_creates_three_transitions_in_three_phases_with_every_role():
    seed_demo()

    projects = Project.objects.all()
    assert {p.phase for p in projects} == {Phase.PLANNING, Phase.READINESS, Phase.HYPERCARE}
    for project in projects:
        assert set(project.memberships.values_list("role", flat=True)) == set(Role.values)
        assert project.ops_team.kind == Team.Kind.OPERATIONS


def test_one_transition_hands_over_transition_itself():
    seed_demo()

    itself = Project.objects.get(name__startswith="Transition (this app)")
    services = itself.services.lower()
    for part in ("web app", "celery worker", "celery beat", "postgresql", "redis"):
        assert part in services


def test_the_demo_has_done_overdue_and_blocked_tasks_and_signed_and_revoked_criteria():
    seed_demo()

    today = timezone.localdate()
    assert Task.objects.filter(status=Task.Status.DONE).exists()
    assert Task.objects.filter(status=Task.Status.BLOCKED).exists()
    assert Task.objects.overdue(today).exists()
    assert AcceptanceCriterion.objects.signed().exists()
    revoked = SignOff.objects.get(revoked_at__isnull=False)
    assert revoked.revoke_reason
    assert not SignOff.objects.filter(signed_at__date__gte=today).exists()
    # Tasks are owned by different people, not all by the lead.
    assert Task.objects.values("owner").distinct().count() >= 4


def test_seeding_twice_creates_nothing_and_changes_nothing():
    seed_demo()
    before = counts()
    updated = {t.pk: t.updated_at for t in Task.objects.all()}

    output = seed_demo()

    assert counts() == before
    assert {t.pk: t.updated_at for t in Task.objects.all()} == updated
    assert "already there" in output


def test_demo_users_log_in_with_the_printed_password():
    output = seed_demo("--password", "let-me-in-please")

    for persona in accounts_demo.PERSONAS:
        assert persona.email in output
        assert Client().login(username=persona.email, password="let-me-in-please")


def test_seeding_again_with_another_password_resets_it_so_the_printed_one_works():
    seed_demo()
    seed_demo("--password", "another-one")

    assert Client().login(username="ops@demo.transition.example", password="another-one")


def test_output_shows_the_url_and_the_logins():
    output = seed_demo()

    assert settings.BASE_URL in output
    assert accounts_demo.DEFAULT_PASSWORD in output
    for persona in accounts_demo.PERSONAS:
        assert persona.email in output
        assert persona.label in output


def test_every_demo_transition_reached_its_phase_through_allowed_moves():
    seed_demo()

    for project in Project.objects.all():
        history = project.history.order_by("history_id").values_list("phase", flat=True)
        phases_seen = [p for i, p in enumerate(history) if i == 0 or p != history[i - 1]]
        assert phases_seen[0] == Phase.PLANNING
        for before, after in itertools.pairwise(phases_seen):
            assert after in phases.allowed_moves(before), (project.name, before, after)
        if project.phase in {Phase.HYPERCARE, Phase.BAU}:
            assert project.go_live_date is not None


def _plan(**changes) -> demo_data.ProjectPlan:
    plan = demo_data.ProjectPlan(
        name="Demo plan under test",
        description="",
        services=(),
        go_live_in_days=-3,
        hypercare_days=14,
        phase=Phase.HYPERCARE,
        tasks=(),
        criteria=(),
    )
    return dataclasses.replace(plan, **changes)


def test_a_plan_the_rules_refuse_stops_the_seed_and_leaves_nothing(monkeypatch):
    # Hypercare without a go-live date: the phase rules refuse the move, and the seed
    # must not set the phase around them.
    monkeypatch.setattr(demo, "PROJECTS", (_plan(go_live_in_days=None),))

    with pytest.raises(ActionRefused, match="Set the go-live date"):
        seed_demo()

    assert not Project.objects.exists()
    assert not User.objects.exists()


def test_a_plan_in_bau_reaches_it_only_with_every_criterion_signed(monkeypatch):
    blueprint_criteria = (
        demo_data.RUNBOOK_ACCEPTED,
        demo_data.MONITORING_VERIFIED,
        demo_data.SUPPORT_AGREED,
        demo_data.KT_COMPLETE,
    )
    unsigned_one = _plan(
        phase=Phase.BAU,
        criteria=tuple(
            demo_data.CriterionPlan(s, signed_by="ops", signed_day=-2) for s in blueprint_criteria
        ),
    )
    monkeypatch.setattr(demo, "PROJECTS", (unsigned_one,))
    with pytest.raises(ActionRefused, match="1 of 5 acceptance criteria are not signed off"):
        seed_demo()

    all_signed = dataclasses.replace(
        unsigned_one,
        criteria=(
            *unsigned_one.criteria,
            demo_data.CriterionPlan(demo_data.EXIT_AGREED, signed_by="opslead", signed_day=-1),
        ),
    )
    monkeypatch.setattr(demo, "PROJECTS", (all_signed,))
    seed_demo()
    assert Project.objects.get().phase == Phase.BAU
    before = counts()
    seed_demo()  # a closed transition: the second run must not try to write to it
    assert counts() == before
