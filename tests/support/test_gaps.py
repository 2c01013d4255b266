"""The support model's gap rules (`apps/support/gaps.py`): pure tables, no database.

Every case starts from `COMPLETE`, a support model with no gap at all, and breaks
one thing, so each row shows what a rule looks at and nothing else.
"""

from dataclasses import replace

import pytest

from apps.support.gaps import (
    CellFact,
    ComponentFact,
    Gap,
    LevelFact,
    SupportFacts,
    TeamFact,
    TierFact,
    checks,
    find,
    level_people,
    reachable,
    score,
)

ALICE, BOB, CAROL = 1, 2, 3
API, LEDGER = 10, 11
L1, L2, L3 = 20, 21, 22
DESK, APP, VENDOR = 30, 31, 32
STD1, STD2, HYP1 = 40, 41, 42

MATRIX, TEAMS, ESCALATION = "support:matrix", "support:teams", "support:escalation"

COMPONENTS = (ComponentFact(API, "Payments API", "critical"), ComponentFact(LEDGER, "Ledger DB"))
TIERS = (
    TierFact(L1, "L1 Service desk"),
    TierFact(L2, "L2 Application support"),
    TierFact(L3, "L3 Engineering"),
)
DESK_TEAM = TeamFact(DESK, "Service desk", frozenset({ALICE}), True, True)
APP_TEAM = TeamFact(APP, "App support", frozenset({BOB}), True, True)
VENDOR_TEAM = TeamFact(VENDOR, "Vendor desk", frozenset({CAROL}), True, True)


def cell(component: int, tier: int, team: int, hours="business", p1=30) -> CellFact:
    return CellFact(component, tier, team, hours, p1)


CELLS = (
    cell(API, L1, DESK, hours="24x7"),
    cell(API, L2, APP),
    cell(API, L3, APP),
    cell(LEDGER, L1, DESK),
    cell(LEDGER, L2, APP),
    cell(LEDGER, L3, APP),
)
LEVELS = (
    LevelFact(STD1, "standard", 1, team_id=DESK),
    LevelFact(STD2, "standard", 2, team_id=APP, after_minutes=30),
    LevelFact(HYP1, "hypercare", 1, team_id=APP),
)
COMPLETE = SupportFacts(
    components=COMPONENTS,
    tiers=TIERS,
    cells=CELLS,
    teams=(DESK_TEAM, APP_TEAM),
    levels=LEVELS,
    catch_all_team_id=DESK,
    people={ALICE: "Alice Ames", BOB: "Bob Brown", CAROL: "Carol Cole"},
)
COMPLETE_CHECKS = 19  # 2 + 2x3 cells + 2 (critical) + 1 path + 3 levels + 2 teams + 2 scopes + 1


def without_cells(*dropped: tuple[int, int]) -> tuple[CellFact, ...]:
    return tuple(c for c in CELLS if (c.component_id, c.tier_id) not in dropped)


def with_cell(component: int, tier: int, **changes) -> tuple[CellFact, ...]:
    return tuple(
        replace(c, **changes) if (c.component_id, c.tier_id) == (component, tier) else c
        for c in CELLS
    )


def with_level(level_id: int, **changes) -> tuple[LevelFact, ...]:
    return tuple(replace(lv, **changes) if lv.id == level_id else lv for lv in LEVELS)


def facts(**changes) -> SupportFacts:
    return replace(COMPLETE, **changes)


def rules(found: list[Gap]) -> set[str]:
    return {g.rule for g in found}


def test_a_complete_support_model_has_no_gap_and_scores_100():
    assert find(COMPLETE) == []
    assert checks(COMPLETE) == COMPLETE_CHECKS
    assert score(COMPLETE, find(COMPLETE)) == 100


FIRES = [
    pytest.param(
        facts(components=(), cells=()),
        Gap(
            "no_components",
            "No components are in scope: list what operations will support.",
            MATRIX,
            "components",
            blocking=True,
        ),
        id="no_components: nothing in scope",
    ),
    pytest.param(
        facts(tiers=(), cells=()),
        Gap("no_tiers", "There are no support tiers to own the components.", MATRIX, "tiers"),
        id="no_tiers: no tiers",
    ),
    pytest.param(
        facts(cells=without_cells((LEDGER, L3))),
        Gap("unowned", "Ledger DB has no owner at L3 Engineering.", MATRIX, f"component-{LEDGER}"),
        id="unowned: one tier missing",
    ),
    pytest.param(
        facts(cells=without_cells((LEDGER, L1), (LEDGER, L2), (LEDGER, L3))),
        Gap(
            "unowned",
            "Ledger DB has no owner at L1 Service desk, L2 Application support and L3 Engineering.",
            MATRIX,
            f"component-{LEDGER}",
            weight=3,  # three checks fail: one per tier
        ),
        id="unowned: every tier missing, listed in tier order",
    ),
    pytest.param(
        facts(cells=with_cell(API, L1, hours="business")),
        Gap(
            "no_24x7",
            "Payments API is critical but no tier supports it 24x7.",
            MATRIX,
            f"component-{API}",
        ),
        id="no_24x7: critical component with business hours only",
    ),
    pytest.param(
        facts(cells=without_cells((API, L1))),
        Gap(
            "no_24x7",
            "Payments API is critical but no tier supports it 24x7.",
            MATRIX,
            f"component-{API}",
        ),
        id="no_24x7: the only 24x7 cell of a critical component is unowned",
    ),
    pytest.param(
        facts(cells=with_cell(API, L2, p1_minutes=None)),
        Gap(
            "no_p1_target",
            "Payments API has no P1 response target at L2 Application support.",
            MATRIX,
            f"component-{API}",
            blocking=True,
        ),
        id="no_p1_target: critical component, blocking",
    ),
    pytest.param(
        facts(
            cells=tuple(
                replace(c, p1_minutes=None) if c.component_id == LEDGER and c.tier_id != L1 else c
                for c in CELLS
            )
        ),
        Gap(
            "no_p1_target",
            "Ledger DB has no P1 response target at L2 Application support and L3 Engineering.",
            MATRIX,
            f"component-{LEDGER}",
            blocking=False,
        ),
        id="no_p1_target: normal component, advisory",
    ),
    pytest.param(
        facts(levels=(LEVELS[2],)),
        Gap(
            "no_path",
            "The escalation path has no levels: nobody knows whom to call next.",
            ESCALATION,
            "path-standard",
        ),
        id="no_path: only a hypercare path",
    ),
    pytest.param(
        facts(teams=(DESK_TEAM, replace(APP_TEAM, reachable_means=False))),
        Gap(
            "unreachable",
            "Level 2 (App support) cannot be reached: no phone, pager or email is given.",
            ESCALATION,
            f"level-{STD2}",
        ),
        id="unreachable: chat-only team on the standard path",
    ),
    pytest.param(
        facts(teams=(DESK_TEAM, replace(APP_TEAM, reachable_means=False))),
        Gap(
            "unreachable",
            "Hypercare level 1 (App support) cannot be reached: no phone, pager or email is given.",
            ESCALATION,
            f"level-{HYP1}",
        ),
        id="unreachable: chat-only team on the hypercare path",
    ),
    pytest.param(
        facts(teams=(DESK_TEAM, replace(APP_TEAM, member_ids=frozenset()))),
        Gap(
            "unreachable",
            "Level 2 (App support) cannot be reached: App support has no members.",
            ESCALATION,
            f"level-{STD2}",
        ),
        id="unreachable: team without members",
    ),
    pytest.param(
        facts(
            levels=with_level(
                STD2, team_id=None, person_id=CAROL, person_name="Carol Cole", person_current=False
            )
        ),
        Gap(
            "former_member",
            "Level 2 (Carol Cole) names Carol Cole, who is no longer a member of this transition.",
            ESCALATION,
            f"level-{STD2}",
        ),
        id="former_member: the person named left the transition",
    ),
    pytest.param(
        facts(levels=with_level(STD2, after_minutes=None)),
        Gap(
            "no_when",
            "Level 2 (App support) does not say when to escalate to it.",
            ESCALATION,
            f"level-{STD2}",
            blocking=False,
        ),
        id="no_when: second level without a delay or a priority",
    ),
    pytest.param(
        facts(teams=(DESK_TEAM, replace(APP_TEAM, member_ids=frozenset()))),
        Gap("empty_team", "App support has no members.", TEAMS, f"team-{APP}", blocking=True),
        id="empty_team: a team that owns cells and levels, blocking",
    ),
    pytest.param(
        facts(
            teams=(
                replace(DESK_TEAM, member_ids=frozenset()),
                APP_TEAM,
            ),
            cells=tuple(replace(c, team_id=APP) for c in CELLS),
            levels=with_level(STD1, team_id=APP),
        ),
        Gap("empty_team", "Service desk has no members.", TEAMS, f"team-{DESK}", blocking=True),
        id="empty_team: the catch-all alone makes it blocking",
    ),
    pytest.param(
        facts(teams=(DESK_TEAM, APP_TEAM, replace(VENDOR_TEAM, member_ids=frozenset()))),
        Gap("empty_team", "Vendor desk has no members.", TEAMS, f"team-{VENDOR}", blocking=False),
        id="empty_team: a team that owns nothing, advisory",
    ),
    pytest.param(
        facts(teams=(replace(DESK_TEAM, scope_written=False), APP_TEAM)),
        Gap(
            "no_scope",
            "Service desk owns components but its scope is not written down.",
            TEAMS,
            f"team-{DESK}",
        ),
        id="no_scope: a team in the matrix",
    ),
    pytest.param(
        facts(catch_all_team_id=None),
        Gap(
            "no_catch_all",
            "No catch-all owner: nobody takes what falls between the cracks.",
            TEAMS,
            "catch-all",
        ),
        id="no_catch_all",
    ),
    pytest.param(
        facts(levels=with_level(STD2, team_id=DESK)),
        Gap(
            "single_point",
            "Alice Ames is the only contact at 2 levels of the standard path: "
            "a single point of failure.",
            ESCALATION,
            "path-standard",
            blocking=False,
        ),
        id="single_point: one team's only member on two standard levels",
    ),
    pytest.param(
        facts(
            levels=(
                LevelFact(STD1, "standard", 1, person_id=ALICE, person_name="Alice Ames"),
                LevelFact(STD2, "standard", 2, team_id=DESK, after_minutes=15),
                LEVELS[2],
            )
        ),
        Gap(
            "single_point",
            "Alice Ames is the only contact at 2 levels of the standard path: "
            "a single point of failure.",
            ESCALATION,
            "path-standard",
            blocking=False,
        ),
        id="single_point: a person level and a team of that person alone",
    ),
    pytest.param(
        facts(levels=(*LEVELS, LevelFact(43, "hypercare", 2, team_id=APP, on_priority="P1"))),
        Gap(
            "single_point",
            "Bob Brown is the only contact at 2 levels of the hypercare path: "
            "a single point of failure.",
            ESCALATION,
            "path-hypercare",
            blocking=False,
        ),
        id="single_point: on the hypercare path",
    ),
    pytest.param(
        facts(levels=LEVELS[:2]),
        Gap(
            "no_hypercare_path",
            "There is no hypercare escalation path: the standard path will be used "
            "during hypercare.",
            ESCALATION,
            "path-hypercare",
            blocking=False,
        ),
        id="no_hypercare_path",
    ),
]


# A few breaks also trip a rule that follows from them: a team without members is
# unreachable, a critical component without tiers has no 24x7 cover.
RELATED = {
    "no_tiers": ("no_24x7",),
    "no_24x7": ("unowned",),
    "unreachable": ("empty_team",),
    "empty_team": ("unreachable", "single_point"),
}


@pytest.mark.parametrize(("broken", "expected"), FIRES)
def test_a_rule_fires_with_its_sentence_page_anchor_and_weight(broken, expected):
    found = find(broken)
    assert expected in found, [g for g in found if g.rule == expected.rule]
    assert rules(found) <= {expected.rule, *RELATED.get(expected.rule, ())}


HOLDS = [
    pytest.param(facts(), "no_components", id="no_components: one component is enough"),
    pytest.param(facts(), "no_tiers", id="no_tiers: three tiers"),
    pytest.param(facts(), "unowned", id="unowned: every cell owned"),
    pytest.param(
        facts(levels=with_level(STD2, person_id=CAROL, person_name="Carol Cole")),
        "former_member",
        id="former_member: a person who is still a member",
    ),
    pytest.param(
        facts(cells=with_cell(LEDGER, L1, hours="business")),
        "no_24x7",
        id="no_24x7: a normal component may have business hours only",
    ),
    pytest.param(
        facts(cells=with_cell(API, L3, hours="24x7")),
        "no_24x7",
        id="no_24x7: one 24x7 tier is enough for a critical component",
    ),
    pytest.param(
        facts(cells=without_cells((API, L1), (API, L2), (API, L3))),
        "no_p1_target",
        id="no_p1_target: an unowned cell is unowned, not untargeted",
    ),
    pytest.param(facts(levels=LEVELS[:1]), "no_path", id="no_path: one standard level"),
    pytest.param(
        facts(
            teams=(replace(DESK_TEAM, reachable_means=False), APP_TEAM),
            levels=with_level(STD1, reachable_means=True),
        ),
        "unreachable",
        id="unreachable: the level's own phone reaches a chat-only team",
    ),
    pytest.param(
        facts(levels=with_level(STD1, team_id=None, person_id=CAROL, person_name="Carol Cole")),
        "unreachable",
        id="unreachable: a named person without any means given",
    ),
    pytest.param(
        facts(levels=with_level(STD2, after_minutes=None, on_priority="P1")),
        "no_when",
        id="no_when: a priority is enough",
    ),
    pytest.param(
        facts(levels=with_level(STD1, after_minutes=None)),
        "no_when",
        id="no_when: the first level needs no delay",
    ),
    pytest.param(facts(), "empty_team", id="empty_team: every team staffed"),
    pytest.param(
        facts(
            teams=(DESK_TEAM, APP_TEAM, replace(VENDOR_TEAM, scope_written=False)),
            levels=(*LEVELS, LevelFact(43, "standard", 3, team_id=VENDOR, on_priority="P1")),
        ),
        "no_scope",
        id="no_scope: a team on the path only, outside the matrix",
    ),
    pytest.param(facts(), "no_catch_all", id="no_catch_all: a catch-all is named"),
    pytest.param(
        facts(levels=(LEVELS[0], replace(LEVELS[2], team_id=DESK))),
        "single_point",
        id="single_point: the same person on one standard and one hypercare level",
    ),
    pytest.param(
        facts(
            teams=(replace(DESK_TEAM, member_ids=frozenset({ALICE, BOB})), APP_TEAM),
            levels=with_level(STD2, team_id=DESK),
        ),
        "single_point",
        id="single_point: a team of two on two levels",
    ),
    pytest.param(facts(), "no_hypercare_path", id="no_hypercare_path: one is modelled"),
]


@pytest.mark.parametrize(("near_miss", "rule"), HOLDS)
def test_a_rule_does_not_fire_on_a_near_miss(near_miss, rule):
    assert rule not in rules(find(near_miss))


def test_the_single_point_names_someone_it_cannot_name_plainly():
    unnamed = replace(COMPLETE, levels=with_level(STD2, team_id=DESK), people={})
    (gap,) = [g for g in find(unnamed) if g.rule == "single_point"]
    assert gap.sentence.startswith("One person is the only contact at 2 levels")


# The score -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("modelled", "expected"),
    [
        pytest.param(SupportFacts(), 0, id="nothing modelled"),
        pytest.param(facts(components=(), cells=()), 0, id="teams and paths but no components"),
        pytest.param(COMPLETE, 100, id="complete"),
        pytest.param(
            facts(levels=with_level(STD2, after_minutes=None)), 100, id="advisory gaps only"
        ),
        pytest.param(facts(catch_all_team_id=None), 100 * 18 // 19, id="one check of 19 fails"),
        pytest.param(
            facts(cells=without_cells((LEDGER, L2), (LEDGER, L3))),
            100 * 17 // 19,
            id="an unowned component counts once per missing tier",
        ),
        pytest.param(
            facts(cells=without_cells((LEDGER, L1), (LEDGER, L2), (LEDGER, L3))),
            100 * 16 // 19,
            id="a component unowned at every tier",
        ),
        pytest.param(
            facts(catch_all_team_id=None, cells=with_cell(API, L1, hours="business")),
            100 * 17 // 19,
            id="two different checks fail",
        ),
    ],
)
def test_the_score_is_the_share_of_checks_that_pass(modelled, expected):
    assert score(modelled, find(modelled)) == expected


def test_the_score_never_goes_below_zero():
    broken = SupportFacts(components=COMPONENTS, tiers=TIERS)
    assert 0 <= score(broken, find(broken)) < 100


# Who answers at a level, and whether anyone can be reached ----------------------


TEAMS_BY_ID = {
    DESK: DESK_TEAM,
    APP: APP_TEAM,
    VENDOR: replace(VENDOR_TEAM, member_ids=frozenset()),
    99: TeamFact(99, "Chat only", frozenset({CAROL}), reachable_means=False),
}


@pytest.mark.parametrize(
    ("level", "people", "is_reachable"),
    [
        pytest.param(
            LevelFact(1, "standard", 1, person_id=CAROL), {CAROL}, True, id="person-only level"
        ),
        pytest.param(
            LevelFact(1, "standard", 1, team_id=VENDOR, reachable_means=True),
            set(),
            False,
            id="team without members, even with the level's phone",
        ),
        pytest.param(
            LevelFact(1, "standard", 1, team_id=99),
            {CAROL},
            False,
            id="team with members but only chat",
        ),
        pytest.param(
            LevelFact(1, "standard", 1, team_id=99, reachable_means=True),
            {CAROL},
            True,
            id="the level's own phone makes the team level reachable",
        ),
        pytest.param(
            LevelFact(1, "standard", 1, team_id=DESK), {ALICE}, True, id="team with an email"
        ),
        pytest.param(
            LevelFact(1, "standard", 1, team_id=DESK, person_id=BOB),
            {ALICE, BOB},
            True,
            id="a team and a person: both answer",
        ),
        pytest.param(
            LevelFact(1, "standard", 1, team_id=VENDOR, person_id=BOB),
            {BOB},
            True,
            id="a named person reaches past an empty team",
        ),
        pytest.param(
            LevelFact(1, "standard", 1, team_id=12345),
            set(),
            False,
            id="a team that is not in the facts",
        ),
    ],
)
def test_who_answers_at_a_level_and_whether_they_can_be_reached(level, people, is_reachable):
    assert level_people(level, TEAMS_BY_ID) == frozenset(people)
    assert reachable(level, TEAMS_BY_ID) is is_reachable
