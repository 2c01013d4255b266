"""No inline edit fails silently (issue 7, "Bad input and safety"): when the server
refuses an htmx status change, the page says why and the control goes back to the
saved value; an ended session goes to the login page and back. In Chromium, with
zero Content-Security-Policy violations (static/js/transition.js does it all)."""

from urllib.parse import quote

import pytest
from django.conf import settings

from apps.projects.models import Membership, Role, Task
from tests import factories
from tests.e2e import test_handoff_flow as flow
from tests.e2e.test_handoff_flow import log_in, new_page

# The browser, the CSP watcher and the marks (e2e; skipped without Chromium) are
# the hand-off flow's.
pytestmark = flow.pytestmark
browser = flow.browser
csp_violations = flow.csp_violations


@pytest.fixture
def world(transactional_db):
    contributor = factories.UserFactory(email="tomas@example.com", full_name="Tomás Ortega")
    project = factories.ProjectFactory(name="Payments platform")
    factories.MembershipFactory(project=project, user=contributor, role=Role.CONTRIBUTOR)
    task = factories.TaskFactory(
        project=project, owner=contributor, title="Write the runbook", status=Task.Status.TODO
    )
    return contributor, project, task


def open_task(browser, violations, base, contributor, project):
    page = new_page(browser, violations)
    log_in(page, base, contributor.email, factories.PASSWORD)
    page.goto(f"{base}{project.get_absolute_url()}")
    return page


def test_a_refused_status_change_shows_why_and_puts_the_select_back(
    live_server, browser, world, csp_violations
):
    from playwright.sync_api import expect

    contributor, project, task = world
    page = open_task(browser, csp_violations, live_server.url, contributor, project)
    select = page.get_by_label(f"Status of {task.title}")
    expect(select).to_have_value("todo")

    # Demoted after the page was loaded: the POST answers 403.
    Membership.objects.filter(project=project, user=contributor).update(role=Role.VIEWER)
    with page.expect_response(lambda response: "/status/" in response.url) as answer:
        select.select_option("done")
    assert answer.value.status == 403

    alert = page.locator("#messages").get_by_role("alert")
    expect(alert).to_have_text(
        "Your role in this transition does not allow this. Nothing was saved."
    )
    expect(select).to_have_value("todo")
    task.refresh_from_db()
    assert task.status == Task.Status.TODO

    # The message can be dismissed.
    alert.get_by_role("button", name="Close").click()
    expect(alert).to_have_count(0)
    page.close()
    assert csp_violations == []


def test_an_unreachable_server_says_nothing_was_saved(live_server, browser, world, csp_violations):
    from playwright.sync_api import expect

    contributor, project, task = world
    page = open_task(browser, csp_violations, live_server.url, contributor, project)
    select = page.get_by_label(f"Status of {task.title}")

    page.route("**/status/", lambda route: route.abort("connectionrefused"))
    select.select_option("blocked")

    expect(page.locator("#messages").get_by_role("alert")).to_have_text(
        "The server could not be reached; nothing was saved."
    )
    expect(select).to_have_value("todo")
    page.close()
    assert csp_violations == []


def test_an_ended_session_goes_to_log_in_and_back(live_server, browser, world, csp_violations):
    from playwright.sync_api import expect

    contributor, project, task = world
    base = live_server.url
    page = open_task(browser, csp_violations, base, contributor, project)
    select = page.get_by_label(f"Status of {task.title}")

    # The session ends (expired, or logged out elsewhere); the CSRF cookie stays.
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    select.select_option("done")

    page.wait_for_url(f"{base}/accounts/login/?next={quote(project.get_absolute_url(), safe='')}")
    expect(page.get_by_label("Email")).to_be_visible()
    task.refresh_from_db()
    assert task.status == Task.Status.TODO
    page.close()
    assert csp_violations == []
