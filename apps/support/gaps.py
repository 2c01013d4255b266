"""Where a support model has gaps: pure rules over plain facts, no database.

`find(facts)` returns every gap, each a sentence a delivery lead can act on, the
page and anchor where it is fixed, and whether it blocks go-live. `readiness.py`
gathers the facts and turns the gaps into the gate's findings.

The rules:
- `no_components`: nothing is in scope (blocking);
- `no_tiers`: there are no support tiers (blocking);
- `unowned`: a component has no owner at some tier (blocking);
- `no_24x7`: a critical component has no tier with 24x7 cover (blocking);
- `no_p1_target`: an owned cell of a critical component has no P1 response target
  (blocking); of other components, advisory;
- `no_path`: the standard escalation path has no levels (blocking);
- `unreachable`: an escalation level has no reachable contact: its team has no
  members, or neither the level nor its team gives a phone, pager or email
  (blocking);
- `former_member`: a level names a person who is no longer an active member of the
  transition (blocking: the gate is proven by people who can still be called).
  Team members who left the transition are not counted as members at all;
- `no_when`: a level after the first says neither after how long nor for which
  priority to escalate to it (advisory);
- `empty_team`: a team that owns a cell or a level has no members (blocking); a team
  that owns nothing, advisory;
- `no_scope`: a team in the matrix has no written scope (blocking);
- `no_catch_all`: no catch-all owner (blocking);
- `single_point`: one person is the only contact of more than one level of a path
  (advisory: small teams often must, but it should be a decision);
- `no_hypercare_path`: no hypercare escalation path; the standard path is used
  during hypercare (advisory).

`score(facts, gaps)` is the share of the checks that pass, in percent; a gap's
`weight` is how many checks it stands for (a component unowned at two tiers, two).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from apps.core.text import and_join

CRITICAL = "critical"
ALWAYS = "24x7"
STANDARD = "standard"
HYPERCARE = "hypercare"
PATH_NAMES = {STANDARD: "standard", HYPERCARE: "hypercare"}

# The pages a gap is fixed on (URL names of apps/support/urls.py).
MATRIX = "support:matrix"
TEAMS = "support:teams"
ESCALATION = "support:escalation"


@dataclass(frozen=True)
class ComponentFact:
    id: int
    name: str
    criticality: str = "normal"


@dataclass(frozen=True)
class TierFact:
    id: int
    name: str


@dataclass(frozen=True)
class CellFact:
    component_id: int
    tier_id: int
    team_id: int
    hours: str = "business"
    p1_minutes: int | None = None


@dataclass(frozen=True)
class TeamFact:
    id: int
    name: str
    member_ids: frozenset[int] = frozenset()
    # A phone, pager or email: a way to reach the team at 3 a.m. (chat alone is not).
    reachable_means: bool = False
    scope_written: bool = False


@dataclass(frozen=True)
class LevelFact:
    id: int
    path: str
    position: int
    team_id: int | None = None
    person_id: int | None = None
    person_name: str = ""
    # False when the person named has left the transition (or their account is off).
    person_current: bool = True
    reachable_means: bool = False  # the level's own phone, pager or email
    after_minutes: int | None = None
    on_priority: str = ""


@dataclass(frozen=True)
class SupportFacts:
    components: Sequence[ComponentFact] = ()
    tiers: Sequence[TierFact] = ()  # in order
    cells: Sequence[CellFact] = ()
    teams: Sequence[TeamFact] = ()
    levels: Sequence[LevelFact] = ()  # in path, position order
    catch_all_team_id: int | None = None
    people: dict[int, str] = field(default_factory=dict)  # member id -> name


@dataclass(frozen=True)
class Gap:
    rule: str
    sentence: str
    page: str  # the URL name where it is fixed
    anchor: str = ""
    blocking: bool = True
    weight: int = 1  # how many of `checks` this gap fails


def find(facts: SupportFacts) -> list[Gap]:
    """Every gap in `facts`, blocking ones of each rule before advisory ones."""
    gaps: list[Gap] = []
    teams = {t.id: t for t in facts.teams}
    gaps += _scope_gaps(facts)
    gaps += _matrix_gaps(facts)
    gaps += _path_gaps(facts, teams)
    gaps += _team_gaps(facts, teams)
    if facts.catch_all_team_id is None:
        gaps.append(
            Gap(
                "no_catch_all",
                "No catch-all owner: nobody takes what falls between the cracks.",
                TEAMS,
                "catch-all",
            )
        )
    return gaps


def _scope_gaps(facts: SupportFacts) -> list[Gap]:
    gaps = []
    if not facts.components:
        gaps.append(
            Gap(
                "no_components",
                "No components are in scope: list what operations will support.",
                MATRIX,
                "components",
            )
        )
    if not facts.tiers:
        gaps.append(
            Gap("no_tiers", "There are no support tiers to own the components.", MATRIX, "tiers")
        )
    return gaps


def _matrix_gaps(facts: SupportFacts) -> list[Gap]:
    gaps = []
    cells = {(c.component_id, c.tier_id): c for c in facts.cells}
    for component in facts.components:
        anchor = f"component-{component.id}"
        missing = [t.name for t in facts.tiers if (component.id, t.id) not in cells]
        if missing:
            gaps.append(
                Gap(
                    "unowned",
                    f"{component.name} has no owner at {and_join(missing)}.",
                    MATRIX,
                    anchor,
                    weight=len(missing),
                )
            )
        owned = [cells[component.id, t.id] for t in facts.tiers if (component.id, t.id) in cells]
        critical = component.criticality == CRITICAL
        if critical and not any(c.hours == ALWAYS for c in owned):
            gaps.append(
                Gap(
                    "no_24x7",
                    f"{component.name} is critical but no tier supports it 24x7.",
                    MATRIX,
                    anchor,
                )
            )
        tier_names = {t.id: t.name for t in facts.tiers}
        untargeted = [tier_names[c.tier_id] for c in owned if c.p1_minutes is None]
        if untargeted:
            gaps.append(
                Gap(
                    "no_p1_target",
                    f"{component.name} has no P1 response target at {and_join(untargeted)}.",
                    MATRIX,
                    anchor,
                    blocking=critical,
                )
            )
    return gaps


def level_people(level: LevelFact, teams: dict[int, TeamFact]) -> frozenset[int]:
    """Everyone who answers at `level`: its person, and its team's members."""
    people = set(teams[level.team_id].member_ids) if level.team_id in teams else set()
    if level.person_id is not None and level.person_current:
        people.add(level.person_id)
    return frozenset(people)


def reachable(level: LevelFact, teams: dict[int, TeamFact]) -> bool:
    """A named person who is a member (with an account's email) is reachable; a team
    is when it has members and the level or the team gives a phone, pager or email."""
    if level.person_id is not None and level.person_current:
        return True
    team = teams.get(level.team_id) if level.team_id is not None else None
    if team is None or not team.member_ids:
        return False
    return level.reachable_means or team.reachable_means


def _path_gaps(facts: SupportFacts, teams: dict[int, TeamFact]) -> list[Gap]:
    gaps = []
    by_path: dict[str, list[LevelFact]] = defaultdict(list)
    for level in facts.levels:
        by_path[level.path].append(level)
    if not by_path[STANDARD]:
        gaps.append(
            Gap(
                "no_path",
                "The escalation path has no levels: nobody knows whom to call next.",
                ESCALATION,
                "path-standard",
            )
        )
    if not by_path[HYPERCARE]:
        gaps.append(
            Gap(
                "no_hypercare_path",
                "There is no hypercare escalation path: the standard path will be used "
                "during hypercare.",
                ESCALATION,
                "path-hypercare",
                blocking=False,
            )
        )
    for path in (STANDARD, HYPERCARE):
        levels = by_path[path]
        for n, level in enumerate(levels, start=1):
            where = _level_name(path, n, level, teams)
            anchor = f"level-{level.id}"
            if level.person_id is not None and not level.person_current:
                gaps.append(
                    Gap(
                        "former_member",
                        f"{where} names {level.person_name or 'someone'}, who is no longer "
                        "a member of this transition.",
                        ESCALATION,
                        anchor,
                    )
                )
            elif not reachable(level, teams):
                team = teams.get(level.team_id) if level.team_id is not None else None
                why = (
                    f"{team.name} has no members"
                    if team is not None and not team.member_ids
                    else "no phone, pager or email is given"
                )
                gaps.append(
                    Gap(
                        "unreachable",
                        f"{where} cannot be reached: {why}.",
                        ESCALATION,
                        anchor,
                    )
                )
            if n > 1 and level.after_minutes is None and not level.on_priority:
                gaps.append(
                    Gap(
                        "no_when",
                        f"{where} does not say when to escalate to it.",
                        ESCALATION,
                        anchor,
                        blocking=False,
                    )
                )
        sole = Counter(
            next(iter(people)) for level in levels if len(people := level_people(level, teams)) == 1
        )
        for person_id, count in sorted(sole.items()):
            if count > 1:
                name = facts.people.get(person_id, "One person")
                gaps.append(
                    Gap(
                        "single_point",
                        f"{name} is the only contact at {count} levels of the "
                        f"{PATH_NAMES.get(path, path)} path: a single point of failure.",
                        ESCALATION,
                        f"path-{path}",
                        blocking=False,
                    )
                )
    return gaps


def _level_name(path: str, n: int, level: LevelFact, teams: dict[int, TeamFact]) -> str:
    who = (
        teams[level.team_id].name
        if level.team_id in teams
        else level.person_name or "someone unnamed"
    )
    prefix = "Hypercare level" if path == HYPERCARE else "Level"
    return f"{prefix} {n} ({who})"


def _teams_in_use(facts: SupportFacts) -> set[int]:
    """Teams that own a cell, a level or the catch-all."""
    used = {c.team_id for c in facts.cells}
    used |= {lv.team_id for lv in facts.levels if lv.team_id is not None}
    if facts.catch_all_team_id is not None:
        used.add(facts.catch_all_team_id)
    return used


def _team_gaps(facts: SupportFacts, teams: dict[int, TeamFact]) -> list[Gap]:
    gaps = []
    in_matrix = {c.team_id for c in facts.cells}
    used = _teams_in_use(facts)
    for team in facts.teams:
        anchor = f"team-{team.id}"
        if not team.member_ids:
            gaps.append(
                Gap(
                    "empty_team",
                    f"{team.name} has no members.",
                    TEAMS,
                    anchor,
                    blocking=team.id in used,
                )
            )
        if team.id in in_matrix and not team.scope_written:
            gaps.append(
                Gap(
                    "no_scope",
                    f"{team.name} owns components but its scope is not written down.",
                    TEAMS,
                    anchor,
                )
            )
    return gaps


def checks(facts: SupportFacts) -> int:
    """How many things the blocking rules check: the score's denominator."""
    in_matrix = {c.team_id for c in facts.cells}
    in_use = _teams_in_use(facts)
    return (
        2  # components in scope, tiers
        + len(facts.components) * max(len(facts.tiers), 1)  # every cell owned
        + 2 * sum(1 for c in facts.components if c.criticality == CRITICAL)  # 24x7, P1 targets
        + 1  # a standard path with levels
        + len(facts.levels)  # each level reachable by someone who is a member
        + sum(1 for t in facts.teams if t.id in in_use)  # members, for the teams in use
        + len(in_matrix)  # scope
        + 1  # catch-all
    )


def score(facts: SupportFacts, gaps: Sequence[Gap]) -> int:
    """The share of checks that pass, 0-100; 0 when nothing is modelled yet."""
    if not facts.components:
        return 0
    failed = sum(g.weight for g in gaps if g.blocking)
    total = checks(facts)
    return max(0, (100 * (total - failed)) // total)
