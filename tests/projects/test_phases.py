"""The phase rules are a pure function over plain facts: table tests, no database."""

import datetime as dt

import pytest

from apps.projects.models import Phase
from apps.projects.phases import PHASE_MOVES, PhaseFacts, allowed_moves, move_blockers

GO_LIVE = dt.date(2027, 3, 1)
READY = PhaseFacts(go_live_date=GO_LIVE, criteria_total=3, criteria_unsigned=0)


@pytest.mark.parametrize(
    ("current", "to", "facts", "expected"),
    [
        (Phase.PLANNING, Phase.READINESS, READY, []),
        (Phase.READINESS, Phase.HYPERCARE, READY, []),
        (Phase.HYPERCARE, Phase.BAU, READY, []),
        (Phase.CANCELLED, Phase.PLANNING, READY, []),
        (
            Phase.READINESS,
            Phase.HYPERCARE,
            PhaseFacts(go_live_date=None, criteria_total=3, criteria_unsigned=0),
            ["Set the go-live date before starting hypercare."],
        ),
        (
            Phase.HYPERCARE,
            Phase.BAU,
            PhaseFacts(go_live_date=GO_LIVE, criteria_total=0, criteria_unsigned=0),
            ["No acceptance criteria are defined: operations has nothing to sign off yet."],
        ),
        (
            Phase.HYPERCARE,
            Phase.BAU,
            PhaseFacts(go_live_date=GO_LIVE, criteria_total=5, criteria_unsigned=2),
            ["2 of 5 acceptance criteria are not signed off by operations."],
        ),
        (Phase.PLANNING, Phase.PLANNING, READY, ["The transition is already in Planning."]),
        (
            Phase.PLANNING,
            Phase.BAU,
            READY,
            ["A transition in Planning cannot move to BAU (possible: Readiness, Cancelled)."],
        ),
        (
            Phase.BAU,
            Phase.PLANNING,
            READY,
            ["A transition in BAU cannot move to Planning (possible: none)."],
        ),
        (Phase.PLANNING, "bogus", READY, ["'bogus' is not a phase."]),
    ],
)
def test_move_blockers_explain_every_refusal(current, to, facts, expected):
    assert move_blockers(current, to, facts) == expected


def test_bau_is_final_and_cancelled_can_only_be_reopened():
    assert allowed_moves(Phase.BAU) == ()
    assert allowed_moves(Phase.CANCELLED) == (Phase.PLANNING,)


def test_every_phase_has_its_moves_declared():
    assert set(PHASE_MOVES) == set(Phase.values)
    for moves in PHASE_MOVES.values():
        assert set(moves) <= set(Phase.values)
