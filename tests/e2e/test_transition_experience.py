"""Destructive actions ask first, and work without JavaScript (issue 7), at phone width:
a lead cancels a transition through its confirmation page, sees the read-only banner
and reopens it; removes a member through theirs; an ops engineer filters the tasks.
With JavaScript on, the same pages raise no Content-Security-Policy violation."""

import pytest
from django.urls import reverse

from apps.projects.models import Membership, Phase, Project, Role, Task
from tests import factories
from tests.e2e import test_handoff_flow as flow
from tests.e2e.test_handoff_flow import log_in, new_page

# The browser, the CSP watcher and the marks (e2e; skipped without Chromium) are
# the hand-off flow's.
pytestmark = flow.pytestmark
browser = flow.browser
csp_violations = flow.csp_violations

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):
    project = factories.ProjectFactory(name="Payments platform")
    ops = factories.UserFactory(email="sam@example.com", full_name="Sam Okafor")
    factories.MembershipFactory(project=project, user=ops, role=Role.OPS)
    factories.TaskFactory(project=project, owner=ops, title="Ops walkthrough", area="runbook")
    factories.TaskFactory(project=project, title="Alert routing", area="monitoring")
    return project, ops


def no_script_page(browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    return context, context.new_page()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_lead_cancels_and_reopens_without_javascript(live_server, browser, world):
    from playwright.sync_api import expect

    project, _ops = world
    context, page = no_script_page(browser)
    log_in(page, live_server.url, project.lead.email, factories.PASSWORD)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")

    page.get_by_test_id("cancel-transition").click()
    expect(page.get_by_role("heading", name="Cancel this transition?")).to_be_visible()
    assert fits(page)
    assert Project.objects.get(pk=project.pk).phase == Phase.PLANNING  # asking changed nothing

    page.get_by_test_id("confirm-cancel").click()
    banner = page.get_by_test_id("closed-banner")
    expect(banner).to_contain_text("read only")
    assert Project.objects.get(pk=project.pk).phase == Phase.CANCELLED
    assert page.locator("select.status-select").count() == 0
    assert fits(page)

    page.get_by_test_id("reopen").click()
    expect(page.get_by_test_id("closed-banner")).to_have_count(0)
    assert Project.objects.get(pk=project.pk).phase == Phase.PLANNING
    context.close()


def test_a_lead_removes_a_member_without_javascript(live_server, browser, world):
    from playwright.sync_api import expect

    project, ops = world
    context, page = no_script_page(browser)
    log_in(page, live_server.url, project.lead.email, factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('projects:members', args=[project.pk])}")

    page.get_by_role("link", name="Remove Sam Okafor").click()
    expect(page.get_by_role("heading", name="Remove Sam Okafor?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 open task still names them as owner")
    assert fits(page)
    assert Membership.objects.filter(project=project, user=ops).exists()

    page.get_by_test_id("confirm-remove").click()
    expect(page.locator("#messages")).to_contain_text("Sam Okafor was removed.")
    assert not Membership.objects.filter(project=project, user=ops).exists()
    context.close()


def test_ops_filters_the_tasks_without_javascript(live_server, browser, world):
    from playwright.sync_api import expect

    project, ops = world
    context, page = no_script_page(browser)
    log_in(page, live_server.url, ops.email, factories.PASSWORD)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")

    page.get_by_label("Area").select_option("runbook")
    page.get_by_test_id("task-filters").get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("tasks-matching")).to_have_text("1 of 2 open tasks matches.")
    expect(page.locator("#tasks tbody tr")).to_have_count(1)
    expect(page.locator("#tasks tbody")).to_contain_text("Ops walkthrough")
    assert fits(page)
    context.close()


def test_the_confirmation_pages_raise_no_csp_violation(live_server, browser, world, csp_violations):
    project, ops = world
    Task.objects.filter(project=project).update(status=Task.Status.BLOCKED)
    page = new_page(browser, csp_violations)
    log_in(page, live_server.url, project.lead.email, factories.PASSWORD)
    membership = Membership.objects.get(project=project, user=ops)
    for path in (
        project.get_absolute_url(),
        reverse("projects:cancel", args=[project.pk]),
        reverse("projects:member-remove", args=[project.pk, membership.pk]),
    ):
        assert page.goto(f"{live_server.url}{path}").status == 200
    page.close()
    assert csp_violations == []
