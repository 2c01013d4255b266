"""Monitoring in Chromium, as operations on a phone: the monitoring page is open while a
test alert fires and resolves through the webhook, and the alert turns verified on the
page by itself (htmx polling), with no reload. Then what arrived but is not in the
inventory is added in one click. Zero Content-Security-Policy violations, no sideways
scrolling."""

import json

import pytest
from django.urls import reverse

from apps.monitoring import services
from apps.monitoring.models import Alert, Integration, Severity, Source
from apps.projects.models import Role
from tests import factories
from tests.e2e import test_handoff_flow as flow
from tests.e2e.test_handoff_flow import log_in

pytestmark = flow.pytestmark
browser = flow.browser
csp_violations = flow.csp_violations

PHONE = {"width": 390, "height": 844}
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def world(transactional_db):
    project = factories.ProjectFactory(name="Payments platform")
    ops = factories.UserFactory(email="sam@example.com", full_name="Sam Okafor")
    factories.MembershipFactory(project=project, user=ops, role=Role.OPS)
    hook = services.integration_save(
        integration=Integration(project=project, name="Prod", source=Source.GENERIC),
        by=project.lead,
    )
    alert = services.alert_save(
        alert=Alert(project=project, name="PaymentsApiDown", severity=Severity.CRITICAL),
        by=project.lead,
    )
    return project, ops, hook, alert


def send(page, base: str, hook: Integration, name: str, status: str) -> int:
    """POST a generic notification to the webhook, as a monitoring tool would."""
    body = {
        "name": name,
        "status": status,
        "fingerprint": f"{name}-1",
        "started_at": "2026-11-28T10:00:00Z",
    }
    url = f"{base}{reverse('hook', args=[hook.source, hook.token])}"
    return page.request.post(url, data=json.dumps(body), headers=JSON).status


def test_a_test_alert_turns_verified_on_the_open_page_and_an_unknown_one_is_adopted(
    live_server, browser, world, csp_violations
):
    from playwright.sync_api import expect

    project, ops, hook, alert = world
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()

    def report(seen: str) -> None:
        csp_violations.append(seen)

    page.expose_function("reportCspViolation", report)
    page.add_init_script(flow.WATCH_CSP)
    log_in(page, base, ops.email, factories.PASSWORD)

    page.goto(f"{base}{reverse('monitoring:alerts', args=[project.pk])}")
    state = page.locator(f"#alert-{alert.pk}").get_by_test_id("proof-state")
    expect(state).to_have_attribute("data-state", "none")
    expect(page.get_by_test_id("monitoring-gate")).to_contain_text("not yet")

    assert send(page, base, hook, "PaymentsApiDown", "firing") == 202
    assert send(page, base, hook, "PaymentsApiDown", "resolved") == 202
    assert send(page, base, hook, "DiskFull", "firing") == 202

    # No reload: the proof region polls every few seconds.
    expect(state).to_have_attribute("data-state", "verified", timeout=15_000)
    expect(state).to_contain_text("by webhook")
    expect(page.get_by_test_id("unmatched")).to_contain_text("We received DiskFull")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

    # The lead adds what arrived unknown to the inventory, in one click.
    lead_context = browser.new_context(viewport=PHONE)
    lead_page = lead_context.new_page()
    lead_page.expose_function("reportCspViolation", report)
    lead_page.add_init_script(flow.WATCH_CSP)
    log_in(lead_page, base, project.lead.email, factories.PASSWORD)
    lead_page.goto(f"{base}{reverse('monitoring:alerts', args=[project.pk])}")
    lead_page.get_by_test_id("unmatched").get_by_role("button", name="Add to inventory").click()
    expect(lead_page.get_by_role("heading", name="Edit alert DiskFull")).to_be_visible()
    assert Alert.objects.filter(project=project, name="DiskFull").exists()
    lead_context.close()
    assert csp_violations == []
