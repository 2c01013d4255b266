"""The support model in Chromium: a lead models a support set-up (a component, a team,
the owner of every tier set in place, the escalation path reordered), the gate card
turns green on the transition page, and an operations engineer on a phone asks "Who
do I call?". Zero Content-Security-Policy violations, no sideways scrolling."""

import pytest
from django.urls import reverse

from apps.projects.models import Role
from apps.support.models import EscalationLevel, Ownership, Tier
from tests import factories
from tests.e2e import test_handoff_flow as flow
from tests.e2e.test_handoff_flow import log_in

pytestmark = flow.pytestmark
browser = flow.browser
csp_violations = flow.csp_violations

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):
    project = factories.ProjectFactory(name="Payments platform")
    ops = factories.UserFactory(email="sam@example.com", full_name="Sam Okafor")
    factories.MembershipFactory(project=project, user=ops, role=Role.OPS)
    return project, ops


def test_a_lead_models_a_support_set_up_and_ops_finds_whom_to_call(
    live_server, browser, world, csp_violations
):
    from playwright.sync_api import expect

    project, ops = world
    base = live_server.url
    page = flow.new_page(browser, csp_violations)
    log_in(page, base, project.lead.email, factories.PASSWORD)
    matrix = f"{base}{reverse('support:matrix', args=[project.pk])}"

    # A component (the default tiers come with it).
    page.goto(matrix)
    page.get_by_role("link", name="Add component").click()
    page.get_by_label("Name").fill("Payments API")
    page.get_by_label("Criticality").select_option("critical")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("support-matrix")).to_contain_text("Payments API")

    # A team with a member, a phone and its scope.
    page.goto(f"{base}{reverse('support:team-add', args=[project.pk])}")
    page.get_by_label("Name").fill("Payments on-call")
    page.get_by_label("Phone").fill("+44 20 7946 0000")
    page.get_by_label("In scope").fill("The payments API, end to end.")
    page.get_by_label("Sam Okafor").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("teams")).to_contain_text("Payments on-call")

    # Each tier's owner, set in place: the cell becomes a form and comes back filled.
    page.goto(matrix)
    for tier in Tier.objects.filter(project=project):
        cell = page.locator(f"#cell-{project.support_components.get().pk}-{tier.pk}")
        cell.get_by_role("link", name=f"Set owner of Payments API at {tier.name}").click()
        form = cell.get_by_test_id("cell-form")
        form.get_by_label(f"Owner of Payments API at {tier.name}").select_option(
            label="Payments on-call"
        )
        form.get_by_label("Support hours").select_option("24x7")
        form.locator("input[name=p1_minutes]").fill("15")
        with page.expect_response(lambda r: "/cell/" in r.url and r.request.method == "POST"):
            form.get_by_role("button", name="Save").click()
        expect(cell.get_by_test_id("owner")).to_have_text("Payments on-call")
    assert Ownership.objects.filter(project=project, hours="24x7", p1_minutes=15).count() == 3
    # The gap summary follows each save without a reload: now the path and catch-all.
    expect(page.get_by_test_id("support-gaps")).to_contain_text("block")

    # Catch-all owner, and two escalation levels, then the second moved up in place.
    page.goto(f"{base}{reverse('support:teams', args=[project.pk])}")
    catch_all = page.get_by_role("region", name="Catch-all owner")
    catch_all.get_by_label("Catch-all owner").select_option(label="Payments on-call")
    catch_all.get_by_role("button", name="Save").click()
    for person in ("Sam Okafor", project.lead.display_name):
        page.goto(f"{base}{reverse('support:level-add', args=[project.pk])}")
        page.get_by_label("Person").select_option(label=person)
        page.get_by_label("Escalate after (minutes)").fill("30")
        page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Move level 2 up").click()
    expect(page.get_by_test_id("levels-standard").locator("li").first).to_contain_text(
        project.lead.display_name
    )
    first = EscalationLevel.objects.get(project=project, position=1)
    assert first.person_id == project.lead.pk

    # The gate card on the transition page is green.
    page.goto(f"{base}{project.get_absolute_url()}")
    expect(page.locator("#readiness")).to_contain_text("Support model")
    expect(
        page.locator("#readiness li", has_text="Support model").get_by_role("img", name="passed")
    ).to_be_visible()

    # Operations, on a phone: who do I call for a P1 on the payments API?
    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()

    def report(seen: str) -> None:
        csp_violations.append(seen)

    phone.expose_function("reportCspViolation", report)
    phone.add_init_script(flow.WATCH_CSP)
    log_in(phone, base, ops.email, factories.PASSWORD)
    phone.goto(f"{base}{reverse('support:who', args=[project.pk])}")
    phone.get_by_role("link", name="Payments API").click()
    answer = phone.get_by_test_id("who-answer")
    expect(answer).to_contain_text("P1 on Payments API")
    expect(phone.get_by_test_id("who-owners")).to_contain_text("responds within 15 min")
    expect(
        phone.get_by_test_id("who-owners").get_by_role("link", name="+44 20 7946 0000").first
    ).to_be_visible()
    expect(phone.get_by_test_id("who-escalation")).to_contain_text("Sam Okafor")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Read only for operations: no edit links.
    assert phone.get_by_role("link", name="Add component").count() == 0
    context.close()
    assert csp_violations == []
