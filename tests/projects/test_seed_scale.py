"""seed_scale: a portfolio at scale whose every row respects the rules, and the pages'
query counts that stay the same whatever its size."""

import io
import itertools
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.projects import phases, scale, summary
from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Phase,
    Project,
    ProjectSummary,
    Role,
    SignOff,
    Task,
)

pytestmark = pytest.mark.django_db


def generate(transitions: int, **options):
    return scale.generate(
        transitions=transitions, today=timezone.localdate(), now=timezone.now(), **options
    )


@pytest.fixture
def portfolio():
    """Two turns of the phase cycle: every phase, several times."""
    return generate(40)


def test_it_makes_what_it_says(portfolio):
    assert (portfolio.transitions, portfolio.tasks, portfolio.criteria) == (40, 800, 240)
    assert Project.objects.count() == 40
    assert Task.objects.count() == 800
    assert AcceptanceCriterion.objects.count() == 240
    assert SignOff.objects.count() == portfolio.signoffs
    assert Membership.objects.count() == portfolio.memberships == 40 * 7
    assert set(portfolio.phases) == set(Phase.values)


def test_every_summary_is_what_compute_gives(portfolio):
    today = timezone.localdate()
    for project in Project.objects.select_related("summary"):
        stored = json.loads(json.dumps(model_to_dict(project.summary), default=str))
        fresh = json.loads(
            json.dumps(model_to_dict(summary.compute(project, today=today)), default=str)
        )
        assert stored == fresh, project.name


def test_every_transition_has_members_in_every_role(portfolio):
    for project in Project.objects.prefetch_related("memberships"):
        roles = {m.user_id: m.role for m in project.memberships.all()}
        assert set(roles.values()) == set(Role.values), project.name
        assert roles[project.lead_id] == Role.LEAD
        assert roles[project.ops_lead_id] == Role.OPS


def test_no_phase_breaks_the_rules(portfolio):
    today = timezone.localdate()
    for project in Project.objects.select_related("summary"):
        s = project.summary
        if project.phase in (Phase.HYPERCARE, Phase.BAU):
            assert project.go_live_date is not None
            assert project.go_live_date < today, project.name
        if project.phase == Phase.BAU:
            assert s.criteria_total > 0
            assert s.criteria_signed == s.criteria_total, project.name
            facts = phases.PhaseFacts(project.go_live_date, s.criteria_total, 0)
            assert phases.move_blockers(Phase.HYPERCARE, Phase.BAU, facts) == []


def test_sign_offs_are_by_an_ops_member_of_the_signed_statement(portfolio):
    ops = set(Membership.objects.filter(role=Role.OPS).values_list("project_id", "user_id"))
    signoffs = SignOff.objects.select_related("criterion")
    assert signoffs.filter(revoked_at__isnull=True).exists()
    assert signoffs.filter(revoked_at__isnull=False).exists()
    for signoff in signoffs:
        assert (signoff.criterion.project_id, signoff.signed_by_id) in ops
        assert signoff.statement_snapshot == signoff.criterion.statement
        assert not signoff.signed_as_ops
        if signoff.revoked_at:
            assert signoff.revoke_reason
            assert (signoff.criterion.project_id, signoff.revoked_by_id) in ops


def test_there_are_signed_and_unsigned_criteria_done_and_overdue_tasks(portfolio):
    today = timezone.localdate()
    assert AcceptanceCriterion.objects.signed().exists()
    assert AcceptanceCriterion.objects.unsigned().exists()
    assert Task.objects.overdue(today).exists()
    done = Task.objects.filter(status=Task.Status.DONE)
    assert done.exists()
    assert not done.filter(completed_at__isnull=True).exists()
    assert not done.filter(completed_at__gt=timezone.now()).exists()
    assert not Task.objects.open().filter(completed_at__isnull=False).exists()
    assert Task.objects.filter(status=Task.Status.BLOCKED).exists()


def test_task_owners_are_members_who_may_update_them(portfolio):
    members = set(Membership.objects.exclude(role=Role.VIEWER).values_list("project_id", "user_id"))
    owners = set(Task.objects.values_list("project_id", "owner_id"))
    assert owners <= members


def test_every_row_has_its_created_record_in_the_history(portfolio):
    assert Project.history.filter(history_type="+").count() == 40
    assert Task.history.filter(history_type="+").count() == 800
    assert SignOff.history.count() == portfolio.signoffs


def test_a_second_run_adds_more_with_the_same_people(portfolio):
    people = User.objects.count()
    second = generate(5)
    assert second.users_created == 0
    assert User.objects.count() == people
    assert Project.objects.count() == 45
    names = Project.objects.values("name").annotate(n=Count("pk")).filter(n__gt=1)
    assert not names.exists()


def test_without_criteria_no_transition_is_in_bau():
    result = generate(20, criteria=0)
    assert Phase.BAU not in result.phases
    assert not Project.objects.filter(phase=Phase.BAU).exists()


def test_a_forced_phase_applies_to_every_new_transition():
    result = generate(3, tasks=2, criteria=2, phase=Phase.HYPERCARE)
    assert result.phases == Counter({Phase.HYPERCARE: 3})


def test_the_command_prints_what_it_made_and_how_long_it_took():
    out = io.StringIO()
    call_command("seed_scale", "--transitions", "3", "--tasks", "4", "--criteria", "2", stdout=out)
    text = out.getvalue()
    assert "Added 3 transitions" in text
    assert "12 tasks, 6 acceptance criteria" in text
    assert "s:" in text  # "in 0.1s:"
    assert scale.PMO_EMAIL in text
    assert Task.objects.count() == 12
    assert ProjectSummary.objects.count() == 3


def test_the_command_refuses_a_negative_count():
    with pytest.raises(CommandError, match="negative"):
        call_command("seed_scale", "--transitions", "-1", stdout=io.StringIO())


def test_seeded_people_can_sign_in(client):
    generate(1)
    assert client.login(email=scale.PMO_EMAIL, password=scale.DEFAULT_PASSWORD)


# The portfolio pages do not read more queries as the portfolio grows --------------------


@pytest.mark.parametrize("size", [5, 40])
def test_portfolio_page_queries_do_not_grow_with_the_portfolio(
    client_as, django_assert_max_num_queries, size
):
    generate(size)
    pmo = client_as(User.objects.get(email=scale.PMO_EMAIL))
    ops = client_as(User.objects.get(email=scale.pool_email(Role.OPS, 1)))
    # 5 each, and 2 for the "New transition" button (the PMO's and their groups' permissions).
    with django_assert_max_num_queries(7):
        response = pmo.get(reverse("projects:dashboard"), {"phase": "all"})
    assert len(response.context["page"].object_list) == min(size, 25)
    with django_assert_max_num_queries(7):
        pmo.get(reverse("projects:dashboard"), {"phase": "all", "sort": "overdue"})
    with django_assert_max_num_queries(6):
        response = ops.get(reverse("projects:my-items"))
    assert response.context["tasks"]


def test_my_items_lists_what_waits_for_an_ops_engineer_across_the_portfolio(client_as):
    generate(40)
    ops = User.objects.get(email=scale.pool_email(Role.OPS, 1))
    response = client_as(ops).get(reverse("projects:my-items"))
    waiting = AcceptanceCriterion.objects.unsigned().filter(
        project__memberships__user=ops,
        project__memberships__role=Role.OPS,
        project__phase__in=[Phase.PLANNING, Phase.READINESS, Phase.HYPERCARE],
    )  # whoever they name: any operations member may sign
    assert response.context["criteria_page"].paginator.count == waiting.count() > 0
    # Within a transition: overdue first, then those naming this engineer, nobody, another.
    today = timezone.localdate()
    keys = [
        (c.project_id, c.due_date >= today, c.signer_rank) for c in response.context["criteria"]
    ]
    for before, after in itertools.pairwise(keys):
        assert before[0] != after[0] or before[1:] <= after[1:]


def test_the_lead_filter_lists_each_visible_lead_once_and_keeps_the_choice(client_as):
    generate(30)
    pmo = User.objects.get(email=scale.PMO_EMAIL)
    chosen = Project.objects.order_by("pk").first().lead
    response = client_as(pmo).get(reverse("projects:dashboard"), {"lead": chosen.pk})
    html = response.content.decode()
    leads = set(Project.objects.values_list("lead_id", flat=True))
    for lead_id in leads:
        assert html.count(f'<option value="{lead_id}"') == 1
    assert f'<option value="{chosen.pk}" selected>' in html
    assert {p["lead_id"] for p in response.context["page"].object_list} == {chosen.pk}
