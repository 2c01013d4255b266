"""The core actions with the keyboard alone, and without JavaScript (issue 7).

- A keyboard user skips the navigation, opens a criterion's sign-off with Enter and signs
  off; after htmx swaps the row, focus is still in that row, not back at the page's top.
- On a status dropdown, arrow keys only move the choice: nothing is saved until Enter
  or until focus leaves it (static/js/transition.js, data-save-on="commit"); Escape puts
  the saved value back. After the save, focus is back on the row's dropdown.
- A refused save (the user was demoted meanwhile) keeps focus on the dropdown, and
  closing the error message returns focus to it.
- The user menu opens with the keyboard and closes on Escape.
- With JavaScript switched off, on a phone: the navigation and the user menu are open to
  use, a task's status changes, a criterion is signed off and log out works.

One Chromium for the module; every test fails on a Content-Security-Policy violation.
"""

import pytest
from django.db import connections

from apps.accounts import demo as accounts_demo
from apps.projects import demo_data
from apps.projects.models import Membership, Project, Role, SignOff, Task
from tests.e2e import test_handoff_flow as flow
from tests.e2e.test_phone_layout import DESKTOP, PHONE, log_in, new_context

pytestmark = flow.pytestmark
demo = flow.demo
csp_violations = flow.csp_violations

EMAILS = {persona.key: persona.email for persona in accounts_demo.PERSONAS}
PASSWORD = accounts_demo.DEFAULT_PASSWORD


@pytest.fixture(scope="module")
def browser():
    """Like the hand-off flow's `browser`, once for the module."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=flow.CHROMIUM, headless=True, args=flow.CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    connections.close_all()


def the_project() -> Project:
    return Project.objects.get(name=demo_data.TRANSITION_ITSELF.name)


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def test_a_keyboard_user_skips_the_navigation_and_signs_off_a_criterion(
    live_server,
    browser,
    demo,
    csp_violations,
):
    from playwright.sync_api import expect

    base = live_server.url
    project = the_project()
    context = new_context(browser, DESKTOP, csp_violations)
    page = context.new_page()
    log_in(page, base, EMAILS["ops"], PASSWORD)
    page.goto(f"{base}{project.get_absolute_url()}")

    # The first Tab reaches the skip link, shown on focus; Enter moves past the navigation.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#main') !== null")

    # To the first criterion awaiting sign-off; Enter opens its form.
    tab_to(page, "li[id^='criterion-'] details:not([open]) > summary")
    row_id = page.evaluate("document.activeElement.closest('li').id")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Sign off"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(f"#{row_id} textarea[name='comment']")).to_be_focused()
    page.keyboard.type("Walked through it with the keyboard only.")
    tab_to(page, f"#{row_id} button[type='submit']", limit=3)
    page.keyboard.press("Enter")

    row = page.locator(f"#{row_id}")
    expect(row.get_by_test_id("signed")).to_be_visible()
    # The row was swapped; focus stayed in it (on its next control), not on the body.
    expect(page.locator(f"#{row_id} :focus")).to_have_count(1)
    criterion_pk = int(row_id.removeprefix("criterion-"))
    signoff = SignOff.objects.active().get(criterion_id=criterion_pk)
    assert signoff.comment == "Walked through it with the keyboard only."
    context.close()
    assert csp_violations == []


def test_arrow_keys_on_a_status_dropdown_save_nothing_until_enter(
    live_server,
    browser,
    demo,
    csp_violations,
):
    from playwright.sync_api import expect

    base = live_server.url
    project = the_project()
    context = new_context(browser, DESKTOP, csp_violations)
    page = context.new_page()
    log_in(page, base, EMAILS["lead"], PASSWORD)
    page.goto(f"{base}{project.get_absolute_url()}")
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    tab_to(page, "select.status-select")
    row_id = page.evaluate("document.activeElement.closest('tr').id")
    task = Task.objects.get(pk=int(row_id.removeprefix("task-")))
    saved = task.status
    select = page.locator(f"#{row_id} select.status-select")

    # Two steps down, then Escape: the saved value is back and nothing was sent.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert select.input_value() != saved
    page.keyboard.press("Escape")
    expect(select).to_have_value(saved)

    # Two steps down and Enter: one save, of the value stepped to.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    chosen = select.input_value()
    page.wait_for_timeout(300)  # long enough for a request the steps should not send
    assert posts == []
    task.refresh_from_db()
    assert task.status == saved
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.keyboard.press("Enter")
    # htmx swapped the row; focus is back on its dropdown, which shows the saved value.
    expect(page.locator(f"#{row_id} select.status-select")).to_be_focused()
    expect(page.locator(f"#{row_id} select.status-select")).to_have_value(chosen)
    assert len(posts) == 1
    task.refresh_from_db()
    assert task.status == chosen

    # A step, then Tab away: leaving the dropdown saves too.
    page.keyboard.press("ArrowUp")
    stepped_back = page.locator(f"#{row_id} select.status-select").input_value()
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.keyboard.press("Tab")
    expect(page.locator(f"#{row_id} :focus")).to_have_count(1)
    task.refresh_from_db()
    assert task.status == stepped_back
    assert len(posts) == 2
    context.close()
    assert csp_violations == []


def test_a_refused_keyboard_save_keeps_focus_and_closing_the_message_returns_it(
    live_server,
    browser,
    demo,
    csp_violations,
):
    from playwright.sync_api import expect

    base = live_server.url
    project = the_project()
    context = new_context(browser, DESKTOP, csp_violations)
    page = context.new_page()
    log_in(page, base, EMAILS["contributor"], PASSWORD)
    page.goto(f"{base}{project.get_absolute_url()}")
    tab_to(page, "select.status-select")
    row_id = page.evaluate("document.activeElement.closest('tr').id")
    select = page.locator(f"#{row_id} select.status-select")
    saved = select.input_value()

    # Demoted to viewer while the page is open: the save is refused (403).
    Membership.objects.filter(project=project, user__email=EMAILS["contributor"]).update(
        role=Role.VIEWER
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    alert = page.get_by_test_id("htmx-error")
    expect(alert).to_be_visible()
    expect(select).to_have_value(saved)
    expect(select).to_be_focused()

    # Dismissing the message with the keyboard puts focus back on the dropdown.
    alert.get_by_role("button", name="Close").focus()
    page.keyboard.press("Enter")
    expect(alert).to_be_hidden()
    expect(select).to_be_focused()
    context.close()
    assert csp_violations == []


def test_the_user_menu_opens_with_the_keyboard_and_closes_on_escape(
    live_server,
    browser,
    demo,
    csp_violations,
):
    from playwright.sync_api import expect

    base = live_server.url
    context = new_context(browser, DESKTOP, csp_violations)
    page = context.new_page()
    log_in(page, base, EMAILS["viewer"], PASSWORD)
    menu = page.get_by_test_id("user-menu")
    tab_to(page, "details.user-menu > summary", limit=10)
    page.keyboard.press("Enter")
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Reminders")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu.get_by_role("button", name="Log out")).to_be_hidden()
    expect(menu.locator("summary")).to_be_focused()
    # A click elsewhere closes it too.
    page.keyboard.press("Enter")
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    page.locator("h1").first.click()
    expect(menu.get_by_role("button", name="Log out")).to_be_hidden()
    context.close()
    assert csp_violations == []


def test_without_javascript_on_a_phone_status_sign_off_and_log_out_work(
    live_server,
    browser,
    demo,
):
    from playwright.sync_api import expect

    base = live_server.url
    project = the_project()
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()

    def log_out() -> None:
        # The phone navigation cannot fold without JavaScript: it is open, its toggle hidden.
        expect(page.get_by_role("button", name="Toggle navigation")).to_be_hidden()
        expect(page.get_by_role("link", name="My items")).to_be_visible()
        menu = page.get_by_test_id("user-menu")
        menu.locator("summary").click()  # a <details>: opens without JavaScript
        menu.get_by_role("button", name="Log out").click()
        page.goto(f"{base}/")
        assert "/accounts/login/" in page.url

    # The lead changes a task's status with the dropdown and its Save button.
    log_in(page, base, EMAILS["lead"], PASSWORD)
    page.goto(f"{base}{project.get_absolute_url()}")
    row = page.locator("tr:has(select.status-select)").first
    task = Task.objects.get(pk=int(row.get_attribute("id").removeprefix("task-")))
    new_status = next(value for value in Task.Status.values if value != task.status)
    row.locator("select.status-select").select_option(new_status)
    row.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{base}{project.get_absolute_url()}")
    task.refresh_from_db()
    assert task.status == new_status
    log_out()

    # Operations signs off a criterion.
    log_in(page, base, EMAILS["ops"], PASSWORD)
    page.goto(f"{base}{project.get_absolute_url()}")
    row = page.locator("li[id^='criterion-']:has(details > summary:text-is('Sign off'))").first
    criterion_pk = int(row.get_attribute("id").removeprefix("criterion-"))
    row.locator("summary", has_text="Sign off").click()
    row.get_by_label("Comment (optional)").fill("Signed without JavaScript.")
    row.get_by_role("button", name="Sign off").click()
    page.wait_for_url(f"{base}{project.get_absolute_url()}")
    assert SignOff.objects.active().filter(criterion_id=criterion_pk).count() == 1
    log_out()
    context.close()
