"""The CSV import of components and ownership (`apps/support/imports.py` and its views).

`parse` is pure: most cases are files in, a plan or the listed problems out, with no
database. Then `apply` (all or nothing, history kept), the row limits, and the pages.
"""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.projects.guard import ActionRefused
from apps.projects.models import Phase
from apps.support import imports
from apps.support.imports import COLUMNS, ImportPlan, ImportSummary, Rejected, parse
from apps.support.models import Component, Ownership, SupportTeam, Tier
from apps.support.services import DEFAULT_TIERS
from apps.support.views import imports as import_views
from tests.support.factories import (
    ComponentFactory,
    OwnershipFactory,
    SupportTeamFactory,
    TierFactory,
)

TIERS = ["L1 Service desk", "L2 Application support", "L3 Engineering / vendor"]
TEAMS = ["Service Desk", "Payments Support"]
HEADER = ",".join(COLUMNS)


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def read(text, *, tiers=TIERS, teams=TEAMS, existing=()):
    return parse(text, tiers=tiers, teams=teams, existing=existing)


def rejected(text, **names) -> list[str]:
    result = read(text, **names)
    assert isinstance(result, Rejected), result
    return list(result.errors)


# parse: a good file -------------------------------------------------------------------


def test_a_good_file_becomes_one_plan_entry_per_component_with_its_cells():
    plan = read(
        csv_text(
            "Payments API,application,Critical,l1 service desk,service desk,24/7,15,60,240,1440",
            "Payments API,,,L2 APPLICATION SUPPORT,Payments Support,Business hours,30,,,",
            "Ledger,Batch job,high,,,,,,,",
        )
    )
    assert isinstance(plan, ImportPlan)
    api, ledger = plan.components
    assert (api.name, api.kind, api.criticality, api.line) == (
        "Payments API",
        "application",
        "critical",
        2,
    )
    assert [(c.line, c.tier, c.team, c.hours) for c in api.cells] == [
        (2, "L1 Service desk", "Service Desk", "24x7"),
        (3, "L2 Application support", "Payments Support", "business"),
    ]
    assert (api.cells[0].p1_minutes, api.cells[0].p4_minutes) == (15, 1440)
    assert (api.cells[1].p1_minutes, api.cells[1].p2_minutes) == (30, None)
    # A row with neither tier nor team only declares the component.
    assert (ledger.name, ledger.kind, ledger.criticality, ledger.cells) == (
        "Ledger",
        "batch_job",
        "high",
        (),
    )
    assert plan.cell_count == 2


def test_blank_kind_criticality_and_hours_are_left_to_the_defaults():
    plan = read(csv_text("Payments API,,,L1 Service desk,Service Desk,,,,,"))
    assert isinstance(plan, ImportPlan)
    (api,) = plan.components
    assert (api.kind, api.criticality, api.cells[0].hours) == (None, None, "business")


def test_header_names_are_trimmed_and_case_insensitive_in_any_order():
    header = (
        " Team ,TIER,component,kind,criticality,hours,P1_minutes,p2_minutes,p3_minutes,p4_minutes"
    )
    plan = read(csv_text("Service Desk,L1 Service desk,Payments API,,,,5,,,", header=header))
    assert isinstance(plan, ImportPlan)
    cell = plan.components[0].cells[0]
    assert (cell.team, cell.tier, cell.p1_minutes) == ("Service Desk", "L1 Service desk", 5)


def test_semicolon_separated_files_are_read_like_comma_separated_ones():
    text = csv_text(
        "Payments API;Application;Critical;L1 Service desk;Service Desk;24x7;15;;;",
        header=";".join(COLUMNS),
    )
    plan = read(text)
    assert isinstance(plan, ImportPlan)
    assert plan.components[0].cells[0].team == "Service Desk"


def test_utf8_with_or_without_a_byte_order_mark_is_read():
    text = csv_text("Zahlungsdienst Ü,,,L1 Service desk,Service Desk,,,,,")
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), "\ufeff" + text):
        plan = read(data)
        assert isinstance(plan, ImportPlan), data
        assert plan.components[0].name == "Zahlungsdienst Ü"


def test_existing_components_are_named_as_the_transition_spells_them():
    plan = read(csv_text("payments api,,,,,,,,,"), existing=["Payments API"])
    assert isinstance(plan, ImportPlan)
    assert plan.components[0].name == "Payments API"


def test_lines_in_different_case_are_the_same_component():
    plan = read(
        csv_text(
            "Payments API,,,L1 Service desk,Service Desk,,,,,",
            "PAYMENTS api,,,L2 Application support,Service Desk,,,,,",
        )
    )
    assert isinstance(plan, ImportPlan)
    (api,) = plan.components
    assert (api.name, len(api.cells)) == ("Payments API", 2)


def test_names_match_as_python_casefolds_them_beyond_ascii():
    plan = read(
        csv_text("ÉCLAIR,,,STRASSE,ÉQUIPE NUIT,,,,,", "éclair,,,Straße,équipe nuit,,,,,"),
        tiers=["Straße", "Weg"],
        teams=["Équipe nuit"],
        existing=["éclair"],
    )
    # The second line names the same component at the same tier: one row per cell.
    assert isinstance(plan, Rejected)
    assert plan.errors == (
        "Line 3: “éclair” at “Straße” is already on line 2: one row per component and tier.",
    )
    plan = read(
        csv_text("ÉCLAIR,,,STRASSE,ÉQUIPE NUIT,,,,,", "Éclair,,,weg,équipe nuit,,,,,"),
        tiers=["Straße", "Weg"],
        teams=["Équipe nuit"],
        existing=["éclair"],
    )
    assert isinstance(plan, ImportPlan)
    (eclair,) = plan.components
    assert eclair.name == "éclair"
    assert [(c.tier, c.team) for c in eclair.cells] == [
        ("Straße", "Équipe nuit"),
        ("Weg", "Équipe nuit"),
    ]


def test_a_row_naming_two_names_that_differ_only_in_case_is_refused_not_guessed():
    errors = rejected(
        csv_text(
            "éclair,,,l1 service desk,Service Desk,,,,,",
            "Ledger,,,L1 Service desk,ops,,,,,",
            "Ledger,,,l2,Service Desk,,,,,",
        ),
        tiers=["L1 Service desk", "L2", "l2"],
        teams=["Service Desk", "Ops", "OPS"],
        existing=["éclair", "ÉCLAIR", "Ledger"],
    )
    assert errors == [
        "Line 2: two components match “éclair” (“ÉCLAIR” and “éclair”): rename one.",
        "Line 3: two teams match “ops” (“OPS” and “Ops”): rename one.",
        "Line 4: two tiers match “l2” (“L2” and “l2”): rename one.",
    ]


def test_a_transition_without_tiers_is_matched_against_the_default_tiers():
    plan = read(csv_text("Payments API,,,l2 application support,Service Desk,,,,,"), tiers=[])
    assert isinstance(plan, ImportPlan)
    assert plan.components[0].cells[0].tier == DEFAULT_TIERS[1][0]


def test_blank_lines_are_skipped_and_line_numbers_stay_those_of_the_spreadsheet():
    errors = rejected(
        csv_text(
            "Payments API,,,L1 Service desk,Service Desk,,,,,", ",,,,,,,,,", "", "X,,,,Nobody,,,,,"
        )
    )
    assert errors == [
        "Line 5: give both a tier and a team (the tier is blank), "
        "or neither to only list the component."
    ]


def test_a_quoted_line_break_stays_inside_its_row_as_in_a_spreadsheet():
    errors = rejected(
        csv_text('"Payments\nAPI",,,L1 Service desk,Service Desk,,,,,', "B,bad,,,,,,,,")
    )
    assert len(errors) == 1
    assert errors[0].startswith("Line 3: kind “bad”")


def test_the_apostrophe_that_guards_a_formula_like_name_is_dropped():
    plan = read(csv_text("'=Ledger,,,L1 Service desk,'@ops,,,,,"), teams=["@ops"])
    assert isinstance(plan, ImportPlan)
    assert (plan.components[0].name, plan.components[0].cells[0].team) == ("=Ledger", "@ops")


# parse: every kind of problem -----------------------------------------------------------


def test_latin1_bytes_are_refused_with_one_clear_error():
    data = csv_text("Zahlungsdienst Übersee,,,,,,,,,").encode("latin-1")
    assert rejected(data) == [imports.NOT_UTF8]


def test_utf16_is_refused_as_not_utf8_with_or_without_its_byte_order_mark():
    text = csv_text("Payments API,,,,,,,,,")
    assert rejected(text.encode("utf-16")) == [imports.NOT_UTF8]
    assert rejected(text.encode("utf-16-le")) == [imports.NOT_UTF8]


def test_a_workbook_is_refused_with_how_to_save_it_as_csv():
    assert rejected(b"PK\x03\x04\x14\x00\x06\x00rest of a zip") == [imports.WORKBOOK]


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", "   \n", '""\n'])
def test_an_empty_file_is_refused(data):
    assert rejected(data) == [imports.EMPTY]


def test_a_header_without_rows_is_refused():
    assert rejected(csv_text(",,,,,,,,,")) == [imports.NO_ROWS]


def test_every_missing_and_every_unknown_column_is_named_before_any_row_is_read():
    header = "component,kind,criticality,tier,teem,p1_minutes,p2_minutes,p3_minutes,p4_minutes,note"
    errors = rejected(csv_text("Payments API,bad kind,,,,,,,,", header=header))
    assert errors == [
        "Line 1: the header has no “team” and “hours” columns (the template has all ten).",
        "Line 1: unknown columns “teem”, “note”: the columns are " + ", ".join(COLUMNS) + ".",
    ]


def test_a_column_given_twice_is_refused():
    errors = rejected(csv_text("A,,,,,,,,,,", header=HEADER + ",Tier"))
    assert errors == ["Line 1: the header has “tier” more than once."]


def test_the_same_component_and_tier_twice_is_refused_on_the_later_line_naming_the_earlier():
    errors = rejected(
        csv_text(
            "Payments API,,,L1 Service desk,Service Desk,,,,,",
            "Ledger,,,L1 Service desk,Service Desk,,,,,",
            "payments API,,,l1 service desk,Payments Support,,,,,",
        )
    )
    assert errors == [
        "Line 4: “Payments API” at “L1 Service desk” is already on line 2: "
        "one row per component and tier."
    ]


def test_two_criticalities_or_two_kinds_for_one_component_are_refused():
    errors = rejected(
        csv_text(
            "Payments API,Application,Critical,L1 Service desk,Service Desk,,,,,",
            "Payments API,,,L2 Application support,Service Desk,,,,,",  # blank: no conflict
            "Payments API,database,high,L3 Engineering / vendor,Service Desk,,,,,",
        )
    )
    assert errors == [
        "Line 4: kind of “Payments API” is “Application” on line 2 and “Database” here: "
        "give it one kind.",
        "Line 4: criticality of “Payments API” is “Critical” on line 2 and “High” here: "
        "give it one criticality.",
    ]


def test_an_unknown_team_is_refused_and_not_created():
    errors = rejected(
        csv_text(*["Payments API,,,,,,,,,"] * 5, "Payments API,,,L1 Service desk,DBA team,,,,,")
    )
    assert errors == [
        "Line 7: there is no team called “DBA team” in this transition: "
        "add it on the Teams page first."
    ]


def test_an_unknown_tier_is_refused_with_the_tiers_there_are():
    errors = rejected(csv_text("Payments API,,,L4 Vendor,Service Desk,,,,,"))
    assert errors == [
        "Line 2: there is no tier called “L4 Vendor” in this transition: the tiers are "
        "“L1 Service desk”, “L2 Application support” and “L3 Engineering / vendor”."
    ]


@pytest.mark.parametrize("hours", ["office hours", "24x5", "always"])
def test_hours_other_than_business_or_24x7_are_refused(hours):
    errors = rejected(csv_text(f"Payments API,,,L1 Service desk,Service Desk,{hours},,,,"))
    assert errors == [f"Line 2: hours “{hours}” is not business hours or 24x7 (blank: business)."]


# The last: Arabic-Indic digits, which Python's int() would accept.
@pytest.mark.parametrize("minutes", ["0", "43201", "-5", "1.5", "15 min", "abc", "\u0661\u0665"])
def test_response_targets_must_be_whole_minutes_from_1_to_30_days(minutes):
    errors = rejected(csv_text(f"Payments API,,,L1 Service desk,Service Desk,,,,{minutes},"))
    assert errors == [
        f"Line 2: p3_minutes “{minutes}” is not a whole number of minutes from 1 to "
        "43,200 (30 days), or blank."
    ]


def test_the_bounds_of_a_response_target_are_accepted():
    plan = read(csv_text("Payments API,,,L1 Service desk,Service Desk,,1,43200,,"))
    assert isinstance(plan, ImportPlan)
    assert (plan.components[0].cells[0].p1_minutes, plan.components[0].cells[0].p2_minutes) == (
        1,
        43200,
    )


def test_a_tier_without_a_team_or_a_team_without_a_tier_is_refused():
    errors = rejected(
        csv_text(
            "Payments API,,,L1 Service desk,,,,,,",
            "Payments API,,,,Service Desk,,,,,",
            "Payments API,,,,,24x7,15,,,",
        )
    )
    assert errors == [
        "Line 2: give both a tier and a team (the team is blank), "
        "or neither to only list the component.",
        "Line 3: give both a tier and a team (the tier is blank), "
        "or neither to only list the component.",
        "Line 4: hours and response targets are for a cell of the matrix: "
        "give its tier and team too.",
    ]


def test_a_blank_or_too_long_component_and_unknown_choices_are_refused():
    errors = rejected(
        csv_text(",,,L1 Service desk,Service Desk,,,,,", "x" * 121 + ",gadget,urgent,,,,,,,")
    )
    assert errors == [
        "Line 2: the component is blank.",
        "Line 3: kind “gadget” is not one of Application, Database, Integration, Batch job, "
        "Infrastructure, Vendor service, Other.",
        "Line 3: criticality “urgent” is not one of Critical, High, Normal.",
        "Line 3: the component's name is longer than 120 characters.",
    ]


def test_a_row_with_more_values_than_columns_is_refused():
    errors = rejected(csv_text("Payments, Inc API,,,L1 Service desk,Service Desk,,15,60,240,1440"))
    assert errors == ["Line 2: 11 values for 10 columns: check the separators and quotes."]


def test_every_bad_row_is_listed_with_its_line_but_a_page_shows_the_first_200():
    rows = [f"C{n},,,L1 Service desk,Nobody,,,,," for n in range(250)]
    result = read(csv_text("Good,,,,,,,,,", *rows))
    assert isinstance(result, Rejected)
    assert len(result.errors) == 250
    assert result.errors[0].startswith("Line 3: ")
    assert result.errors[-1].startswith("Line 252: ")
    assert (len(result.listed), result.more) == (200, 50)


def test_a_file_over_the_row_limit_is_refused_without_reading_its_rows():
    # Every row is bad, but the limit alone is reported: rows are not validated.
    rows = ["Payments API,,,L9,Nobody,,,,,"] * 10_000
    assert rejected(csv_text(*rows)) == [
        "The file has 10,000 rows; an import takes at most 2,000: split it."
    ]


def test_a_file_over_2_mib_is_refused():
    assert rejected(b"component" + b"x" * imports.MAX_BYTES) == [imports.TOO_LARGE]


# The summary ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "sentence"),
    [
        (
            (9, 3, 0, 20, 4, 0),
            "Imported 12 components (9 new, 3 updated), set 20 cells of the matrix "
            "and replaced the owner of 4.",
        ),
        (
            (0, 1, 0, 0, 1, 0),
            "Imported 1 component (0 new, 1 updated) and replaced the owner of 1 cell.",
        ),
        (
            (0, 0, 2, 0, 3, 2),
            "Imported 2 components (0 new, 0 updated, 2 unchanged) and replaced the owner "
            "of 3 cells (2 cells were already as the file says).",
        ),
        (
            (1, 0, 0, 1, 0, 0),
            "Imported 1 component (1 new, 0 updated) and set 1 cell of the matrix.",
        ),
    ],
)
def test_the_summary_tells_replaced_owners_apart_from_cells_set(counts, sentence):
    created, updated, unchanged, cells_set, replaced, cells_unchanged = counts
    summary = ImportSummary(
        created=created,
        updated=updated,
        unchanged=unchanged,
        cells_set=cells_set,
        cells_replaced=replaced,
        cells_unchanged=cells_unchanged,
    )
    assert summary.sentence() == sentence


# apply ------------------------------------------------------------------------------


def support_rows():
    """Every stored value of the support model's rows and their history."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (Component, Tier, SupportTeam, Ownership)
    ] + [
        list(model.history.order_by("pk").values())
        for model in (Component, Tier, SupportTeam, Ownership)
    ]


def names_of(project):
    return {
        "tiers": list(Tier.objects.filter(project=project).values_list("name", flat=True)),
        "teams": list(SupportTeam.objects.filter(project=project).values_list("name", flat=True)),
        "existing": list(Component.objects.filter(project=project).values_list("name", flat=True)),
    }


def plan_for(project, text) -> ImportPlan:
    plan = parse(text, **names_of(project))
    assert isinstance(plan, ImportPlan), plan
    return plan


@pytest.fixture
def support_teams(project):
    return [SupportTeamFactory(project=project, name=name) for name in TEAMS]


def test_apply_creates_the_default_tiers_components_and_cells_with_their_history(
    project, lead, support_teams
):
    text = csv_text(
        "Payments API,Application,Critical,L1 Service desk,Service Desk,24x7,15,60,,",
        "Payments API,,,L2 Application support,Payments Support,,30,,,",
        "Ledger,database,,,,,,,,",
    )
    summary = imports.apply(project=project, plan=plan_for(project, text), by=lead)

    assert (summary.created, summary.updated, summary.unchanged, summary.cells_set) == (2, 0, 0, 2)
    assert summary.sentence() == (
        "Imported 2 components (2 new, 0 updated) and set 2 cells of the matrix."
    )
    assert list(Tier.objects.filter(project=project).values_list("name", flat=True)) == [
        name for name, _ in DEFAULT_TIERS
    ]
    api = Component.objects.get(project=project, name="Payments API")
    ledger = Component.objects.get(project=project, name="Ledger")
    assert (api.kind, api.criticality) == ("application", "critical")
    assert (ledger.kind, ledger.criticality) == ("database", "normal")
    cells = {
        (c.tier.name, c.team.name, c.hours, c.p1_minutes, c.p2_minutes)
        for c in Ownership.objects.filter(component=api).select_related("tier", "team")
    }
    assert cells == {
        ("L1 Service desk", "Service Desk", "24x7", 15, 60),
        ("L2 Application support", "Payments Support", "business", 30, None),
    }
    history = list(Component.history.filter(project=project)) + list(
        Ownership.history.filter(project=project)
    )
    assert len(history) == 4
    assert {(h.history_type, h.history_user_id) for h in history} == {("+", lead.pk)}


def test_apply_updates_existing_components_and_replaces_only_the_cells_the_file_names(
    project, contributor, support_teams
):
    desk, payments = support_teams
    l1, l2 = TierFactory(project=project, name="L1"), TierFactory(project=project, name="L2")
    api = ComponentFactory(
        project=project, name="Payments API", kind="database", criticality="high"
    )
    ledger = ComponentFactory(project=project, name="Ledger", criticality="critical")
    same = OwnershipFactory(project=project, component=api, tier=l1, team=desk, p1_minutes=30)
    retargeted = OwnershipFactory(project=project, component=api, tier=l2, team=payments)
    kept = OwnershipFactory(project=project, component=ledger, tier=l1, team=desk)
    replaced = OwnershipFactory(project=project, component=ledger, tier=l2, team=desk)
    text = csv_text(
        "payments api,,Critical,l1,service desk,business,30,,,",  # the cell is unchanged
        "Payments API,,,L2,Payments Support,,10,,,",  # same owner, a new target
        "LEDGER,,,L2,Payments Support,24x7,5,,,",  # another owner
        "Ledger,,,,,,,,,",
        "Settlement,,,L1,Service Desk,,,,,",  # a new cell
    )
    summary = imports.apply(project=project, plan=plan_for(project, text), by=contributor)

    assert (summary.created, summary.updated, summary.unchanged) == (1, 2, 0)
    assert (summary.cells_set, summary.cells_replaced, summary.cells_unchanged) == (2, 1, 1)
    assert summary.sentence() == (
        "Imported 3 components (1 new, 2 updated), set 2 cells of the matrix and replaced "
        "the owner of 1 (1 cell was already as the file says)."
    )
    retargeted.refresh_from_db()
    assert (retargeted.team, retargeted.p1_minutes) == (payments, 10)
    api.refresh_from_db()
    ledger.refresh_from_db()
    # Blank kind keeps the existing one; the names keep their spelling.
    assert (api.name, api.kind, api.criticality) == ("Payments API", "database", "critical")
    assert (ledger.kind, ledger.criticality) == ("application", "critical")
    replaced.refresh_from_db()
    assert (replaced.team, replaced.hours, replaced.p1_minutes) == (payments, "24x7", 5)
    assert Ownership.objects.filter(pk=kept.pk, team=desk).exists()
    # Only rows that changed are written, each in the history under the importer's name.
    assert not Ownership.history.filter(id=same.pk, history_type="~").exists()
    changed = Ownership.history.get(id=replaced.pk, history_type="~")
    assert (changed.history_user, changed.team_id) == (contributor, payments.pk)
    assert Component.history.get(id=api.pk, history_type="~").history_user == contributor
    assert Component.objects.filter(project=project).count() == 3


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    project, lead, support_teams
):
    text = csv_text("Payments API,,,L1 Service desk,Service Desk,,15,,,")
    imports.apply(project=project, plan=plan_for(project, text), by=lead)
    before = support_rows()
    again = imports.apply(project=project, plan=plan_for(project, text), by=lead)
    assert (again.created, again.updated, again.unchanged, again.cells_set) == (0, 0, 1, 0)
    assert (again.cells_replaced, again.cells_unchanged) == (0, 1)
    assert support_rows() == before


def test_a_team_renamed_after_the_check_refuses_the_whole_import(project, lead, support_teams):
    text = csv_text(
        "Ledger,,,,,,,,,",
        "Payments API,,,L1 Service desk,Payments Support,,,,,",
    )
    plan = plan_for(project, text)
    SupportTeam.objects.filter(name="Payments Support").update(name="Payments L2")
    before = support_rows()
    with pytest.raises(ActionRefused, match="“Payments Support” no longer exists"):
        imports.apply(project=project, plan=plan, by=lead)
    assert support_rows() == before


def test_apply_matches_components_by_casefold_and_does_not_duplicate_them(
    project, lead, support_teams
):
    # "Straße" and "STRASSE" are one name to casefold, two to LOWER() on any database.
    street = ComponentFactory(project=project, name="Straße", criticality="high")
    plan = plan_for(project, csv_text("STRASSE,,critical,L1 Service desk,Service Desk,,,,,"))
    summary = imports.apply(project=project, plan=plan, by=lead)
    assert (summary.created, summary.updated, summary.cells_set) == (0, 1, 1)
    assert list(Component.objects.filter(project=project).values_list("name", flat=True)) == [
        "Straße"
    ]
    street.refresh_from_db()
    assert street.criticality == "critical"
    assert Ownership.objects.get(project=project).component == street


def test_apply_refuses_a_component_that_now_matches_two_rows_and_writes_nothing(
    project, lead, support_teams
):
    plan = plan_for(project, csv_text("strasse,,,L1 Service desk,Service Desk,,,,,"))
    # Since the check, someone added two components that casefold to the same name.
    ComponentFactory(project=project, name="Straße")
    ComponentFactory(project=project, name="STRASSE")
    before = support_rows()
    with pytest.raises(ActionRefused) as refused:
        imports.apply(project=project, plan=plan, by=lead)
    assert refused.value.messages == [
        "Nothing was imported: two components match “strasse” (“STRASSE” and “Straße”): rename one."
    ]
    assert support_rows() == before


def test_a_file_with_one_bad_row_imports_nothing(project, lead, support_teams):
    text = csv_text(
        "Payments API,,,L1 Service desk,Service Desk,,,,,",
        "Ledger,,,L1 Service desk,Nobody,,,,,",
    )
    before = support_rows()
    result = parse(text, **names_of(project))
    assert isinstance(result, Rejected)
    assert result.errors == (
        "Line 3: there is no team called “Nobody” in this transition: "
        "add it on the Teams page first.",
    )
    assert support_rows() == before


# The pages --------------------------------------------------------------------------


def upload(client, project, text, name="support.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        reverse("support:import", args=[project.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


GOOD = csv_text(
    "Payments API,,Critical,L1 Service desk,Service Desk,24x7,15,,,",
    "Payments API,,,L2 Application support,Payments Support,,,,,",
)


@pytest.mark.parametrize("persona", ["lead", "contributor"])
def test_the_delivery_team_imports_a_file_and_lands_on_the_matrix(
    request, client_as, project, support_teams, persona
):
    user = request.getfixturevalue(persona)
    page = client_as(user).get(reverse("support:import", args=[project.pk]))
    assert page.status_code == 200
    assert b"Service Desk" in page.content  # the names the file can use
    assert b"L1 Service desk" in page.content
    assert (
        "A row replaces the current owner of its cell, whoever set it; "
        "cells not in the file are left as they are."
    ) in page.content.decode()

    response = upload(client_as(user), project, GOOD)

    assert response.status_code == 302
    assert response["Location"] == reverse("support:matrix", args=[project.pk])
    [message] = [str(m) for m in response.wsgi_request._messages]
    assert message == "Imported 1 component (1 new, 0 updated) and set 2 cells of the matrix."
    assert Ownership.objects.filter(project=project, component__name="Payments API").count() == 2
    assert Ownership.history.filter(project=project).first().history_user == user


@pytest.mark.parametrize("persona", ["ops", "viewer"])
def test_operations_and_viewers_may_not_import(request, client_as, project, support_teams, persona):
    client = client_as(request.getfixturevalue(persona))
    before = support_rows()
    assert client.get(reverse("support:import", args=[project.pk])).status_code == 403
    assert upload(client, project, GOOD).status_code == 403
    assert support_rows() == before


def test_an_outsider_gets_404_and_no_template(client_as, project, outsider, support_teams):
    client = client_as(outsider)
    assert client.get(reverse("support:import", args=[project.pk])).status_code == 404
    assert upload(client, project, GOOD).status_code == 404
    assert client.get(reverse("support:import-template", args=[project.pk])).status_code == 404
    assert not Component.objects.exists()


def test_a_closed_transition_refuses_the_import(client_as, project, lead, support_teams):
    project.phase = Phase.CANCELLED
    project.save()
    assert upload(client_as(lead), project, GOOD).status_code == 403
    assert not Component.objects.exists()


def test_the_error_page_lists_every_bad_line_and_writes_nothing(
    client_as, project, lead, support_teams
):
    text = csv_text(
        "Payments API,,,L1 Service desk,Service Desk,,,,,",
        "Ledger,,,L1 Service desk,Nobody,,,,,",
        "Ledger,,,L9,Service Desk,,,,,",
        "Batch,,,L2 Application support,Service Desk,weekends,,,,",
    )
    before = support_rows()
    response = upload(client_as(lead), project, text)
    assert response.status_code == 400
    assert support_rows() == before
    report = response.content.decode()
    assert 'role="alert"' in report
    assert "Nothing was imported. Correct these 3 problems" in report
    for line in (3, 4, 5):
        assert f"<li>Line {line}: " in report
    assert "Line 2:" not in report
    assert "there is no team called “Nobody” in this transition" in report


def test_a_file_over_the_row_limit_is_refused_by_the_page_and_writes_nothing(
    client_as, project, lead, support_teams
):
    rows = [f"Component {n},,,L1 Service desk,Service Desk,,,,," for n in range(10_000)]
    response = upload(client_as(lead), project, csv_text(*rows))
    assert response.status_code == 400
    assert "The file has 10,000 rows; an import takes at most 2,000: split it." in (
        response.content.decode()
    )
    assert not Component.objects.exists()
    assert not Tier.objects.exists()


def test_a_file_of_2000_rows_is_imported_in_one_go(client_as, project, lead, support_teams):
    rows = []
    for n in range(1000):
        rows.append(f"Component {n},Database,High,L1 Service desk,Service Desk,24x7,15,,,")
        rows.append(f"Component {n},,,L2 Application support,Payments Support,,60,,,")
    response = upload(client_as(lead), project, csv_text(*rows))
    assert response.status_code == 302
    [message] = [str(m) for m in response.wsgi_request._messages]
    assert message == (
        "Imported 1000 components (1000 new, 0 updated) and set 2000 cells of the matrix."
    )
    assert Component.objects.filter(project=project, kind="database").count() == 1000
    assert Ownership.objects.filter(project=project).count() == 2000
    assert Ownership.history.filter(project=project, history_user=lead).count() == 2000
    assert Component.history.filter(project=project, history_user=lead).count() == 1000


def test_a_file_that_is_not_utf8_or_too_large_or_missing_is_refused_by_the_page(
    client_as, project, lead
):
    client = client_as(lead)
    latin1 = upload(client, project, csv_text("Übersee,,,,,,,,,").encode("latin-1"))
    assert latin1.status_code == 400
    assert imports.NOT_UTF8 in latin1.content.decode()
    large = upload(client, project, b"x" * (imports.MAX_BYTES + 1))
    assert large.status_code == 400
    assert imports.TOO_LARGE in large.content.decode()
    empty = upload(client, project, b"")
    assert empty.status_code == 400
    assert imports.EMPTY in empty.content.decode()
    missing = client.post(reverse("support:import", args=[project.pk]), {})
    assert missing.status_code == 400
    assert not Component.objects.exists()


def test_every_member_downloads_a_template_that_imports_once_filled_in(
    client_as, project, viewer, support_teams
):
    TierFactory(project=project, name="Service desk")
    TierFactory(project=project, name="Engineering")
    response = client_as(viewer).get(reverse("support:import-template", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="support-import.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 3
    plan = parse(response.content, **names_of(project))
    assert isinstance(plan, ImportPlan), plan
    cells = [(c.tier, c.team) for c in plan.components[0].cells]
    # Teams come in name order: the first two teams of the Teams page.
    assert cells == [("Service desk", "Payments Support"), ("Engineering", "Service Desk")]


def test_a_transition_without_teams_gets_a_template_with_example_names_to_replace(
    client_as, project, viewer
):
    response = client_as(viewer).get(reverse("support:import-template", args=[project.pk]))
    text = response.content.decode("utf-8-sig")
    assert "Service desk team" in text
    assert DEFAULT_TIERS[0][0] in text
    SupportTeamFactory(project=project, name="Payments Desk")
    filled = text.replace("Service desk team", "Payments Desk").replace(
        "Application support team", "Payments Desk"
    )
    assert isinstance(parse(filled, **names_of(project)), ImportPlan)


def test_the_template_guards_names_that_start_like_a_formula(client_as, project, viewer):
    SupportTeamFactory(project=project, name="=HYPERLINK(evil)")
    response = client_as(viewer).get(reverse("support:import-template", args=[project.pk]))
    text = response.content.decode("utf-8-sig")
    assert ",'=HYPERLINK(evil)," in text
    plan = parse(text, **names_of(project))
    assert isinstance(plan, ImportPlan)
    assert plan.components[0].cells[0].team == "=HYPERLINK(evil)"


def test_the_page_reports_the_owners_the_file_replaced(client_as, project, lead, support_teams):
    desk, payments = support_teams
    tier = TierFactory(project=project, name="L1 Service desk")
    TierFactory(project=project, name="L2 Application support")
    api = ComponentFactory(project=project, name="Payments API")
    cell = OwnershipFactory(project=project, component=api, tier=tier, team=payments)
    response = upload(client_as(lead), project, GOOD)
    assert response.status_code == 302
    [message] = [str(m) for m in response.wsgi_request._messages]
    assert message == (
        "Imported 1 component (0 new, 1 updated), set 1 cell of the matrix "
        "and replaced the owner of 1."
    )
    cell.refresh_from_db()
    assert cell.team == desk


def test_two_teams_that_differ_only_in_case_refuse_the_row_on_the_page(client_as, project, lead):
    SupportTeamFactory(project=project, name="Straße")
    SupportTeamFactory(project=project, name="STRASSE")
    response = upload(client_as(lead), project, csv_text("API,,,L1 Service desk,strasse,,,,,"))
    assert response.status_code == 400
    assert (
        "Line 2: two teams match “strasse” (“STRASSE” and “Straße”): rename one."
        in response.content.decode()
    )
    assert not Component.objects.exists()


# The request's size, before its body is read ------------------------------------------


def body_not_read():
    """Fails the test if Django parses a multipart body (and spools the file)."""
    return mock.patch(
        "django.http.multipartparser.MultiPartParser.parse",
        side_effect=AssertionError("the request body was read"),
    )


@pytest.mark.parametrize("enforce_csrf", [False, True])
def test_an_upload_declared_over_the_limit_is_refused_413_before_its_body_is_read(
    project, lead, support_teams, enforce_csrf
):
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(lead)
    before = support_rows()
    with body_not_read():
        response = upload(client, project, b"x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "The file is larger than 2 MiB: split it." in page
    assert 'enctype="multipart/form-data"' in page  # the same page, to try again
    assert support_rows() == before


def test_the_size_is_checked_after_the_role_so_outsiders_and_viewers_learn_nothing(
    client_as, project, outsider, viewer
):
    big = b"x" * (3 * 1024 * 1024)
    with body_not_read():
        assert upload(client_as(outsider), project, big).status_code == 404
        assert upload(client_as(viewer), project, big).status_code == 403


def test_a_request_just_within_the_allowance_is_read_and_checked_by_the_form(
    client_as, project, lead
):
    # A 2 MiB file plus its envelope fits in the allowance; the file is then refused
    # on its own size only if it is over 2 MiB.
    response = upload(client_as(lead), project, b"x" * imports.MAX_BYTES)
    assert response.status_code == 400
    assert imports.TOO_LARGE not in response.content.decode()
    assert import_views.MAX_REQUEST_BYTES - imports.MAX_BYTES == 64 * 1024


@pytest.mark.parametrize("declared", ["", "abc", "1e9"])
def test_a_missing_or_garbled_content_length_is_answered_400_not_500(
    client_as, project, lead, support_teams, declared
):
    response = client_as(lead).post(
        reverse("support:import", args=[project.pk]),
        {"file": SimpleUploadedFile("support.csv", GOOD.encode(), content_type="text/csv")},
        CONTENT_LENGTH=declared,
    )
    # Django reads no body for a length it cannot read: no file, nothing imported.
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Component.objects.exists()


def test_the_import_still_needs_its_csrf_token(project, lead, support_teams):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    refused = upload(client, project, GOOD)
    assert refused.status_code == 403
    assert not Component.objects.exists()

    client.get(reverse("support:import", args=[project.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("support:import", args=[project.pk]),
        {
            "csrfmiddlewaretoken": token,
            "file": SimpleUploadedFile("support.csv", GOOD.encode(), content_type="text/csv"),
        },
    )
    assert response.status_code == 302
    assert Component.objects.filter(project=project, name="Payments API").exists()


def test_a_negative_content_length_is_answered_400_before_the_body_is_read(
    client_as, project, lead, support_teams
):
    with body_not_read():
        response = client_as(lead).post(
            reverse("support:import", args=[project.pk]),
            {"file": SimpleUploadedFile("support.csv", GOOD.encode(), content_type="text/csv")},
            CONTENT_LENGTH="-5",
        )
    assert response.status_code == 400
    assert import_views.UNREADABLE in response.content.decode()
    assert not Component.objects.exists()
