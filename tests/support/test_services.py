"""Writes to the support model (`apps/support/services.py`): each keeps the model valid
or changes nothing, and every one goes through the project write guard."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.core.concurrency import version_of
from apps.core.readiness import GateResult
from apps.projects import gates
from apps.projects.guard import ActionRefused, EditConflict
from apps.projects.models import Phase, Project, ProjectSummary
from apps.support import readiness, services
from apps.support.models import (
    Component,
    EscalationLevel,
    Ownership,
    Path,
    SupportSettings,
    SupportTeam,
    Tier,
)
from tests import factories
from tests.support.factories import SupportTeamFactory

pytestmark = pytest.mark.django_db

SUPPORT_MODELS = (Component, Tier, SupportTeam, Ownership, EscalationLevel, SupportSettings)


def support_state(project: Project) -> dict[str, object]:
    """Every support row of `project` and the size of each audit history: a write that
    changes nothing leaves this equal."""
    state: dict[str, object] = {}
    for model in SUPPORT_MODELS:
        name = model.__name__
        state[name] = sorted(
            tuple(sorted(row.items())) for row in model.objects.filter(project=project).values()
        )
        state[f"{name} history"] = model.history.filter(project=project).count()
    state["team members"] = sorted(
        SupportTeam.members.through.objects.filter(supportteam__project=project).values_list(
            "supportteam", "user"
        )
    )
    return state


def refused(call: Callable[[], object]) -> list[str]:
    with pytest.raises(ActionRefused) as refusal:
        call()
    return refusal.value.messages


def add_component(project: Project, by: User, name: str = "Payments API", **fields) -> Component:
    return services.component_save(component=Component(project=project, name=name, **fields), by=by)


def add_team(project: Project, by: User, name: str, members=(), **fields) -> SupportTeam:
    fields.setdefault("email", "team@example.com")
    return services.team_save(
        team=SupportTeam(project=project, name=name, **fields), members=list(members), by=by
    )


def add_level(project: Project, by: User, path: str = Path.STANDARD, **fields) -> EscalationLevel:
    return services.level_save(level=EscalationLevel(project=project, path=path, **fields), by=by)


def owner(team: SupportTeam, **changes) -> dict[str, object]:
    values = {
        "team": team,
        "hours": "business",
        "p1_minutes": 30,
        "p2_minutes": None,
        "p3_minutes": None,
        "p4_minutes": None,
    }
    return {**values, **changes}


def positions(project: Project, path: str = Path.STANDARD) -> list[tuple[int, int]]:
    """(level id, position) of a path, in call order."""
    return list(
        EscalationLevel.objects.filter(project=project, path=path)
        .order_by("position")
        .values_list("pk", "position")
    )


@dataclass
class World:
    project: Project
    lead: User
    member: User
    component: Component
    tiers: list[Tier]
    team: SupportTeam  # owns a cell, a level and the catch-all
    spare: SupportTeam  # owns nothing
    level: EscalationLevel
    cell: Ownership


@pytest.fixture
def world(project, lead, contributor) -> World:
    component = add_component(project, lead)
    tiers = list(Tier.objects.filter(project=project))
    team = add_team(project, lead, "Service desk", [lead, contributor], in_scope="Everything.")
    spare = add_team(project, lead, "Vendor desk")
    cell = services.cell_set(
        project=project,
        component=component,
        tier=tiers[0],
        values=owner(team),
        by=lead,
        seen_version="",
    )
    level = add_level(project, lead, team=team)
    services.catch_all_set(project=project, team=team, by=lead)
    return World(project, lead, contributor, component, tiers, team, spare, level, cell)


# Tiers ---------------------------------------------------------------------------


def test_the_first_component_creates_the_default_tiers_once(project, lead):
    add_component(project, lead, "Payments API")
    add_component(project, lead, "Ledger DB")
    tiers = list(Tier.objects.filter(project=project).values_list("position", "name"))
    assert tiers == [(n, name) for n, (name, _) in enumerate(services.DEFAULT_TIERS, start=1)]


def test_a_lead_who_removed_a_tier_keeps_the_others(project, lead):
    add_component(project, lead)
    services.tier_delete(tier=Tier.objects.get(project=project, position=1), by=lead)
    add_component(project, lead, "Ledger DB")
    assert list(Tier.objects.filter(project=project).values_list("position", "name")) == [
        (1, "L2 Application support"),
        (2, "L3 Engineering / vendor"),
    ]


# Names ---------------------------------------------------------------------------


def renamed(team: SupportTeam, name: str) -> SupportTeam:
    """`team` with a new name, unsaved: what an edit form hands the service."""
    team.name = name
    return team


@pytest.mark.parametrize(
    ("save", "message"),
    [
        pytest.param(
            lambda w: add_component(w.project, w.lead, "payments API"),
            "There is already a component called “payments API”.",
            id="component",
        ),
        pytest.param(
            lambda w: services.tier_save(
                tier=Tier(project=w.project, name="l1 SERVICE desk"), by=w.lead
            ),
            "There is already a tier called “l1 SERVICE desk”.",
            id="tier",
        ),
        pytest.param(
            lambda w: add_team(w.project, w.lead, "SERVICE DESK", [w.lead]),
            "There is already a team called “SERVICE DESK”.",
            id="team",
        ),
        pytest.param(
            lambda w: services.team_save(
                team=renamed(SupportTeam.objects.get(pk=w.spare.pk), "service desk"),
                members=[],
                by=w.lead,
            ),
            "There is already a team called “service desk”.",
            id="team renamed onto another",
        ),
    ],
)
def test_a_name_taken_in_any_case_is_refused_and_nothing_is_written(world, save, message):
    before = support_state(world.project)
    assert refused(lambda: save(world)) == [message]
    assert support_state(world.project) == before


def test_the_same_name_is_free_in_another_transition(world):
    other = factories.ProjectFactory()
    component = add_component(other, other.lead, "Payments API")
    assert component.pk != world.component.pk


# Teams ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("holds", "sentence"),
    [
        pytest.param({"cells"}, "Vendor desk owns 1 cell of the matrix.", id="a cell"),
        pytest.param({"levels"}, "Vendor desk owns 1 escalation level.", id="a level"),
        pytest.param({"catch_all"}, "Vendor desk owns the catch-all.", id="the catch-all"),
        pytest.param(
            {"cells", "two cells", "levels", "catch_all"},
            "Vendor desk owns 2 cells of the matrix, 1 escalation level and the catch-all.",
            id="all of it",
        ),
    ],
)
def test_a_team_that_owns_something_needs_a_successor(world, holds, sentence):
    w = world
    if "cells" in holds:
        services.cell_set(
            project=w.project,
            component=w.component,
            tier=w.tiers[1],
            values=owner(w.spare),
            by=w.lead,
            seen_version="",
        )
    if "two cells" in holds:
        services.cell_set(
            project=w.project,
            component=w.component,
            tier=w.tiers[2],
            values=owner(w.spare),
            by=w.lead,
            seen_version="",
        )
    if "levels" in holds:
        add_level(w.project, w.lead, team=w.spare)
    if "catch_all" in holds:
        services.catch_all_set(project=w.project, team=w.spare, by=w.lead)
    before = support_state(w.project)

    messages = refused(lambda: services.team_remove(team=w.spare, successor=None, by=w.lead))

    assert messages == [f"{sentence} Choose the team that takes over before removing it."]
    assert support_state(w.project) == before


def test_removing_a_team_hands_its_cells_levels_and_catch_all_to_the_successor(world):
    w = world
    hypercare = add_level(w.project, w.lead, Path.HYPERCARE, team=w.team)

    services.team_remove(team=w.team, successor=w.spare, by=w.member)

    assert not SupportTeam.objects.filter(pk=w.team.pk).exists()
    assert Ownership.objects.get(pk=w.cell.pk).team == w.spare
    assert set(EscalationLevel.objects.filter(team=w.spare).values_list("pk", flat=True)) == {
        w.level.pk,
        hypercare.pk,
    }
    assert SupportSettings.objects.get(project=w.project).catch_all == w.spare
    for model, pk, field in [
        (Ownership, w.cell.pk, "team_id"),
        (EscalationLevel, w.level.pk, "team_id"),
        (SupportSettings, SupportSettings.objects.get(project=w.project).pk, "catch_all_id"),
    ]:
        last = model.history.filter(id=pk).latest("history_date", "history_id")
        assert (last.history_type, getattr(last, field), last.history_user) == (
            "~",
            w.spare.pk,
            w.member,
        )
    removed = SupportTeam.history.filter(id=w.team.pk).latest("history_date", "history_id")
    assert (removed.history_type, removed.history_user) == ("-", w.member)


@pytest.mark.parametrize("successor", ["another transition's", "itself"])
def test_the_successor_is_another_team_of_the_same_transition(world, successor):
    w = world
    other = SupportTeamFactory(name="Elsewhere") if successor == "another transition's" else w.team
    before = support_state(w.project)
    assert refused(lambda: services.team_remove(team=w.team, successor=other, by=w.lead)) == [
        "Choose another team of this transition to take over."
    ]
    assert support_state(w.project) == before


def test_a_team_that_owns_nothing_is_removed_without_a_successor(world):
    services.team_remove(team=world.spare, successor=None, by=world.lead)
    assert not SupportTeam.objects.filter(pk=world.spare.pk).exists()
    assert SupportTeam.objects.filter(project=world.project).get() == world.team


def test_team_members_must_be_members_of_the_transition(world, outsider):
    before = support_state(world.project)
    messages = refused(lambda: add_team(world.project, world.lead, "DBAs", [world.lead, outsider]))
    assert messages == [
        "Team members and named contacts must be members of this transition: "
        "add them on the Members page first."
    ]
    assert support_state(world.project) == before


def test_a_team_keeps_exactly_the_members_it_is_saved_with(world, ops):
    team = SupportTeam.objects.get(pk=world.team.pk)
    services.team_save(team=team, members=[ops], by=world.lead, seen_version=version_of(team))
    assert list(team.members.all()) == [ops]


# The escalation path ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "message"),
    [
        pytest.param(
            lambda w, outsider: EscalationLevel(project=w.project, phone="+44 20 7946 0000"),
            "Name the team or the person to call at this level.",
            id="neither team nor person",
        ),
        pytest.param(
            lambda w, outsider: EscalationLevel(project=w.project, person=outsider),
            "Team members and named contacts must be members of this transition: "
            "add them on the Members page first.",
            id="a person who is not a member",
        ),
        pytest.param(
            lambda w, outsider: EscalationLevel(project=w.project, team=SupportTeamFactory()),
            "Choose a team of this transition.",
            id="a team of another transition",
        ),
    ],
)
def test_a_level_names_someone_of_this_transition(world, outsider, level, message):
    before = support_state(world.project)
    unsaved = level(world, outsider)
    assert refused(lambda: services.level_save(level=unsaved, by=world.lead)) == [message]
    assert support_state(world.project) == before


def test_a_level_may_name_a_member_alone(world):
    level = add_level(world.project, world.lead, person=world.member)
    assert (level.person, level.team, level.position) == (world.member, None, 2)


@pytest.fixture
def three_levels(world) -> list[EscalationLevel]:
    w = world
    return [
        w.level,
        add_level(w.project, w.lead, team=w.spare, after_minutes=30),
        add_level(w.project, w.lead, person=w.member, on_priority="P1"),
    ]


def test_a_new_level_goes_to_the_end_of_its_path(world, three_levels):
    a, b, c = three_levels
    first_hypercare = add_level(world.project, world.lead, Path.HYPERCARE, team=world.team)
    assert positions(world.project) == [(a.pk, 1), (b.pk, 2), (c.pk, 3)]
    assert positions(world.project, Path.HYPERCARE) == [(first_hypercare.pk, 1)]


def test_deleting_a_level_closes_the_gap(world, three_levels):
    a, b, c = three_levels
    services.level_delete(level=b, by=world.lead)
    assert positions(world.project) == [(a.pk, 1), (c.pk, 2)]


@pytest.mark.parametrize(
    ("moved", "direction", "order"),
    [
        pytest.param(1, services.UP, [1, 0, 2], id="up"),
        pytest.param(1, services.DOWN, [0, 2, 1], id="down"),
        pytest.param(0, services.UP, [0, 1, 2], id="the first up: nothing"),
        pytest.param(2, services.DOWN, [0, 1, 2], id="the last down: nothing"),
    ],
)
def test_moving_a_level_swaps_it_with_its_neighbour(world, three_levels, moved, direction, order):
    history = EscalationLevel.history.filter(project=world.project).count()
    services.level_move(level=three_levels[moved], direction=direction, by=world.lead)
    expected = [(three_levels[i].pk, n) for n, i in enumerate(order, start=1)]
    assert positions(world.project) == expected
    written = EscalationLevel.history.filter(project=world.project).count() - history
    assert written == (0 if order == [0, 1, 2] else 2)


def test_a_level_moved_to_the_other_path_goes_to_its_end_and_the_path_it_left_closes_up(
    world, three_levels
):
    a, b, c = three_levels
    hypercare = add_level(world.project, world.lead, Path.HYPERCARE, team=world.team)
    moving = EscalationLevel.objects.get(pk=a.pk)
    moving.path = Path.HYPERCARE

    services.level_save(level=moving, by=world.lead, seen_version=version_of(moving))

    assert positions(world.project, Path.HYPERCARE) == [(hypercare.pk, 1), (a.pk, 2)]
    assert positions(world.project) == [(b.pk, 1), (c.pk, 2)]


def test_editing_a_level_keeps_the_position_it_has_under_the_lock(world, three_levels):
    a, b, c = three_levels
    editing = EscalationLevel.objects.get(pk=c.pk)  # read by the request, before the lock
    version = version_of(editing)
    services.level_delete(level=a, by=world.lead)  # another request gets the lock first
    editing.note = "Call the mobile first."

    services.level_save(level=editing, by=world.lead, seen_version=version)

    assert positions(world.project) == [(b.pk, 1), (c.pk, 2)]


# The matrix ------------------------------------------------------------------------


def set_cell(w: World, values, seen_version: str, tier: Tier | None = None, by=None):
    return services.cell_set(
        project=w.project,
        component=w.component,
        tier=tier or w.tiers[1],
        values=values,
        by=by or w.lead,
        seen_version=seen_version,
    )


def test_a_cell_is_created_updated_and_cleared(world):
    created = set_cell(world, owner(world.team, hours="24x7"), "")
    assert (created.team, created.hours, created.p1_minutes) == (world.team, "24x7", 30)

    updated = set_cell(
        world, owner(world.spare, p1_minutes=15, p4_minutes=2880), version_of(created)
    )
    stored = Ownership.objects.get(pk=created.pk)
    assert (stored.team, stored.p1_minutes, stored.p4_minutes) == (world.spare, 15, 2880)
    assert updated.pk == created.pk

    assert set_cell(world, None, version_of(stored)) is None
    assert not Ownership.objects.filter(pk=created.pk).exists()
    assert Ownership.history.filter(id=created.pk).count() == 3  # set, changed, cleared


def test_a_cell_set_after_the_form_was_read_empty_is_not_overwritten(world):
    theirs = set_cell(world, owner(world.spare), "", by=world.member)
    before = support_state(world.project)
    assert refused(lambda: set_cell(world, owner(world.team), "")) == [
        "Vendor desk was made owner of Payments API at L2 Application support after you "
        "opened it: reload to see it before changing it."
    ]
    assert support_state(world.project) == before
    assert Ownership.objects.get(pk=theirs.pk).team == world.spare


def test_a_cell_changed_after_the_version_read_is_not_overwritten(world):
    mine = set_cell(world, owner(world.team), "")
    read = version_of(mine)
    set_cell(world, owner(world.spare), read, by=world.member)
    before = support_state(world.project)

    with pytest.raises(EditConflict) as conflict:
        set_cell(world, owner(world.team, p1_minutes=10), read)

    assert "Team: theirs “Vendor desk”, yours “Service desk”" in conflict.value.messages
    assert conflict.value.version == version_of(Ownership.objects.get(pk=mine.pk))
    assert support_state(world.project) == before


def test_a_cell_cleared_after_the_version_read_is_not_set_again(world):
    mine = set_cell(world, owner(world.team), "")
    read = version_of(mine)
    set_cell(world, None, read, by=world.member)
    assert refused(lambda: set_cell(world, owner(world.team), read)) == [
        "Someone cleared Payments API at L2 Application support after you opened it: "
        "reload and set it again."
    ]
    assert not Ownership.objects.filter(pk=mine.pk).exists()


def test_a_cell_changed_after_the_version_read_is_not_cleared(world):
    mine = set_cell(world, owner(world.team), "")
    read = version_of(mine)
    set_cell(world, owner(world.spare), read, by=world.member)
    before = support_state(world.project)
    assert refused(lambda: set_cell(world, None, read)) == [
        "Payments API at L2 Application support was changed after you opened it: "
        "reload and try again."
    ]
    assert support_state(world.project) == before


def test_setting_a_cell_to_what_it_holds_writes_nothing(world):
    stored = Ownership.objects.get(pk=world.cell.pk)
    before = support_state(world.project)
    same = set_cell(world, owner(world.team), version_of(stored), tier=world.tiers[0])
    assert same.pk == stored.pk
    assert support_state(world.project) == before
    assert Ownership.objects.get(pk=stored.pk).updated_at == stored.updated_at


@pytest.mark.parametrize("foreign", ["component", "tier", "team"])
def test_a_cell_belongs_to_one_transition(world, foreign):
    other = factories.ProjectFactory()
    component = add_component(other, other.lead, "Elsewhere") if foreign == "component" else None
    tier = Tier.objects.filter(project=other).first() if foreign == "component" else None
    if foreign == "tier":
        tier = services.tier_save(tier=Tier(project=other, name="Elsewhere"), by=other.lead)
    team = add_team(other, other.lead, "Elsewhere") if foreign == "team" else world.team
    before = support_state(world.project)
    messages = refused(
        lambda: services.cell_set(
            project=world.project,
            component=component or world.component,
            tier=tier or world.tiers[1],
            values=owner(team),
            by=world.lead,
            seen_version="",
        )
    )
    assert messages == (
        ["Choose a team of this transition."]
        if foreign == "team"
        else ["That cell is not part of this transition's matrix."]
    )
    assert support_state(world.project) == before


# Every write: closed transitions, and the summary ----------------------------------


WRITES = {
    "component_save": lambda w: add_component(w.project, w.lead, "Ledger DB"),
    "component_delete": lambda w: services.component_delete(component=w.component, by=w.lead),
    "tier_save": lambda w: services.tier_save(tier=Tier(project=w.project, name="L4"), by=w.lead),
    "tier_delete": lambda w: services.tier_delete(tier=w.tiers[0], by=w.lead),
    "tier_move": lambda w: services.tier_move(tier=w.tiers[0], direction=services.DOWN, by=w.lead),
    "team_save": lambda w: add_team(w.project, w.lead, "DBAs", [w.lead]),
    "team_remove": lambda w: services.team_remove(team=w.spare, successor=None, by=w.lead),
    "catch_all_set": lambda w: services.catch_all_set(project=w.project, team=w.spare, by=w.lead),
    "cell_set": lambda w: set_cell(w, owner(w.spare), ""),
    "level_save": lambda w: add_level(w.project, w.lead, Path.HYPERCARE, team=w.team),
    "level_delete": lambda w: services.level_delete(level=w.level, by=w.lead),
    "level_move": lambda w: services.level_move(level=w.level, direction=services.DOWN, by=w.lead),
}


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_closed_transition_refuses_every_write(world, phase, write):
    Project.objects.filter(pk=world.project.pk).update(phase=phase)
    before = support_state(world.project)
    assert refused(lambda: write(world)) == [
        f"This transition is {phase.label}: it can no longer change."
    ]
    assert support_state(world.project) == before


def test_the_support_gate_is_registered_with_its_bulk_assessment():
    (gate,) = [gate for gate in gates.GATES if gate.key == readiness.KEY]
    assert (gate.assess, gate.assess_many) == (readiness.assess, readiness.assess_many)


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_refreshes_the_summary_with_the_support_gate(world, write):
    ProjectSummary.objects.filter(project=world.project).update(gates=[])

    write(world)

    stored = ProjectSummary.objects.get(project=world.project)
    support = [GateResult.from_dict(g) for g in stored.gates if g["key"] == readiness.KEY]
    today = timezone.localdate()
    assert support == [readiness.assess(world.project, today=today)]
    assert stored.computed_on == today
