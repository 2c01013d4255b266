"""The "Support model" gate (`apps/support/readiness.py`): the facts it reads from the
database, the findings' links, and the bulk assessment's fixed query count."""

import datetime as dt

import pytest
from django.urls import resolve, reverse

from apps.projects.models import Project, ProjectSummary
from apps.support import gaps, readiness
from apps.support.models import (
    Criticality,
    Path,
    Tier,
)
from tests import factories
from tests.support.factories import (
    ComponentFactory,
    EscalationLevelFactory,
    OwnershipFactory,
    SupportSettingsFactory,
    SupportTeamFactory,
    TierFactory,
    model_fully,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)
# One query per table: components, tiers, cells, team members, teams, levels, settings.
QUERIES = 7


def test_the_facts_are_what_the_services_wrote(project, lead, contributor):
    built = model_fully(project, lead, contributor)
    api, ledger = built["components"]
    desk, app = built["teams"]
    first, second, third, hypercare = built["levels"]
    l1, l2, l3 = built["tiers"]

    facts = readiness.facts_for(project)

    assert list(facts.components) == [
        gaps.ComponentFact(ledger.pk, "Ledger DB", "normal"),
        gaps.ComponentFact(api.pk, "Payments API", "critical"),
    ]
    assert list(facts.tiers) == [
        gaps.TierFact(l1.pk, "L1 Service desk"),
        gaps.TierFact(l2.pk, "L2 Application support"),
        gaps.TierFact(l3.pk, "L3 Engineering / vendor"),
    ]
    assert set(facts.cells) == {
        gaps.CellFact(c.pk, l1.pk, desk.pk, "24x7", 15) for c in (api, ledger)
    } | {
        gaps.CellFact(c.pk, t.pk, app.pk, "business", p1)
        for c in (api, ledger)
        for t, p1 in ((l2, 30), (l3, 45))
    }
    assert list(facts.teams) == [
        gaps.TeamFact(app.pk, "App support", frozenset({lead.pk, contributor.pk}), False, True),
        gaps.TeamFact(desk.pk, "Service desk", frozenset({lead.pk}), True, True),
    ]
    name = {u.pk: u.full_name or u.email for u in (lead, contributor)}
    assert list(facts.levels) == [
        gaps.LevelFact(hypercare.pk, "hypercare", 1, person_id=lead.pk, person_name=name[lead.pk]),
        gaps.LevelFact(first.pk, "standard", 1, team_id=desk.pk),
        gaps.LevelFact(
            second.pk, "standard", 2, team_id=app.pk, reachable_means=True, after_minutes=30
        ),
        gaps.LevelFact(
            third.pk,
            "standard",
            3,
            person_id=contributor.pk,
            person_name=name[contributor.pk],
            on_priority="P1",
        ),
    ]
    assert facts.catch_all_team_id == desk.pk
    assert facts.people == name


def test_each_transition_sees_only_its_own_support_model(project, lead, contributor):
    model_fully(project, lead, contributor)
    empty = factories.ProjectFactory()
    other = OwnershipFactory().project

    facts = readiness.facts_for_many([project.pk, empty.pk, other.pk])

    assert facts[empty.pk] == gaps.SupportFacts(
        components=[], tiers=[], cells=[], teams=[], levels=[]
    )
    assert len(facts[other.pk].components) == len(facts[other.pk].cells) == 1
    own = {c.id for c in facts[project.pk].components}
    assert own.isdisjoint(c.id for c in facts[other.pk].components)


def test_a_fully_modelled_transition_passes(project, lead, contributor):
    model_fully(project, lead, contributor)

    result = readiness.assess(project, today=TODAY)

    assert (result.key, result.title) == ("support", "Support model")
    assert (result.passed, result.score, result.findings) == (True, 100, ())
    stored = ProjectSummary.objects.get(project=project).gates
    assert [g["passed"] for g in stored if g["key"] == "support"] == [True]


PAGES = {"support:matrix", "support:teams", "support:escalation"}


def test_every_finding_links_to_the_page_and_anchor_where_it_is_fixed(project, lead, contributor):
    component = ComponentFactory(project=project, criticality=Criticality.CRITICAL)
    TierFactory(project=project)
    chat_only = SupportTeamFactory(project=project, email="", chat="#ops", in_scope="")
    empty = SupportTeamFactory(project=project)
    level = EscalationLevelFactory(project=project, team=chat_only)
    EscalationLevelFactory(project=project, team=empty)
    chat_only.members.set([contributor])

    result = readiness.evaluate(readiness.facts_for(project), project_id=project.pk)

    assert not result.passed
    assert len(result.findings) >= 6
    for finding in result.findings:
        path, anchor = finding.url.split("#")
        match = resolve(path)
        assert (match.view_name in PAGES, match.kwargs, anchor != "") == (
            True,
            {"project_id": project.pk},
            True,
        ), finding
    urls = {f.sentence: f.url for f in result.findings}
    escalation = reverse("support:escalation", args=[project.pk])
    assert urls[f"{component.name} has no owner at {Tier.objects.get().name}."] == (
        reverse("support:matrix", args=[project.pk]) + f"#component-{component.pk}"
    )
    assert (
        urls[f"Level 1 ({chat_only.name}) cannot be reached: no phone, pager or email is given."]
        == f"{escalation}#level-{level.pk}"
    )
    assert urls[f"{empty.name} has no members."] == (
        reverse("support:teams", args=[project.pk]) + f"#team-{empty.pk}"
    )
    assert urls["No catch-all owner: nobody takes what falls between the cracks."] == (
        reverse("support:teams", args=[project.pk]) + "#catch-all"
    )
    no_hypercare = (
        "There is no hypercare escalation path: the standard path will be used during hypercare."
    )
    assert urls[no_hypercare] == f"{escalation}#path-hypercare"


def test_nothing_modelled_blocks_with_a_score_of_zero(project):
    result = readiness.assess(project, today=TODAY)
    assert (result.passed, result.score) == (False, 0)
    assert result.blocking[0].url == (reverse("support:matrix", args=[project.pk]) + "#components")


def modelled_transition(n: int) -> Project:
    """A transition with a support model of a size that grows with `n`."""
    project = factories.ProjectFactory()
    member = factories.MembershipFactory(project=project).user
    team = SupportTeamFactory(project=project, members=[project.lead, member])
    for _ in range(n % 3 + 1):
        OwnershipFactory(project=project, team=team)
    EscalationLevelFactory(project=project, team=team)
    EscalationLevelFactory(project=project, team=None, person=member, after_minutes=15)
    if n % 2:
        EscalationLevelFactory(project=project, path=Path.HYPERCARE, team=None, person=member)
        SupportSettingsFactory(project=project, catch_all=team)
    return project


def test_the_bulk_assessment_equals_one_by_one(project, lead, contributor):
    model_fully(project, lead, contributor)
    empty = factories.ProjectFactory()
    projects = [project, empty, *(modelled_transition(n) for n in range(3))]

    assessed = readiness.assess_many(projects, today=TODAY)

    assert assessed == {p.pk: readiness.assess(p, today=TODAY) for p in projects}
    assert (assessed[project.pk].score, assessed[empty.pk].score) == (100, 0)
    assert len({r.findings for r in assessed.values()}) == len(projects)


@pytest.mark.parametrize("count", [2, 10])
def test_the_bulk_assessment_takes_a_fixed_number_of_queries(count, django_assert_num_queries):
    projects = [modelled_transition(n) for n in range(count)]

    with django_assert_num_queries(QUERIES):
        assessed = readiness.assess_many(projects, today=TODAY)

    assert set(assessed) == {p.pk for p in projects}
    assert all(r.score > 0 for r in assessed.values())


def test_people_who_left_the_transition_are_no_longer_contacts(project, lead, contributor):
    """A team member removed from the transition (or whose account is off) does not
    count, and a level naming such a person blocks: the gate is proven by people who
    can still be called."""
    from apps.projects import services as project_services
    from apps.projects.models import Membership

    model = model_fully(project, lead, contributor)
    third = model["levels"][2]  # names the contributor
    assert readiness.assess(project, today=TODAY).passed

    project_services.membership_remove(
        membership=Membership.objects.get(project=project, user=contributor), by=lead
    )
    facts = readiness.facts_for(project)
    assert all(contributor.pk not in team.member_ids for team in facts.teams)
    result = readiness.assess(project, today=TODAY)
    assert not result.passed
    assert [f.sentence for f in result.blocking] == [
        f"Level 3 ({contributor.full_name}) names {contributor.full_name}, who is no longer "
        "a member of this transition."
    ]
    assert result.blocking[0].url.endswith(f"#level-{third.pk}")

    # The same for an account that was switched off, while still a member.
    project_services.membership_add(project=project, user=contributor, role="ops", by=lead)
    assert readiness.assess(project, today=TODAY).passed
    type(contributor).objects.filter(pk=contributor.pk).update(is_active=False)
    assert not readiness.assess(project, today=TODAY).passed
