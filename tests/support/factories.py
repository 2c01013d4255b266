"""Factories for the support model, one per model, built like `tests/factories.py`.

They write rows directly (no services, no refusals), then refresh the transition's
summary as the services would, so the dashboard stays exact in tests that use them.
Related rows default to the same transition: `OwnershipFactory(project=p)` makes its
component, tier and team in `p`. Positions default to the end of their list.
"""

import factory
from django.db.models import Max

from apps.projects import summary
from apps.projects.models import Project
from apps.support import services
from apps.support.models import (
    Component,
    Criticality,
    EscalationLevel,
    Hours,
    Ownership,
    Path,
    SupportSettings,
    SupportTeam,
    Tier,
)
from tests.factories import ProjectFactory, SummaryRefreshed


def _next_position(model, **where) -> int:
    last = model.objects.filter(**where).aggregate(n=Max("position"))["n"]
    return (last or 0) + 1


class ComponentFactory(SummaryRefreshed):
    class Meta:
        model = Component
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Component {n}")
    criticality = Criticality.NORMAL


class TierFactory(SummaryRefreshed):
    class Meta:
        model = Tier
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Tier {n}")
    position = factory.LazyAttribute(lambda o: _next_position(Tier, project=o.project))


class SupportTeamFactory(factory.django.DjangoModelFactory):
    """A team reachable by email, with its scope written; `members=[...]` to staff it."""

    class Meta:
        model = SupportTeam
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    email = factory.Sequence(lambda n: f"team{n}@example.com")
    in_scope = "The application, its data and its batch jobs."

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        # After the members, so the summary counts them (one refresh per team).
        if create:
            if extracted:
                obj.members.set(extracted)
            summary.refresh(obj.project_id)


class OwnershipFactory(SummaryRefreshed):
    class Meta:
        model = Ownership
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    component = factory.SubFactory(ComponentFactory, project=factory.SelfAttribute("..project"))
    tier = factory.SubFactory(TierFactory, project=factory.SelfAttribute("..project"))
    team = factory.SubFactory(SupportTeamFactory, project=factory.SelfAttribute("..project"))
    hours = Hours.BUSINESS
    p1_minutes = 30


class EscalationLevelFactory(SummaryRefreshed):
    """A level of the standard path naming a team; pass `team=None, person=user` for a
    person-only level."""

    class Meta:
        model = EscalationLevel
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    path = Path.STANDARD
    position = factory.LazyAttribute(
        lambda o: _next_position(EscalationLevel, project=o.project, path=o.path)
    )
    team = factory.SubFactory(SupportTeamFactory, project=factory.SelfAttribute("..project"))
    person = None


class SupportSettingsFactory(SummaryRefreshed):
    class Meta:
        model = SupportSettings
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    catch_all = factory.SubFactory(SupportTeamFactory, project=factory.SelfAttribute("..project"))


def model_fully(project: Project, by, member) -> dict[str, object]:
    """A support model with no gap at all, written through the services."""
    api = services.component_save(
        component=Component(project=project, name="Payments API", criticality=Criticality.CRITICAL),
        by=by,
    )
    ledger = services.component_save(component=Component(project=project, name="Ledger DB"), by=by)
    desk = services.team_save(
        team=SupportTeam(
            project=project, name="Service desk", phone="+44 20 7946 0000", in_scope="Triage."
        ),
        members=[by],
        by=by,
    )
    app = services.team_save(
        team=SupportTeam(
            project=project, name="App support", chat="#payments", in_scope="The application."
        ),
        members=[by, member],
        by=by,
    )
    tiers = list(Tier.objects.filter(project=project))
    for component in (api, ledger):
        for n, tier in enumerate(tiers):
            services.cell_set(
                project=project,
                component=component,
                tier=tier,
                values={
                    "team": desk if n == 0 else app,
                    "hours": Hours.ALWAYS if n == 0 else Hours.BUSINESS,
                    "p1_minutes": 15 * (n + 1),
                    "p2_minutes": 240,
                    "p3_minutes": None,
                    "p4_minutes": None,
                },
                by=by,
                seen_version="",
            )
    first = services.level_save(level=EscalationLevel(project=project, team=desk), by=by)
    second = services.level_save(
        level=EscalationLevel(
            project=project, team=app, pager="PagerDuty Pay-L2", after_minutes=30
        ),
        by=by,
    )
    third = services.level_save(
        level=EscalationLevel(project=project, person=member, on_priority="P1"), by=by
    )
    hypercare = services.level_save(
        level=EscalationLevel(project=project, path=Path.HYPERCARE, person=by), by=by
    )
    services.catch_all_set(project=project, team=desk, by=by)
    return {
        "components": (api, ledger),
        "tiers": tiers,
        "teams": (desk, app),
        "levels": (first, second, third, hypercare),
    }
