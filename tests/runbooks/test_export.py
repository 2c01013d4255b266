"""A runbook exported to Markdown and to a printable page: the content round-trips (every
section's text verbatim under its heading, in order), "who to call" comes from the support
model, members read it, a non-member gets 404, and the page stays inside the CSP."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import User
from apps.projects.models import Phase, Project
from apps.runbooks import export, services
from apps.runbooks.models import Runbook, RunbookStatus, Scenario
from apps.runbooks.views import export as export_views
from apps.support import services as support_services
from apps.support.models import Component, EscalationLevel, Path
from tests import factories
from tests.core.test_csp import inline_code
from tests.support.factories import model_fully

REVIEW_BY = dt.date(2031, 3, 14)

RESTART = """1. Drain the node:

   ```bash
   kubectl drain node-1 --ignore-daemonsets
   ```

2. Restart the API:
   - `kubectl rollout restart deploy/api`
   - watch **5xx** fall below 0.1%

# If it does not come back

| Signal | Normal | Problem |
|:--|--:|--|
| p95 | < 300 ms | > 2 s |"""

SCENARIOS = [
    {
        "title": "The payments API answers 5xx",
        "symptoms": "Checkout shows *Payment failed*.\n\nThe **ApiErrors** alert fires.",
        "normal": "- p95 under 300 ms\n- error rate below 0.1%",
        "problem": "Error rate above 5% for 5 minutes; logs say `upstream timed out`.",
        "first_checks": "Open the [Payments dashboard](https://grafana.example.com/d/pay).",
        "diagnosis": "> Compare with last week's traffic before restarting anything.",
        "resolution": RESTART,
        "rollback": "Roll back with `helm rollback api 0`.",
        "alert_names": "ApiErrors\nApiLatencyHigh",
    },
    {
        "title": "The ledger is read-only",
        "symptoms": "Writes fail with `read-only transaction`.",
        "normal": "Replication lag under 1 s.",
        "problem": "Lag above 60 s, or the primary unreachable.",
        "first_checks": "",
        "diagnosis": "Check the primary's disk: `df -h /var/lib/postgresql`.",
        "resolution": "Fail over with the provider's console, then re-point the API.",
        "rollback": "",
        "alert_names": "",
    },
]


@pytest.fixture
def support(project, lead, ops):
    return model_fully(project, lead, ops)


def write_runbook(project, lead, support, scenarios=SCENARIOS) -> tuple[Runbook, list[Scenario]]:
    api, ledger = support["components"]
    runbook = services.runbook_save(
        runbook=Runbook(
            project=project,
            title="Payments API: on call",
            component=api,
            owner=lead,
            review_by=REVIEW_BY,
            status=RunbookStatus.PUBLISHED,
            summary="The payments API takes card payments\nand writes them to the ledger.",
        ),
        by=lead,
    )
    written = []
    for n, fields in enumerate(scenarios):
        component = (api, ledger)[n % 2]
        written.append(
            services.scenario_save(
                scenario=Scenario(project=project, runbook=runbook, component=component, **fields),
                by=lead,
            )
        )
    return runbook, written


def document(runbook: Runbook) -> str:
    scenarios = list(runbook.scenarios.select_related("component").order_by("position"))
    return export.markdown(
        runbook=runbook,
        scenarios=scenarios,
        answers=export_views.answers(runbook.project, scenarios),
        lead=runbook.project.lead,
    )


def split_scenarios(text: str) -> list[tuple[str, dict[str, str]]]:
    """(scenario heading, {section heading: body}) in order, read back from the file."""
    result = []
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title, _, rest = block.partition("\n")
        parts = re.split(r"^### (.+)\n\n", rest, flags=re.MULTILINE)
        bodies = {parts[i]: parts[i + 1].rstrip("\n") for i in range(1, len(parts), 2)}
        result.append((title, bodies))
    return result


# -- The Markdown ---------------------------------------------------------------------


def test_every_section_reads_back_verbatim_under_its_heading_in_order(project, lead, support):
    runbook, _ = write_runbook(project, lead, support)
    scenarios = split_scenarios(document(runbook))

    assert [title for title, _ in scenarios] == [
        "1. The payments API answers 5xx",
        "2. The ledger is read-only",
    ]
    headings = [
        "Trigger and symptoms",
        "What normal looks like",
        "What a problem looks like",
        "First checks",
        "Diagnosis steps",
        "Resolution steps",
        "Rollback",
    ]
    for (_, bodies), fields in zip(scenarios, SCENARIOS, strict=True):
        assert list(bodies)[: len(headings)] == headings
        for heading, name in zip(headings, export.SECTIONS, strict=True):
            assert bodies[heading] == (fields[name] or export.NOT_WRITTEN)
        assert list(bodies)[len(headings) :] == ["Alerts", "Who to call (P1)"]


def test_the_head_holds_title_summary_component_owner_review_date_and_status(
    project, lead, support
):
    runbook, _ = write_runbook(project, lead, support)
    text = document(runbook)
    head = text.split("\n## ", 1)[0]
    assert head == (
        "# Payments API: on call\n\n"
        "The payments API takes card payments\nand writes them to the ledger.\n\n"
        "- Component: Payments API\n"
        f"- Owner: {lead.display_name} ({lead.email})\n"
        "- Review by: 14 March 2031 (2031-03-14)\n"
        "- Status: Published\n"
    )


def test_alerts_are_listed_and_a_scenario_without_alerts_says_so(project, lead, support):
    runbook, _ = write_runbook(project, lead, support)
    (_, first), (_, second) = split_scenarios(document(runbook))
    assert first["Alerts"] == "- ApiErrors\n- ApiLatencyHigh"
    assert second["Alerts"] == "_None listed._"


def test_who_to_call_names_owners_tier_by_tier_then_the_escalation_path(
    project, lead, ops, support
):
    runbook, _ = write_runbook(project, lead, support)
    (_, api), _ = split_scenarios(document(runbook))
    who = api["Who to call (P1)"]
    tiers = support["tiers"]

    owners, _, escalation = who.partition("Then escalate:")
    assert owners.startswith("Owners, tier by tier:\n\n")
    assert f"1. **{tiers[0].name}**: Service desk (24x7; responds within 15 min)" in owners
    assert f"2. **{tiers[1].name}**: App support (Business hours; responds within 30 min)" in (
        owners
    )
    assert "   - Phone: +44 20 7946 0000" in owners
    assert "   - Chat: \\#payments" in owners
    lines = [line for line in escalation.splitlines() if re.match(r"\d\. ", line)]
    assert lines == [
        "1. **Level 1**: Service desk. First call.",
        "2. **Level 2**: App support. After 30 min.",
        f"3. **Level 3**: {ops.display_name}. At once for P1. **Call now for P1.**",
    ]
    assert "   - Pager: PagerDuty Pay-L2" in escalation
    assert f"{ops.display_name} ({ops.email})" in escalation
    assert "hypercare" not in who  # the transition is not in hypercare: the standard path


def test_a_scenario_without_a_component_says_no_owner_can_be_named_but_gives_the_path(
    project, lead, support
):
    runbook, _ = write_runbook(project, lead, support)
    services.scenario_save(
        scenario=Scenario(project=project, runbook=runbook, title="Anything else", symptoms="?"),
        by=lead,
    )
    *_, (title, bodies) = split_scenarios(document(runbook))
    assert title == "3. Anything else"
    who = bodies["Who to call (P1)"]
    assert who.startswith("No component is set for this scenario, so no owner can be named")
    assert "1. **Level 1**: Service desk. First call." in who
    assert "Owners, tier by tier" not in who


def test_without_an_escalation_path_the_lead_is_named_never_a_blank(project, lead):
    component = support_services.component_save(
        component=Component(project=project, name="Batch jobs"), by=lead
    )
    runbook = services.runbook_save(
        runbook=Runbook(project=project, title="Bare", owner=lead, review_by=REVIEW_BY), by=lead
    )
    services.scenario_save(
        scenario=Scenario(project=project, runbook=runbook, component=component, title="Down"),
        by=lead,
    )
    (_, bodies) = split_scenarios(document(runbook))[0]
    who = bodies["Who to call (P1)"]
    assert "No owner at" in who  # each tier without an owner is said so
    assert f"There is no escalation path: ask the transition's lead, {lead.display_name}" in who
    assert all(bodies[h] == export.NOT_WRITTEN for h in ("Trigger and symptoms", "Rollback"))


def test_in_hypercare_the_hypercare_path_answers_with_its_notes(project, lead, ops, support):
    desk, _ = support["teams"]
    support_services.level_save(
        level=EscalationLevel(
            project=project, path=Path.HYPERCARE, person=ops, team=desk, note="Say *P1*."
        ),
        by=lead,
    )
    runbook, _ = write_runbook(project, lead, support)
    Project.objects.filter(pk=project.pk).update(phase=Phase.HYPERCARE)
    runbook.project.refresh_from_db()
    (_, bodies), _ = split_scenarios(document(runbook))
    who = bodies["Who to call (P1)"]
    assert "Then escalate (hypercare path):" in who
    assert f"1. **Level 1**: {lead.display_name}. First call." in who
    assert f"2. **Level 2**: {ops.display_name} (Service desk). " in who
    assert "Say \\*P1\\*." in who


def test_in_hypercare_without_a_hypercare_path_the_standard_one_is_said_so(project, lead, support):
    EscalationLevel.objects.filter(project=project, path=Path.HYPERCARE).delete()
    runbook, _ = write_runbook(project, lead, support)
    Project.objects.filter(pk=project.pk).update(phase=Phase.HYPERCARE)
    runbook.project.refresh_from_db()
    (_, bodies), _ = split_scenarios(document(runbook))
    who = bodies["Who to call (P1)"]
    assert "Then escalate:\n\nIn hypercare, but there is no hypercare path" in who
    assert "1. **Level 1**: Service desk. First call." in who


def test_a_scenario_whose_answer_is_missing_says_so_rather_than_staying_blank():
    owner = User(email="owner@example.com", full_name="")
    runbook = Runbook(pk=1, title="On call", owner=owner, review_by=REVIEW_BY)
    scenario = Scenario(pk=2, title="Down", component_id=None)
    text = export.markdown(runbook=runbook, scenarios=[scenario], answers={}, lead=owner)
    assert "- Owner: owner@example.com\n" in text  # no name: the address alone
    assert text.endswith(
        "### Who to call (P1)\n\n"
        "Nobody could be resolved: reload the support model and export again.\n"
    )


def test_titles_and_names_are_escaped_so_they_show_as_typed(project, lead):
    runbook = Runbook(
        project=project,
        title="<b>*Payments*</b> # [on call]",
        owner=lead,
        review_by=REVIEW_BY,
        status=RunbookStatus.DRAFT,
    )
    text = export.markdown(runbook=runbook, scenarios=[], answers={}, lead=lead)
    assert text.startswith("# \\<b\\>\\*Payments\\*\\</b\\> \\# \\[on call\\]\n")
    assert "- Status: Draft\n" in text
    assert "- Component: The whole service\n" in text
    assert text.endswith("No scenarios yet.\n")


def test_form_line_endings_are_normalised_and_nothing_else_changes(project, lead):
    scenario = Scenario(project=project, symptoms="\r\n  indented code?\r\nline two  \r\n\r\n")
    assert export.sections(scenario)[0] == ("Trigger and symptoms", "  indented code?\nline two")


@pytest.mark.parametrize(
    ("title", "name"),
    [("Payments API: on call", "payments-api-on-call.md"), ("¡¿!!", "runbook-7.md")],
)
def test_the_file_is_named_after_the_runbook(title, name):
    assert export.filename(Runbook(pk=7, title=title)) == name


# -- The download -------------------------------------------------------------------


def test_a_viewer_downloads_the_runbook_as_a_markdown_attachment(
    project, lead, viewer, support, client_as
):
    runbook, _ = write_runbook(project, lead, support)
    url = reverse("runbooks:export-markdown", args=[project.pk, runbook.pk])
    response = client_as(viewer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="payments-api-on-call.md"'
    assert response.content.decode() == document(runbook)


def test_the_export_is_read_only(project, lead, support, client_as):
    runbook, _ = write_runbook(project, lead, support)
    for name in ("runbooks:export-markdown", "runbooks:print"):
        url = reverse(name, args=[project.pk, runbook.pk])
        assert client_as(lead).post(url).status_code == 405


def test_a_non_member_gets_404_for_the_export_and_the_print_page(
    project, lead, outsider, support, client_as
):
    runbook, _ = write_runbook(project, lead, support)
    for name in ("runbooks:export-markdown", "runbooks:print"):
        response = client_as(outsider).get(reverse(name, args=[project.pk, runbook.pk]))
        assert response.status_code == 404


def test_a_runbook_of_another_transition_is_not_found_through_this_one(
    project, lead, viewer, client_as
):
    other = factories.ProjectFactory()
    elsewhere = services.runbook_save(
        runbook=Runbook(project=other, title="Theirs", owner=other.lead, review_by=REVIEW_BY),
        by=other.lead,
    )
    for name in ("runbooks:export-markdown", "runbooks:print"):
        response = client_as(viewer).get(reverse(name, args=[project.pk, elsewhere.pk]))
        assert response.status_code == 404


# -- The printable page ---------------------------------------------------------------


def test_a_viewer_gets_the_printable_page_with_every_scenario_in_order(
    project, lead, viewer, support, client_as
):
    runbook, scenarios = write_runbook(project, lead, support)
    response = client_as(viewer).get(reverse("runbooks:print", args=[project.pk, runbook.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    positions = [page.index(f"{n}. {s.title}") for n, s in enumerate(scenarios, start=1)]
    assert positions == sorted(positions)
    assert page.count('data-testid="scenario"') == len(scenarios)
    assert page.count("runbook-print-scenario") == len(scenarios)
    # The sections rendered from Markdown, sanitised; the contacts from the support model.
    assert "<strong>ApiErrors</strong>" in page
    assert "<code>kubectl rollout restart deploy/api</code>" in page
    assert '<a href="https://grafana.example.com/d/pay" rel="noopener noreferrer nofollow">' in page
    assert "Not written yet." in page
    assert "+44 20 7946 0000" in page
    assert "PagerDuty Pay-L2" in page
    assert inline_code(page) == []


def test_hostile_markdown_in_a_scenario_is_inert_on_the_printable_page(
    project, lead, viewer, support, client_as
):
    hostile = {
        **SCENARIOS[1],
        "symptoms": '<script>alert(1)</script> <img src=x onerror="alert(1)">',
        "resolution": '[restart](javascript:alert(1)) <p style="color:red">x</p>',
    }
    runbook, _ = write_runbook(project, lead, support, scenarios=[hostile])
    page = client_as(viewer).get(reverse("runbooks:print", args=[project.pk, runbook.pk]))
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert inline_code(html) == []
    # The Markdown file keeps the author's text as written: it is not a web page.
    assert hostile["symptoms"] in document(runbook)


def test_the_exports_cost_the_same_queries_for_2_and_8_scenarios(
    project, lead, viewer, support, client_as
):
    client = client_as(viewer)
    counts = []
    for size in (2, 8):
        runbook, _ = write_runbook(project, lead, support, scenarios=(SCENARIOS * 4)[:size])
        for name in ("runbooks:export-markdown", "runbooks:print"):
            url = reverse(name, args=[project.pk, runbook.pk])
            client.get(url)  # warm the session and caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:]


def test_a_runbook_without_scenarios_exports_and_prints_saying_so(project, lead, client_as):
    runbook = services.runbook_save(
        runbook=Runbook(project=project, title="Empty", owner=lead, review_by=REVIEW_BY), by=lead
    )
    client = client_as(lead)
    download = client.get(reverse("runbooks:export-markdown", args=[project.pk, runbook.pk]))
    assert download.content.decode().endswith("- Status: Draft\n\nNo scenarios yet.\n")
    page = client.get(reverse("runbooks:print", args=[project.pk, runbook.pk]))
    assert page.status_code == 200
    assert "This runbook has no scenarios yet." in page.content.decode()
