"""Runbooks in Chromium, as the on-call engineer on a phone: find the scenario by the
alert that fired, read what normal and a problem look like and whom to call, then
record the walkthrough with a follow-up task. Zero Content-Security-Policy
violations, no sideways scrolling."""

import pytest
from django.urls import reverse

from apps.projects.models import Task
from apps.runbooks.models import Outcome, Walkthrough
from tests import factories
from tests.e2e import test_handoff_flow as flow
from tests.e2e.test_handoff_flow import log_in
from tests.runbooks.complete import every_gate_passing

pytestmark = flow.pytestmark
browser = flow.browser
csp_violations = flow.csp_violations

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):
    from apps.projects.models import Role

    project = factories.ProjectFactory(name="Payments platform")
    ops = factories.UserFactory(email="sam@example.com", full_name="Sam Okafor")
    factories.MembershipFactory(project=project, user=ops, role=Role.OPS)
    every_gate_passing(project, project.lead, ops)
    scenario = project.scenarios.get()
    scenario.alert_names = "PaymentsApiDown"
    scenario.save()
    return project, ops, scenario


def test_ops_finds_a_scenario_by_its_alert_and_records_a_walkthrough(
    live_server, browser, world, csp_violations
):
    from playwright.sync_api import expect

    project, ops, scenario = world
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()

    def report(seen: str) -> None:
        csp_violations.append(seen)

    page.expose_function("reportCspViolation", report)
    page.add_init_script(flow.WATCH_CSP)
    log_in(page, base, ops.email, factories.PASSWORD)

    page.goto(f"{base}{reverse('runbooks:list', args=[project.pk])}")
    page.get_by_label("Find a scenario").fill("paymentsapidown")
    page.get_by_role("button", name="Find").click()
    page.get_by_test_id("search-results").get_by_role("link", name=scenario.title).click()

    card = page.locator(f"#scenario-{scenario.pk}")
    expect(card).to_contain_text("p95 latency under 200 ms.")  # what normal looks like
    expect(card).to_contain_text("5xx above 1% for 5 minutes.")  # what a problem looks like
    expect(card).to_contain_text("Service desk")  # who to call, from the support model
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    card.get_by_role("link", name="Record a walkthrough").click()
    page.get_by_label("Sam Okafor").check()
    page.get_by_label("Worked with changes").check()
    page.get_by_label("Gaps found").fill("The restart command needs the namespace.")
    page.get_by_label("Follow-up tasks").fill("Add the namespace to the restart step")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#scenario-{scenario.pk}")).to_contain_text("Worked with changes")

    walkthrough = Walkthrough.objects.filter(scenario=scenario).latest("pk")
    assert walkthrough.outcome == Outcome.WORKED_WITH_CHANGES
    assert list(walkthrough.participants.all()) == [ops]
    assert Task.objects.filter(
        project=project, title="Add the namespace to the restart step"
    ).exists()
    context.close()
    assert csp_violations == []
