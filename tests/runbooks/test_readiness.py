"""The "Runbooks" go-live gate (`apps/runbooks/readiness.py`).

First the rules as pure tables (no database): every case starts from `COMPLETE`, a
runbook with nothing missing, and breaks one thing, so each row shows what a rule
looks at and nothing else; a near miss next to it shows where the rule stops. Then
the facts `facts_for_many` reads from what the services wrote, the bulk assessment's
fixed query count, and where each finding links to.
"""

import datetime as dt
from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from apps.projects.models import Project, Role
from apps.runbooks import readiness, services
from apps.runbooks.models import Outcome, Runbook, RunbookStatus, Scenario, WalkthroughKind
from apps.runbooks.readiness import RunbookFact, RunbookFacts, ScenarioFact, evaluate
from apps.support import services as support_services
from apps.support.models import Criticality
from tests import factories
from tests.support.factories import ComponentFactory, EscalationLevelFactory, OwnershipFactory

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
FRESH = 30

# The pure rules ------------------------------------------------------------------

BOOK, DRAFT = 1, 2
API, LEDGER, SEARCH = 10, 11, 12
OUTAGE, LAG = 20, 21

PUBLISHED_BOOK = RunbookFact(BOOK, "Payments runbook", True, TODAY + dt.timedelta(days=60))
DRAFT_BOOK = RunbookFact(DRAFT, "Batch jobs", False, TODAY + dt.timedelta(days=60))
# A scenario of the critical component, rehearsed three days ago; one of a normal
# component, never rehearsed (only critical components need a walkthrough).
OUTAGE_SCENARIO = ScenarioFact(
    OUTAGE, BOOK, "API answers 5xx", API, walked_on=TODAY - dt.timedelta(days=3)
)
LAG_SCENARIO = ScenarioFact(LAG, BOOK, "Ledger replication lags", LEDGER)
COMPLETE = RunbookFacts(
    runbooks=(PUBLISHED_BOOK,),
    scenarios=(OUTAGE_SCENARIO, LAG_SCENARIO),
    critical_components={API: "Payments API"},
)

NOTHING_PUBLISHED = "No runbook is published: operations has nothing to follow when it breaks."
NO_CONTACT = "a contact (its component has no owner and there is no escalation path)"
NEEDED = f"(needed within {FRESH} days, with an outcome other than failed)."
NEVER_WALKED = (
    f"Scenario “API answers 5xx” of a critical component has never been walked through "
    f"by operations {NEEDED}"
)


def judge(facts: RunbookFacts, fresh_days: int = FRESH):
    return evaluate(facts, today=TODAY, fresh_days=fresh_days)


def sentences(facts: RunbookFacts, fresh_days: int = FRESH) -> list[str]:
    return [f.sentence for f in judge(facts, fresh_days).findings]


def with_outage(**changes) -> RunbookFacts:
    return replace(COMPLETE, scenarios=(replace(OUTAGE_SCENARIO, **changes), LAG_SCENARIO))


def with_book(**changes) -> RunbookFacts:
    return replace(COMPLETE, runbooks=(replace(PUBLISHED_BOOK, **changes),))


def test_a_complete_runbook_passes_with_a_full_score():
    result = judge(COMPLETE)
    assert (result.key, result.title) == ("runbooks", "Runbooks")
    assert (result.passed, result.score, result.findings) == (True, 100, ())


FIRES = {
    "nothing at all": (RunbookFacts(), [NOTHING_PUBLISHED]),
    "only a draft": (
        replace(COMPLETE, runbooks=(replace(PUBLISHED_BOOK, published=False),)),
        [
            NOTHING_PUBLISHED,
            "Critical component Payments API has no scenario in a published runbook.",
            "“Payments runbook” is a draft: it counts once published.",
        ],
    ),
    "review date passed": (
        with_book(review_by=TODAY - dt.timedelta(days=1)),
        ["“Payments runbook” was due for review on 24 Nov 2026: it may no longer be true."],
    ),
    "no symptoms": (
        with_outage(missing=("symptoms",)),
        ["Scenario “API answers 5xx” lacks the symptoms."],
    ),
    "no normal": (
        with_outage(missing=("normal",)),
        ["Scenario “API answers 5xx” lacks what normal looks like."],
    ),
    "no problem": (
        with_outage(missing=("problem",)),
        ["Scenario “API answers 5xx” lacks what a problem looks like."],
    ),
    "no resolution": (
        with_outage(missing=("resolution",)),
        ["Scenario “API answers 5xx” lacks the resolution steps."],
    ),
    "no contact": (
        with_outage(contact=False),
        [f"Scenario “API answers 5xx” lacks {NO_CONTACT}."],
    ),
    "nothing written": (
        with_outage(missing=("symptoms", "normal", "problem", "resolution"), contact=False),
        [
            "Scenario “API answers 5xx” lacks the symptoms, what normal looks like, what a "
            f"problem looks like, the resolution steps and {NO_CONTACT}."
        ],
    ),
    "critical component without a scenario": (
        replace(COMPLETE, critical_components={API: "Payments API", SEARCH: "Search"}),
        ["Critical component Search has no scenario in a published runbook."],
    ),
    "critical component covered only by a draft": (
        RunbookFacts(
            runbooks=(PUBLISHED_BOOK, DRAFT_BOOK),
            scenarios=(replace(OUTAGE_SCENARIO, runbook_id=DRAFT), LAG_SCENARIO),
            critical_components={API: "Payments API"},
        ),
        [
            "Critical component Payments API has no scenario in a published runbook.",
            "“Batch jobs” is a draft: it counts once published.",
        ],
    ),
    "critical scenario never walked through": (with_outage(walked_on=None), [NEVER_WALKED]),
    "critical scenario walked through too long ago": (
        with_outage(walked_on=TODAY - dt.timedelta(days=FRESH + 1)),
        [
            "Scenario “API answers 5xx” of a critical component was last walked through "
            f"on 25 Oct 2026 {NEEDED}"
        ],
    ),
}


@pytest.mark.parametrize(("facts", "expected"), FIRES.values(), ids=FIRES.keys())
def test_each_finding_fires_with_its_sentence_and_blocks(facts, expected):
    result = judge(facts)
    assert [f.sentence for f in result.findings] == expected
    assert result.passed is False
    drafts = [f for f in result.findings if f.sentence.endswith("counts once published.")]
    assert all(not f.blocking for f in drafts)
    assert all(f.blocking for f in result.findings if f not in drafts)
    assert all(f.url == "" for f in result.findings)  # no transition: no links


NEAR_MISSES = {
    "review due today": with_book(review_by=TODAY),
    "walked through exactly fresh_days ago": with_outage(
        walked_on=TODAY - dt.timedelta(days=FRESH)
    ),
    "walked through today": with_outage(walked_on=TODAY),
    "a normal component's scenario never walked through": replace(
        COMPLETE, scenarios=(OUTAGE_SCENARIO, replace(LAG_SCENARIO, walked_on=None))
    ),
    "a normal component without a scenario": replace(COMPLETE, scenarios=(OUTAGE_SCENARIO,)),
    "a scenario without a component, with a contact": replace(
        COMPLETE, scenarios=(OUTAGE_SCENARIO, replace(LAG_SCENARIO, component_id=None))
    ),
    "parts the gate does not ask for": with_outage(missing=("first_checks", "rollback")),
    "a second scenario of the critical component, also walked through": replace(
        COMPLETE,
        scenarios=(OUTAGE_SCENARIO, replace(LAG_SCENARIO, component_id=API, walked_on=TODAY)),
    ),
}


@pytest.mark.parametrize("facts", NEAR_MISSES.values(), ids=NEAR_MISSES.keys())
def test_a_near_miss_finds_nothing(facts):
    assert (judge(facts).passed, judge(facts).score, sentences(facts)) == (True, 100, [])


def test_the_freshness_window_is_the_argument():
    eight_days = with_outage(walked_on=TODAY - dt.timedelta(days=8))
    assert sentences(eight_days, fresh_days=8) == []
    assert sentences(eight_days, fresh_days=7) == [
        "Scenario “API answers 5xx” of a critical component was last walked through on "
        "17 Nov 2026 (needed within 7 days, with an outcome other than failed)."
    ]


def test_drafts_are_advisory_and_none_of_their_gaps_count():
    broken = ScenarioFact(
        99, DRAFT, "Nightly batch fails", SEARCH, missing=("symptoms",), contact=False
    )
    facts = RunbookFacts(
        runbooks=(PUBLISHED_BOOK, replace(DRAFT_BOOK, review_by=TODAY - dt.timedelta(days=90))),
        scenarios=(*COMPLETE.scenarios, broken),
        critical_components=COMPLETE.critical_components,
    )
    result = judge(facts)
    assert (result.passed, result.score, result.blocking) == (True, 100, ())
    assert [(f.sentence, f.blocking) for f in result.findings] == [
        ("“Batch jobs” is a draft: it counts once published.", False)
    ]


def test_the_findings_come_in_the_documented_order():
    facts = RunbookFacts(
        runbooks=(replace(PUBLISHED_BOOK, review_by=TODAY - dt.timedelta(days=1)), DRAFT_BOOK),
        scenarios=(replace(OUTAGE_SCENARIO, missing=("normal",), walked_on=None), LAG_SCENARIO),
        critical_components={API: "Payments API", SEARCH: "Search"},
    )
    assert sentences(facts) == [
        "“Payments runbook” was due for review on 24 Nov 2026: it may no longer be true.",
        "Scenario “API answers 5xx” lacks what normal looks like.",
        "Critical component Search has no scenario in a published runbook.",
        NEVER_WALKED,
        "“Batch jobs” is a draft: it counts once published.",
    ]


SCORES = {
    # Checks of COMPLETE: a published runbook, it is fresh, 2 scenarios complete,
    # 1 critical component covered, 1 critical scenario walked through: 6.
    "one scenario incomplete": (with_outage(missing=("problem",)), 83),
    "stale and never walked": (
        replace(
            COMPLETE,
            runbooks=(replace(PUBLISHED_BOOK, review_by=TODAY - dt.timedelta(days=1)),),
            scenarios=(replace(OUTAGE_SCENARIO, walked_on=None), LAG_SCENARIO),
        ),
        66,
    ),
    # Two critical components, one uncovered: 7 checks, 1 failed.
    "a critical component uncovered": (
        replace(COMPLETE, critical_components={API: "Payments API", SEARCH: "Search"}),
        85,
    ),
    # A published runbook with no scenarios and no critical component: 2 checks, 0 failed.
    "published, nothing else to check": (RunbookFacts(runbooks=(PUBLISHED_BOOK,)), 100),
    "only drafts, however complete": (
        replace(COMPLETE, runbooks=(replace(PUBLISHED_BOOK, published=False),)),
        0,
    ),
    "nothing at all": (RunbookFacts(), 0),
}


@pytest.mark.parametrize(("facts", "score"), SCORES.values(), ids=SCORES.keys())
def test_the_score_is_the_share_of_checks_proven(facts, score):
    assert judge(facts).score == score


def test_a_score_in_between_still_fails_the_gate():
    result = judge(with_outage(contact=False))
    assert (result.passed, 0 < result.score < 100) == (False, True)


# The facts the database holds ------------------------------------------------------


def add_runbook(project: Project, by, *, title="Payments runbook", **fields) -> Runbook:
    fields.setdefault("owner", by)
    fields.setdefault("status", RunbookStatus.PUBLISHED)
    fields.setdefault("review_by", TODAY + dt.timedelta(days=60))
    return services.runbook_save(runbook=Runbook(project=project, title=title, **fields), by=by)


WRITTEN = {
    "symptoms": "The 5xx rate is above 1% for five minutes.",
    "normal": "p95 latency under 300 ms; 5xx rate under 0.1%.",
    "problem": "5xx above 1%; `upstream connect error` in the gateway log.",
    "resolution": "Restart the pods of the payments API.",
}


def add_scenario(runbook: Runbook, by, *, title="API answers 5xx", **fields) -> Scenario:
    fields = {**WRITTEN, **fields}
    return services.scenario_save(
        scenario=Scenario(project_id=runbook.project_id, runbook=runbook, title=title, **fields),
        by=by,
    )


def walk(scenario: Scenario, by, held_on: dt.date, outcome=Outcome.WORKED, role=Role.OPS):
    return services.walkthrough_record(
        scenario=scenario,
        held_on=held_on,
        kind=WalkthroughKind.TABLETOP,
        participants=[by],
        outcome=outcome,
        gaps_found="",
        follow_ups=[],
        by=by,
        role=role,
        now=NOW,
    )


def facts_of(project: Project) -> RunbookFacts:
    return readiness.facts_for_many([project.pk])[project.pk]


def scenario_fact(project: Project, scenario: Scenario) -> ScenarioFact:
    (fact,) = [s for s in facts_of(project).scenarios if s.id == scenario.pk]
    return fact


@pytest.mark.django_db
def test_the_facts_are_what_the_services_wrote(project, lead):
    api = ComponentFactory(project=project, name="Payments API", criticality=Criticality.CRITICAL)
    ComponentFactory(project=project, name="Ledger DB")
    OwnershipFactory(project=project, component=api)
    book = add_runbook(project, lead, review_by=TODAY + dt.timedelta(days=10))
    draft = add_runbook(project, lead, title="Batch jobs", status=RunbookStatus.DRAFT)
    outage = add_scenario(book, lead, component=api)
    blank = add_scenario(
        book, lead, title="Ledger lags", symptoms="  ", normal="", problem="\n", resolution=""
    )
    partial = add_scenario(draft, lead, title="Nightly batch fails", normal="")

    facts = facts_of(project)

    assert sorted(facts.runbooks, key=lambda r: r.id) == [
        RunbookFact(book.pk, "Payments runbook", True, TODAY + dt.timedelta(days=10)),
        RunbookFact(draft.pk, "Batch jobs", False, TODAY + dt.timedelta(days=60)),
    ]
    assert sorted(facts.scenarios, key=lambda s: s.id) == [
        ScenarioFact(outage.pk, book.pk, "API answers 5xx", api.pk, (), True, None),
        ScenarioFact(
            blank.pk,
            book.pk,
            "Ledger lags",
            None,
            ("symptoms", "normal", "problem", "resolution"),
            False,
            None,
        ),
        ScenarioFact(partial.pk, draft.pk, "Nightly batch fails", None, ("normal",), False, None),
    ]
    assert facts.critical_components == {api.pk: "Payments API"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("owned", "path", "with_component", "contact"),
    [
        (True, False, True, True),
        (False, True, True, True),
        (True, True, True, True),
        (False, False, True, False),
        (False, True, False, True),
        (False, False, False, False),
    ],
    ids=[
        "owned at a tier",
        "standard path only",
        "owned and a path",
        "neither",
        "no component, a path",
        "no component, no path",
    ],
)
def test_a_contact_resolves_from_an_owner_or_the_standard_path(
    project, lead, owned, path, with_component, contact
):
    component = ComponentFactory(project=project) if with_component else None
    if owned:
        OwnershipFactory(project=project, component=component)
    if path:
        EscalationLevelFactory(project=project)
    scenario = add_scenario(add_runbook(project, lead), lead, component=component)

    assert scenario_fact(project, scenario).contact is contact


@pytest.mark.django_db
def test_a_hypercare_path_or_another_transitions_owner_is_no_contact(project, lead):
    component = ComponentFactory(project=project)
    EscalationLevelFactory(project=project, path="hypercare")
    elsewhere = factories.ProjectFactory()
    EscalationLevelFactory(project=elsewhere)
    OwnershipFactory(project=elsewhere)
    scenario = add_scenario(add_runbook(project, lead), lead, component=component)

    assert scenario_fact(project, scenario).contact is False


@pytest.mark.django_db
@pytest.mark.parametrize("path", [False, True], ids=["no path", "a standard path"])
def test_a_scenario_whose_component_was_deleted_has_a_contact_from_the_path_only(
    project, lead, path
):
    component = ComponentFactory(project=project)
    OwnershipFactory(project=project, component=component)
    if path:
        EscalationLevelFactory(project=project)
    scenario = add_scenario(add_runbook(project, lead), lead, component=component)
    assert scenario_fact(project, scenario).contact is True

    support_services.component_delete(component=component, by=lead)

    fact = scenario_fact(project, scenario)
    assert (fact.component_id, fact.contact) == (None, path)
    result = readiness.assess(project, today=TODAY)
    lacks = f"Scenario “API answers 5xx” lacks {NO_CONTACT}."
    assert (lacks in [f.sentence for f in result.blocking]) is (not path)


@pytest.mark.django_db
def test_walked_on_is_the_latest_walkthrough_that_did_not_fail(project, lead, ops):
    book = add_runbook(project, lead)
    rehearsed = add_scenario(book, lead)
    only_failed = add_scenario(book, lead, title="Ledger lags")
    never = add_scenario(book, lead, title="Queue backs up")
    walk(rehearsed, ops, TODAY - dt.timedelta(days=20), Outcome.WORKED)
    walk(rehearsed, ops, TODAY - dt.timedelta(days=10), Outcome.WORKED_WITH_CHANGES)
    walk(rehearsed, ops, TODAY - dt.timedelta(days=2), Outcome.FAILED)
    walk(rehearsed, lead, TODAY - dt.timedelta(days=15), Outcome.WORKED, role=Role.LEAD)
    walk(only_failed, ops, TODAY - dt.timedelta(days=1), Outcome.FAILED)

    walked = {s.id: s.walked_on for s in facts_of(project).scenarios}

    assert walked == {
        rehearsed.pk: TODAY - dt.timedelta(days=10),
        only_failed.pk: None,
        never.pk: None,
    }


@pytest.mark.django_db
def test_each_transition_sees_only_its_own_runbooks(project, lead):
    critical = ComponentFactory(project=project, criticality=Criticality.CRITICAL)
    add_scenario(add_runbook(project, lead), lead, component=critical)
    empty = factories.ProjectFactory()

    facts = readiness.facts_for_many([project.pk, empty.pk])

    assert facts[empty.pk] == RunbookFacts(runbooks=[], scenarios=[], critical_components={})
    assert (len(facts[project.pk].runbooks), len(facts[project.pk].scenarios)) == (1, 1)


def runbooks_transition(n: int) -> Project:
    """A transition whose runbooks grow with `n`, in a state that varies with it."""
    project = factories.ProjectFactory()
    lead = project.lead
    ops = factories.MembershipFactory(project=project, role=Role.OPS).user
    critical = ComponentFactory(project=project, criticality=Criticality.CRITICAL)
    OwnershipFactory(project=project, component=critical)
    if n % 2:
        EscalationLevelFactory(project=project)
    book = add_runbook(project, lead, review_by=TODAY + dt.timedelta(days=-1 if n % 3 == 0 else 30))
    for i in range(n % 3 + 1):
        scenario = add_scenario(
            book, lead, title=f"Scenario {i}", component=critical if i == 0 else None
        )
        if i == 0 and n % 2:
            walk(scenario, ops, TODAY - dt.timedelta(days=n))
    add_runbook(project, lead, title="Draft", status=RunbookStatus.DRAFT)
    return project


@pytest.mark.django_db
def test_the_bulk_assessment_equals_one_by_one(project, lead):
    projects = [project, *(runbooks_transition(n) for n in range(4))]

    assessed = readiness.assess_many(projects, today=TODAY)

    assert assessed == {p.pk: readiness.assess(p, today=TODAY) for p in projects}
    assert assessed[project.pk].score == 0
    assert len({r.findings for r in assessed.values()}) == len(projects)


# One query per table: runbooks, scenarios (with owners, path and walkthroughs
# as subqueries and an aggregate), critical components.
QUERIES = 3


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 10])
def test_the_bulk_assessment_takes_a_fixed_number_of_queries(count):
    projects = [runbooks_transition(n) for n in range(count)]

    with CaptureQueriesContext(connection) as queries:
        assessed = readiness.assess_many(projects, today=TODAY)

    assert len(queries) == QUERIES
    assert set(assessed) == {p.pk for p in projects}
    assert all(r.score > 0 for r in assessed.values())


@pytest.mark.django_db
def test_every_finding_links_to_the_runbooks_page_where_it_is_fixed(project, lead):
    critical = ComponentFactory(project=project, criticality=Criticality.CRITICAL)
    ComponentFactory(project=project, name="Search", criticality=Criticality.CRITICAL)
    stale = add_runbook(project, lead, review_by=TODAY - dt.timedelta(days=1))
    draft = add_runbook(project, lead, title="Batch jobs", status=RunbookStatus.DRAFT)
    scenario = add_scenario(stale, lead, component=critical, normal="")

    result = readiness.assess(project, today=TODAY)

    listing = reverse("runbooks:list", args=[project.pk])
    detail = reverse("runbooks:detail", args=[project.pk, stale.pk])
    urls = {f.sentence: f.url for f in result.findings}
    assert urls == {
        "“Payments runbook” was due for review on 24 Nov 2026: it may no longer be true.": (detail),
        f"Scenario “API answers 5xx” lacks what normal looks like and {NO_CONTACT}.": (
            f"{detail}#scenario-{scenario.pk}"
        ),
        "Critical component Search has no scenario in a published runbook.": listing,
        NEVER_WALKED: f"{detail}#scenario-{scenario.pk}",
        "“Batch jobs” is a draft: it counts once published.": reverse(
            "runbooks:detail", args=[project.pk, draft.pk]
        ),
    }
    for finding in result.findings:
        path, _, anchor = finding.url.partition("#")
        match = resolve(path)
        assert match.kwargs["project_id"] == project.pk
        if anchor:
            assert (match.view_name, match.kwargs["runbook_id"]) == ("runbooks:detail", stale.pk)
            assert anchor == f"scenario-{scenario.pk}"


@pytest.mark.django_db
def test_nothing_published_links_to_the_list_with_a_score_of_zero(project):
    result = readiness.assess(project, today=TODAY)
    assert (result.passed, result.score) == (False, 0)
    assert [(f.sentence, f.url) for f in result.findings] == [
        (NOTHING_PUBLISHED, reverse("runbooks:list", args=[project.pk]))
    ]
    assert resolve(result.findings[0].url).view_name == "runbooks:list"
