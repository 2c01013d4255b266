"""Writes to a transition's runbooks (`apps/runbooks/services.py`): each keeps the data
valid or changes nothing, walkthroughs are evidence, and every write goes through the
project write guard."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from apps.accounts.models import User
from apps.projects.guard import ActionRefused, EditConflict
from apps.projects.models import Phase, Project, Role, Task
from apps.runbooks import services
from apps.runbooks.models import (
    Outcome,
    Runbook,
    RunbookStatus,
    Scenario,
    Walkthrough,
    WalkthroughKind,
)
from apps.support.models import Component
from tests import factories
from tests.support.factories import ComponentFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
RUNBOOK_MODELS = (Runbook, Scenario, Walkthrough)


def runbook_state(project: Project) -> dict[str, object]:
    """Every runbook row of `project`, its tasks, and the size of each audit history:
    a write that changes nothing leaves this equal."""
    state: dict[str, object] = {}
    for model in RUNBOOK_MODELS:
        name = model.__name__
        state[name] = list(model.objects.filter(project=project).order_by("pk").values())
        state[f"{name} history"] = model.history.filter(project=project).count()
    state["participants"] = sorted(
        Walkthrough.participants.through.objects.filter(walkthrough__project=project).values_list(
            "walkthrough", "user"
        )
    )
    state["tasks"] = sorted(Task.objects.filter(project=project).values_list("pk", "title"))
    return state


def refused(call: Callable[[], object]) -> list[str]:
    with pytest.raises(ActionRefused) as refusal:
        call()
    return refusal.value.messages


def add_runbook(project: Project, by: User, title="Payments runbook", **fields) -> Runbook:
    fields.setdefault("owner", by)
    fields.setdefault("review_by", TODAY + dt.timedelta(days=60))
    fields.setdefault("status", RunbookStatus.PUBLISHED)
    return services.runbook_save(runbook=Runbook(project=project, title=title, **fields), by=by)


def add_scenario(runbook: Runbook, by: User, title="API answers 5xx", **fields) -> Scenario:
    fields.setdefault("symptoms", "The 5xx rate is above 1% for five minutes.")
    fields.setdefault("resolution", "Restart the pods.")
    return services.scenario_save(
        scenario=Scenario(project_id=runbook.project_id, runbook=runbook, title=title, **fields),
        by=by,
    )


def record(scenario: Scenario, by: User, **changes) -> Walkthrough:
    arguments = {
        "scenario": scenario,
        "held_on": TODAY - dt.timedelta(days=1),
        "kind": WalkthroughKind.TABLETOP,
        "participants": [by],
        "outcome": Outcome.WORKED,
        "gaps_found": "",
        "follow_ups": [],
        "by": by,
        "role": Role.OPS,
        "now": NOW,
        **changes,
    }
    return services.walkthrough_record(**arguments)


def positions(runbook: Runbook) -> list[tuple[str, int]]:
    return list(
        Scenario.objects.filter(runbook=runbook)
        .order_by("position", "pk")
        .values_list("title", "position")
    )


@dataclass
class World:
    project: Project
    lead: User
    contributor: User
    ops: User
    component: Component
    runbook: Runbook  # owned by the contributor
    scenario: Scenario


@pytest.fixture
def world(project, lead, contributor, ops) -> World:
    component = ComponentFactory(project=project, name="Payments API")
    runbook = add_runbook(project, lead, owner=contributor, component=component)
    scenario = add_scenario(runbook, contributor, component=component)
    return World(project, lead, contributor, ops, component, runbook, scenario)


# Runbooks --------------------------------------------------------------------------


def test_a_runbook_is_saved_with_who_wrote_it(world):
    stored = Runbook.objects.get(pk=world.runbook.pk)
    assert (stored.title, stored.owner, stored.component, stored.status) == (
        "Payments runbook",
        world.contributor,
        world.component,
        RunbookStatus.PUBLISHED,
    )
    assert [(h.history_type, h.history_user) for h in stored.history.all()] == [("+", world.lead)]


def test_the_owner_must_be_a_member_of_the_transition(world, outsider):
    before = runbook_state(world.project)
    assert refused(lambda: add_runbook(world.project, world.lead, "Other", owner=outsider)) == [
        "Only members of this transition can be named: add them on the Members page first."
    ]
    assert runbook_state(world.project) == before


def test_a_component_of_another_transition_is_refused(world):
    elsewhere = ComponentFactory(project=factories.ProjectFactory(), name="Elsewhere")
    before = runbook_state(world.project)
    assert refused(lambda: add_runbook(world.project, world.lead, "X", component=elsewhere)) == [
        "That belongs to another transition: reload the page."
    ]
    assert refused(lambda: add_scenario(world.runbook, world.lead, component=elsewhere)) == [
        "That belongs to another transition: reload the page."
    ]
    assert runbook_state(world.project) == before


def test_an_edit_read_before_someone_elses_save_is_refused(world):
    mine = Runbook.objects.get(pk=world.runbook.pk)
    read = mine.updated_at
    theirs = Runbook.objects.get(pk=world.runbook.pk)
    theirs.title = "Payments runbook (v2)"
    services.runbook_save(runbook=theirs, by=world.contributor, seen_version=read)
    before = runbook_state(world.project)

    mine.title = "Payments"
    with pytest.raises(EditConflict) as conflict:
        services.runbook_save(runbook=mine, by=world.lead, seen_version=read)

    assert "Title: theirs “Payments runbook (v2)”, yours “Payments”" in conflict.value.messages
    assert runbook_state(world.project) == before
    assert Runbook.objects.get(pk=world.runbook.pk).title == "Payments runbook (v2)"


def test_an_edit_of_the_current_version_is_saved(world):
    mine = Runbook.objects.get(pk=world.runbook.pk)
    mine.status = RunbookStatus.DRAFT
    services.runbook_save(runbook=mine, by=world.lead, seen_version=mine.updated_at)
    assert Runbook.objects.get(pk=mine.pk).status == RunbookStatus.DRAFT


def test_a_runbook_without_walkthroughs_is_deleted_with_its_scenarios(world):
    add_scenario(world.runbook, world.lead, "Ledger lags")

    services.runbook_delete(runbook=world.runbook, by=world.lead)

    assert not Runbook.objects.filter(project=world.project).exists()
    assert not Scenario.objects.filter(project=world.project).exists()
    deleted = Scenario.history.filter(project=world.project, history_type="-")
    assert {h.history_user for h in deleted} == {world.lead}
    assert deleted.count() == 2


def test_a_runbook_with_a_rehearsed_scenario_is_not_deleted(world):
    record(world.scenario, world.ops)
    before = runbook_state(world.project)

    assert refused(lambda: services.runbook_delete(runbook=world.runbook, by=world.lead)) == [
        "“Payments runbook” has rehearsed scenarios: their walkthroughs are evidence. "
        "Set it back to draft instead."
    ]
    assert runbook_state(world.project) == before


# Scenarios -------------------------------------------------------------------------


def test_a_new_scenario_goes_to_the_end_of_its_runbook(world):
    add_scenario(world.runbook, world.lead, "Ledger lags")
    add_scenario(world.runbook, world.lead, "Queue backs up")
    other = add_runbook(world.project, world.lead, "Batch jobs")
    add_scenario(other, world.lead, "Nightly batch fails")

    assert positions(world.runbook) == [
        ("API answers 5xx", 1),
        ("Ledger lags", 2),
        ("Queue backs up", 3),
    ]
    assert positions(other) == [("Nightly batch fails", 1)]


def test_editing_a_scenario_keeps_the_position_it_has_under_the_lock(world):
    second = add_scenario(world.runbook, world.lead, "Ledger lags")
    stale = Scenario.objects.get(pk=second.pk)  # read at position 2
    services.scenario_move(scenario=second, direction=services.UP, by=world.lead)

    stale.symptoms = "Replication lag above 30 s."
    services.scenario_save(scenario=stale, by=world.lead, seen_version=stale.updated_at)

    assert positions(world.runbook) == [("Ledger lags", 1), ("API answers 5xx", 2)]
    assert Scenario.objects.get(pk=second.pk).symptoms == "Replication lag above 30 s."


@pytest.fixture
def three(world) -> list[Scenario]:
    return [
        world.scenario,
        add_scenario(world.runbook, world.lead, "Ledger lags"),
        add_scenario(world.runbook, world.lead, "Queue backs up"),
    ]


@pytest.mark.parametrize(
    ("moved", "direction", "order"),
    [
        (1, services.UP, ["Ledger lags", "API answers 5xx", "Queue backs up"]),
        (1, services.DOWN, ["API answers 5xx", "Queue backs up", "Ledger lags"]),
        (0, services.DOWN, ["Ledger lags", "API answers 5xx", "Queue backs up"]),
        (2, services.UP, ["API answers 5xx", "Queue backs up", "Ledger lags"]),
    ],
)
def test_moving_a_scenario_swaps_it_with_its_neighbour(world, three, moved, direction, order):
    services.scenario_move(scenario=three[moved], direction=direction, by=world.lead)
    assert positions(world.runbook) == [(title, n) for n, title in enumerate(order, start=1)]


@pytest.mark.parametrize(("end", "direction"), [(0, services.UP), (2, services.DOWN)])
def test_moving_a_scenario_past_an_end_changes_nothing(world, three, end, direction):
    before = runbook_state(world.project)
    services.scenario_move(scenario=three[end], direction=direction, by=world.lead)
    assert runbook_state(world.project) == before


@pytest.mark.parametrize("direction", ["sideways", "", "UP"])
def test_a_scenario_moves_only_up_or_down(world, three, direction):
    before = runbook_state(world.project)
    assert refused(
        lambda: services.scenario_move(scenario=three[1], direction=direction, by=world.lead)
    ) == ["Move a scenario up or down."]
    assert runbook_state(world.project) == before


def test_a_scenario_never_walked_through_is_deleted(world, three):
    services.scenario_delete(scenario=three[1], by=world.lead)
    assert [title for title, _ in positions(world.runbook)] == ["API answers 5xx", "Queue backs up"]


def test_a_walked_through_scenario_is_not_deleted(world):
    record(world.scenario, world.ops, outcome=Outcome.FAILED)
    before = runbook_state(world.project)

    assert refused(lambda: services.scenario_delete(scenario=world.scenario, by=world.lead)) == [
        "“API answers 5xx” was walked through: its walkthroughs are evidence and point at it. "
        "Edit it instead."
    ]
    assert runbook_state(world.project) == before


# Walkthroughs ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.VIEWER, None])
def test_only_operations_or_the_lead_record_a_walkthrough(world, role):
    before = runbook_state(world.project)
    assert refused(lambda: record(world.scenario, world.ops, role=role)) == [
        "Walkthroughs are recorded by operations (or the lead)."
    ]
    assert runbook_state(world.project) == before


def test_the_lead_may_record_a_walkthrough(world):
    walkthrough = record(world.scenario, world.lead, role=Role.LEAD)
    assert walkthrough.recorded_by == world.lead


BAD_WALKTHROUGHS = {
    "held tomorrow": (
        {"held_on": TODAY + dt.timedelta(days=1)},
        "A walkthrough is recorded after it was held: the date is ahead.",
    ),
    "nobody took part": ({"participants": []}, "Name who took part."),
    "a participant from outside": (
        {"participants": "outsider"},
        "Only members of this transition can be named: add them on the Members page first.",
    ),
}


@pytest.mark.parametrize(
    ("changes", "message"), BAD_WALKTHROUGHS.values(), ids=BAD_WALKTHROUGHS.keys()
)
def test_a_walkthrough_that_cannot_be_true_is_refused(world, outsider, changes, message):
    if changes.get("participants") == "outsider":
        changes = {"participants": [world.ops, outsider]}
    before = runbook_state(world.project)
    assert refused(lambda: record(world.scenario, world.ops, **changes)) == [message]
    assert runbook_state(world.project) == before


def test_a_walkthrough_held_today_is_recorded_with_what_was_rehearsed(world, viewer):
    scenario = Scenario.objects.get(pk=world.scenario.pk)
    walkthrough = record(
        scenario,
        world.ops,
        held_on=TODAY,
        kind=WalkthroughKind.GAME_DAY,
        participants=[world.ops, viewer],
        outcome=Outcome.WORKED_WITH_CHANGES,
        gaps_found="The restart command needs the namespace.",
    )
    stored = Walkthrough.objects.get(pk=walkthrough.pk)
    assert (
        stored.project,
        stored.scenario,
        stored.held_on,
        stored.kind,
        stored.outcome,
        stored.gaps_found,
        stored.recorded_by,
        stored.recorded_at,
    ) == (
        world.project,
        scenario,
        TODAY,
        WalkthroughKind.GAME_DAY,
        Outcome.WORKED_WITH_CHANGES,
        "The restart command needs the namespace.",
        world.ops,
        NOW,
    )
    assert set(stored.participants.all()) == {world.ops, viewer}
    rehearsed = {
        "title": "API answers 5xx",
        "symptoms": "The 5xx rate is above 1% for five minutes.",
        "normal": "",
        "problem": "",
        "first_checks": "",
        "diagnosis": "",
        "resolution": "Restart the pods.",
        "rollback": "",
        "alert_names": "",
    }
    assert stored.scenario_snapshot == rehearsed

    # Editing the scenario afterwards leaves the evidence as it was rehearsed.
    scenario.resolution = "Restart the pods in the payments namespace."
    services.scenario_save(scenario=scenario, by=world.lead, seen_version=scenario.updated_at)
    assert Walkthrough.objects.get(pk=walkthrough.pk).scenario_snapshot == rehearsed


def test_each_follow_up_becomes_a_task_for_the_runbook_owner(world):
    held_on = TODAY - dt.timedelta(days=3)
    record(
        world.scenario,
        world.ops,
        held_on=held_on,
        follow_ups=["Add the namespace to the restart step", "Page the vendor earlier"],
    )

    tasks = Task.objects.filter(project=world.project).order_by("pk")
    assert [(t.title, t.area, t.owner, t.due_date) for t in tasks] == [
        (title, Task.Area.RUNBOOK, world.contributor, held_on + dt.timedelta(days=14))
        for title in ("Add the namespace to the restart step", "Page the vendor earlier")
    ]
    assert all("API answers 5xx" in t.description for t in tasks)
    assert {t.history.get().history_user for t in tasks} == {world.ops}


def test_no_follow_ups_create_no_task(world):
    record(world.scenario, world.ops, follow_ups=[])
    assert not Task.objects.filter(project=world.project).exists()


def test_blank_follow_up_lines_create_no_task(world):
    record(world.scenario, world.ops, follow_ups=["Page the vendor earlier", "", "   "])
    assert list(Task.objects.filter(project=world.project).values_list("title", flat=True)) == [
        "Page the vendor earlier"
    ]


# Every write: closed transitions ---------------------------------------------------


def _edit_runbook(w: World) -> Runbook:
    runbook = Runbook.objects.get(pk=w.runbook.pk)
    runbook.title = "Renamed"
    return services.runbook_save(runbook=runbook, by=w.lead, seen_version=runbook.updated_at)


def _edit_scenario(w: World) -> Scenario:
    scenario = Scenario.objects.get(pk=w.scenario.pk)
    scenario.title = "Renamed"
    return services.scenario_save(scenario=scenario, by=w.lead, seen_version=scenario.updated_at)


WRITES = {
    "runbook_save (new)": lambda w: add_runbook(w.project, w.lead, "Batch jobs"),
    "runbook_save (edit)": _edit_runbook,
    "runbook_delete": lambda w: services.runbook_delete(runbook=w.runbook, by=w.lead),
    "scenario_save (new)": lambda w: add_scenario(w.runbook, w.lead, "Ledger lags"),
    "scenario_save (edit)": _edit_scenario,
    "scenario_move": lambda w: services.scenario_move(
        scenario=w.scenario, direction=services.DOWN, by=w.lead
    ),
    "scenario_delete": lambda w: services.scenario_delete(scenario=w.scenario, by=w.lead),
    "walkthrough_record": lambda w: record(w.scenario, w.ops, follow_ups=["Fix it"]),
}


@pytest.mark.parametrize("phase", [Phase.BAU, Phase.CANCELLED])
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_closed_transition_refuses_every_write(world, phase, write):
    add_scenario(world.runbook, world.lead, "Queue backs up")  # something to move past
    Project.objects.filter(pk=world.project.pk).update(phase=phase)
    before = runbook_state(world.project)
    assert refused(lambda: write(world)) == [
        f"This transition is {phase.label}: it can no longer change."
    ]
    assert runbook_state(world.project) == before
