"""My items in Chromium, at phone width: an operations engineer changes a task's status
and signs off a criterion in place, with JavaScript and without it; a refused sign-off
says why inside its row. Zero Content-Security-Policy violations."""

import pytest
from django.urls import reverse

from apps.projects.models import Role, SignOff, Task
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
    ops_lead = factories.UserFactory(email="helena@example.com", full_name="Helena Novak")
    for user in (ops, ops_lead):
        factories.MembershipFactory(project=project, user=user, role=Role.OPS)
    task = factories.TaskFactory(project=project, owner=ops, title="Ops walkthrough")
    criterion = factories.CriterionFactory(
        project=project, statement="Monitoring is verified.", expected_signer=ops_lead
    )
    return project, ops, task, criterion


def open_my_items(browser, violations, base, user, *, javascript=True):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    if javascript:

        def report(seen: str) -> None:
            violations.append(seen)

        page.expose_function("reportCspViolation", report)
        page.add_init_script(flow.WATCH_CSP)
    log_in(page, base, user.email, factories.PASSWORD)
    page.goto(f"{base}{reverse('projects:my-items')}")
    return page


def test_an_ops_engineer_acts_in_place_on_a_phone(live_server, browser, world, csp_violations):
    from playwright.sync_api import expect

    _, ops, task, criterion = world
    page = open_my_items(browser, csp_violations, live_server.url, ops)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    with page.expect_response(lambda response: "/status/" in response.url):
        page.get_by_label("Status of Ops walkthrough").select_option("blocked")
    expect(page.get_by_label("Status of Ops walkthrough")).to_have_value("blocked")
    task.refresh_from_db()
    assert task.status == Task.Status.BLOCKED

    row = page.locator(f"#my-criterion-{criterion.pk}")
    expect(row).to_contain_text("asked of Helena Novak")
    row.get_by_text("Sign off…").click()
    row.get_by_label("Comment (optional)").fill("Alerts seen on the night shift.")
    row.get_by_role("button", name="Sign off", exact=True).click()
    expect(page.locator(f"#my-criterion-{criterion.pk}")).to_contain_text(
        "Signed off by Sam Okafor"
    )
    assert SignOff.objects.get(criterion=criterion).comment == "Alerts seen on the night shift."
    page.context.close()
    assert csp_violations == []


def test_without_javascript_both_actions_come_back_to_my_items(
    live_server, browser, world, csp_violations
):
    _, ops, task, criterion = world
    page = open_my_items(browser, csp_violations, live_server.url, ops, javascript=False)
    my_items = f"{live_server.url}{reverse('projects:my-items')}"

    page.get_by_label("Status of Ops walkthrough").select_option("in_progress")
    page.locator(f"#my-task-{task.pk}").get_by_role("button", name="Save").click()
    page.wait_for_url(my_items)
    assert "“Ops walkthrough” is now In progress." in page.locator("#messages").inner_text()

    row = page.locator(f"#my-criterion-{criterion.pk}")
    row.get_by_text("Sign off…").click()
    row.get_by_role("button", name="Sign off", exact=True).click()
    page.wait_for_url(my_items)
    assert "Signed off." in page.locator("#messages").inner_text()
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS
    assert SignOff.objects.filter(criterion=criterion).exists()
    page.context.close()


def test_a_lead_who_forgets_to_sign_as_operations_is_told_in_the_row(
    live_server, browser, world, csp_violations
):
    from playwright.sync_api import expect

    project, _, _, criterion = world
    criterion.expected_signer = project.lead
    criterion.save()
    page = open_my_items(browser, csp_violations, live_server.url, project.lead)
    row = page.locator(f"#my-criterion-{criterion.pk}")
    row.get_by_text("Sign off…").click()
    row.get_by_role("button", name="Sign off", exact=True).click()
    expect(page.locator(f"#my-criterion-{criterion.pk}").get_by_role("alert")).to_contain_text(
        "A lead may sign off only explicitly on behalf of operations"
    )
    assert not SignOff.objects.exists()
    page.context.close()
    assert csp_violations == []
