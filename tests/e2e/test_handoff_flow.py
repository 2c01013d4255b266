"""The core flow in a real browser: Debian's Chromium driven by Playwright.

Skipped, with a message, only where no Chromium is installed; CI installs it.
Every test fails on any Content-Security-Policy violation the browser saw: each
page's `securitypolicyviolation` events and console messages about the policy
(`new_page`, `csp_violations`).
"""

import os
import re
import shutil

import pytest
from django.core.management import call_command
from django.db import connections

from apps.projects.models import AcceptanceCriterion, Project, SignOff, Task

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"No Chromium at {CHROMIUM}: install Debian's `chromium` to run browser tests.",
    ),
]


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between browser steps are ordinary blocking calls and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # While Playwright's loop runs, the ORM keys connections by asyncio context:
        # the test's queries used a connection of their own, which nothing else closes.
        connections.close_all()


# Runs in every page before its own scripts: records each violation the page reports.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const seen = `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} `
    + `in ${event.documentURI} (${event.sourceFile || "the page"}:${event.lineNumber})`;
  window.__cspViolations.push(seen);
  window.reportCspViolation(seen);
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    """The violations seen by the pages a test opens with `new_page`; the test asserts
    there were none at its end."""
    return []


def new_page(browser, violations: list[str]):
    page = browser.new_page()

    def report(seen: str) -> None:
        violations.append(seen)

    page.expose_function("reportCspViolation", report)
    page.add_init_script(WATCH_CSP)

    # Chromium also logs each refusal ("... violates the following Content Security
    # Policy directive ..."), including any that fires no event in the page.
    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    page.on("console", on_console)
    return page


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 (closed at exit)


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def test_lead_completes_a_task_and_ops_signs_off(
    live_server, browser, demo, settings, csp_violations
):
    from playwright.sync_api import expect

    from apps.accounts import demo as accounts_demo
    from apps.projects import demo_data

    base = live_server.url
    emails = {persona.key: persona.email for persona in accounts_demo.PERSONAS}
    project = Project.objects.get(name=demo_data.TRANSITION_ITSELF.name)
    task = Task.objects.filter(project=project).exclude(status=Task.Status.DONE).first()
    criterion = AcceptanceCriterion.objects.unsigned().filter(project=project).first()
    done_before = Task.objects.filter(project=project, status=Task.Status.DONE).count()
    signed_before = AcceptanceCriterion.objects.signed().filter(project=project).count()
    tasks_total = Task.objects.filter(project=project).count()
    criteria_total = AcceptanceCriterion.objects.filter(project=project).count()

    # The demo lead opens the dashboard and the transition, and finishes a task.
    page = new_page(browser, csp_violations)
    log_in(page, base, emails["lead"], accounts_demo.DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", name="Portfolio")).to_be_visible()
    page.get_by_role("link", name=project.name).click()
    expect(page.get_by_role("heading", name=re.compile(re.escape(project.name)))).to_be_visible()
    expect(page.get_by_test_id("tasks-done")).to_have_text(f"{done_before}/{tasks_total}")
    page.get_by_label(f"Status of {task.title}").select_option("done")
    # htmx swaps the row and then refreshes the counts.
    expect(page.get_by_test_id("tasks-done")).to_have_text(f"{done_before + 1}/{tasks_total}")
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    page.close()

    # Operations signs off a criterion; the count moves.
    page = new_page(browser, csp_violations)
    log_in(page, base, emails["ops"], accounts_demo.DEFAULT_PASSWORD)
    page.goto(f"{base}{project.get_absolute_url()}")
    expect(page.get_by_test_id("criteria-signed")).to_have_text(f"{signed_before}/{criteria_total}")
    row = page.locator(f"#criterion-{criterion.pk}")
    row.get_by_text("Sign off", exact=True).first.click()  # opens the <details>
    row.get_by_label("Comment (optional)").fill("Walked through it with the on-call engineer.")
    row.get_by_role("button", name="Sign off").click()
    expect(page.locator(f"#criterion-{criterion.pk}").get_by_test_id("signed")).to_be_visible()
    expect(page.get_by_test_id("criteria-signed")).to_have_text(
        f"{signed_before + 1}/{criteria_total}"
    )
    assert SignOff.objects.active().filter(criterion=criterion).count() == 1

    # The portfolio dashboard shows the new counts too.
    page.goto(f"{base}/")
    row = page.get_by_role("row").filter(has_text=project.name)
    expect(row).to_contain_text(f"{done_before + 1}/{tasks_total}")
    expect(row).to_contain_text(f"{signed_before + 1}/{criteria_total}")
    page.close()
    assert csp_violations == []


def test_deleting_a_task_asks_first(live_server, browser, demo, csp_violations):
    """The question comes from static/js/transition.js (data-confirm), not an onsubmit."""
    from playwright.sync_api import expect

    from apps.accounts import demo as accounts_demo

    base = live_server.url
    task = Task.objects.order_by("pk").first()
    page = new_page(browser, csp_violations)
    log_in(page, base, accounts_demo.PERSONAS[0].email, accounts_demo.DEFAULT_PASSWORD)
    page.goto(f"{base}/p/{task.project_id}/tasks/{task.pk}/edit/")
    questions = []

    def dismiss(dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    def accept(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Delete task").click()
    expect(page.get_by_role("heading", name="Edit task")).to_be_visible()
    assert Task.objects.filter(pk=task.pk).exists()

    page.once("dialog", accept)
    page.get_by_role("button", name="Delete task").click()
    page.wait_for_url(f"{base}/p/{task.project_id}/")
    assert not Task.objects.filter(pk=task.pk).exists()
    assert questions == ["Delete this task? The audit history keeps a record of it."] * 2
    page.close()
    assert csp_violations == []


def test_staff_use_the_admin_under_the_same_strict_policy(
    live_server, browser, demo, csp_violations
):
    """The admin runs no inline script; its one inline style (django-simple-history's
    history page) is gone from our copy of that template."""
    from playwright.sync_api import expect

    from apps.accounts import demo as accounts_demo

    base = live_server.url
    admin_email = next(p.email for p in accounts_demo.PERSONAS if p.is_admin)
    project = Project.objects.order_by("pk").first()
    page = new_page(browser, csp_violations)
    log_in(page, base, admin_email, accounts_demo.DEFAULT_PASSWORD)
    for path in (
        "/admin/",
        "/admin/projects/project/",
        f"/admin/projects/project/{project.pk}/history/",
        "/admin/projects/task/add/",
        "/admin/accounts/user/",
        f"/admin/projects/project/{project.pk}/change/",
    ):
        page.goto(f"{base}{path}")
        expect(page.locator("#content")).to_be_visible()
    # The lead's autocomplete (select2 on the admin's jQuery) opens and searches.
    page.locator("#id_lead + .select2").click()
    page.locator(".select2-search__field").fill("Priya")
    expect(page.locator(".select2-results__option").first).to_contain_text("Priya")
    page.close()
    assert csp_violations == []


def test_the_violation_watch_catches_a_blocked_inline_style(live_server, browser, demo):
    """An empty `csp_violations` means something: a violation is caught."""
    from apps.accounts import demo as accounts_demo

    violations: list[str] = []
    page = new_page(browser, violations)
    log_in(page, live_server.url, accounts_demo.PERSONAS[0].email, accounts_demo.DEFAULT_PASSWORD)
    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend", '<p style="color: red">inline</p>')"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    page.close()
    assert any("style-src" in violation for violation in violations), violations
