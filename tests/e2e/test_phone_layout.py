"""Every page, for every demo role, fits a phone: no horizontal scrolling of the page.

One Chromium, one browser context per demo persona. Each persona opens the pages it
can reach (dashboard, my items, password change, every demo transition's overview,
members and activity, and, where the overview links to them, the task, criterion
and transition forms, the cancel and member-removal confirmations; the new-transition
form where the dashboard offers it) at
390x844 and again at 360 px wide, and the document must be no wider than the viewport.

Run with SCREENSHOTS=<folder> (`make screenshots`), the same walk instead saves
full-page screenshots of every page at 1366 and 390 px wide into that folder.
"""

import os
import re
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from apps.projects.models import Project
from tests.e2e.test_handoff_flow import (  # noqa: F401 (fixtures)
    CHROMIUM,
    WATCH_CSP,
    browser,
    csp_violations,
    demo,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"No Chromium at {CHROMIUM}: install Debian's `chromium` to run browser tests.",
    ),
]

PHONE = {"width": 390, "height": 844}
# The narrowest phone the layout is meant for: each page is measured here too.
NARROW = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 900}

# The elements sticking out past the viewport's right edge, to say what overflows.
WIDE_ELEMENTS = """
(limit) => {
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 0.5 && box.width > 0) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.className && typeof el.className === "string"
           ? "." + el.className.trim().split(/\\s+/).join(".") : "");
      wide.push(`${name} (right ${Math.round(box.right)})`);
    }
  }
  return wide.slice(0, 5);
}
"""


def new_context(browser, viewport, violations: list[str]):  # noqa: F811 (fixture name)
    context = browser.new_context(viewport=viewport)

    def report(seen: str) -> None:
        violations.append(seen)

    context.expose_function("reportCspViolation", report)
    context.add_init_script(WATCH_CSP)
    return context


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


# The support model's forms, found on its pages (edit links show to editors only).
SUPPORT_FORMS = {
    "matrix": (r"/components/add/$", r"/components/\d+/$", r"/cell/\d+/\d+/$", r"/import/$"),
    "teams": (r"/teams/add/$", r"/teams/\d+/$"),
    "escalation": (r"/escalation/add/\?path=hypercare$", r"/escalation/\d+/$"),
    "who": (r"\?component=\d+&priority=P1$",),
}


# The runbooks' forms and print view, found on a runbook's reading view.
RUNBOOK_FORMS = (
    r"/runbooks/p/\d+/\d+/edit/$",
    r"/scenarios/new/$",
    r"/scenarios/\d+/edit/$",
    r"/walkthrough/$",
    r"/print/$",
)


# The monitoring pages and forms, found on its page, then on an alert's page.
MONITORING_FORMS = (
    r"/monitoring/p/\d+/integrations/$",
    r"/monitoring/p/\d+/alerts/add/$",
    r"/monitoring/p/\d+/dashboards/\d+/confirm/$",
    r"/monitoring/p/\d+/dashboards/\d+/$",
)
MONITORING_ALERT_FORMS = (r"/alerts/\d+/edit/$", r"/alerts/\d+/verify/$", r"/deliveries/\d+/$")


def _links(page) -> list[str]:
    return page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")


def walk(page, base: str):
    """Yield (name, path) for each page the signed-in user can reach, after loading it.

    A page that answers other than 200 (a transition this user is not a member of)
    is skipped."""

    def visit(path: str) -> bool:
        response = page.goto(f"{base}{path}")
        return response is not None and response.status == 200

    offers_create = False
    if visit("/"):
        offers_create = page.locator(f'a[href="{reverse("projects:create")}"]').count() > 0
        yield "dashboard", "/"
    if visit(reverse("projects:my-items")):
        yield "my-items", reverse("projects:my-items")
    if visit(reverse("accounts:password-change")):
        yield "password-change", reverse("accounts:password-change")
    if offers_create and visit(reverse("projects:create")):
        yield "new-transition", reverse("projects:create")
    for project in Project.objects.order_by("pk"):
        detail = reverse("projects:detail", args=[project.pk])
        if not visit(detail):
            continue
        forms = []
        hrefs = page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        for pattern in (
            r"/tasks/\d+/edit/$",
            r"/tasks/new/$",
            r"/criteria/\d+/edit/$",
            r"/criteria/new/$",
            rf"^/p/{project.pk}/edit/$",
            rf"^/p/{project.pk}/cancel/$",
        ):
            found = next((href for href in hrefs if re.search(pattern, href)), None)
            if found:
                forms.append(found)
        yield f"p{project.pk}-overview", detail
        for tab in ("members", "activity"):
            path = reverse(f"projects:{tab}", args=[project.pk])
            if visit(path):
                if tab == "members":  # a member's removal asks on a page of its own
                    removal = page.locator('a[href$="/remove/"]').first
                    if removal.count():
                        forms.append(removal.get_attribute("href"))
                yield f"p{project.pk}-{tab}", path
        for tab in ("matrix", "teams", "escalation", "gaps", "who"):
            path = reverse(f"support:{tab}", args=[project.pk])
            if visit(path):
                yield f"p{project.pk}-support-{tab}", path
                hrefs = page.eval_on_selector_all(
                    "a[href]", "links => links.map(a => a.getAttribute('href'))"
                )
                for pattern in SUPPORT_FORMS.get(tab, ()):
                    found = next((href for href in hrefs if re.search(pattern, href)), None)
                    if found:
                        forms.append(found)
        path = reverse("runbooks:list", args=[project.pk])
        if visit(path):
            yield f"p{project.pk}-runbooks", path
            hrefs = page.eval_on_selector_all(
                "a[href]", "links => links.map(a => a.getAttribute('href'))"
            )
            reading = next((h for h in hrefs if re.search(r"/runbooks/p/\d+/\d+/$", h)), None)
            if reading and visit(reading):
                yield f"p{project.pk}-runbook", reading
                hrefs = page.eval_on_selector_all(
                    "a[href]", "links => links.map(a => a.getAttribute('href'))"
                )
                for pattern in RUNBOOK_FORMS:
                    found = next((href for href in hrefs if re.search(pattern, href)), None)
                    if found:
                        forms.append(found)
        path = reverse("monitoring:alerts", args=[project.pk])
        if visit(path):
            yield f"p{project.pk}-monitoring", path
            hrefs = _links(page)
            alert = next(
                (h for h in hrefs if re.search(r"/monitoring/p/\d+/alerts/\d+/$", h)), None
            )
            for pattern in MONITORING_FORMS:
                found = next((href for href in hrefs if re.search(pattern, href)), None)
                if found:
                    forms.append(found)
            if alert and visit(alert):
                yield f"p{project.pk}-monitoring-alert", alert
                hrefs = _links(page)
                for pattern in MONITORING_ALERT_FORMS:
                    found = next((href for href in hrefs if re.search(pattern, href)), None)
                    if found:
                        forms.append(found)
        for path in forms:
            if visit(path):
                name = path.strip("/").replace("/", "-").replace("?", "-")
                yield name, path


def personas():
    from apps.accounts import demo as accounts_demo

    return accounts_demo.PERSONAS, accounts_demo.DEFAULT_PASSWORD


def test_every_page_fits_a_phone_for_every_role(live_server, browser, demo, csp_violations):  # noqa: F811
    if os.environ.get("SCREENSHOTS"):
        pytest.skip("SCREENSHOTS is set: the screenshot run only takes pictures.")
    base = live_server.url
    people, password = personas()
    too_wide, visited = [], []

    context = new_context(browser, PHONE, csp_violations)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        too_wide.append(f"anonymous /accounts/login/: {width}px")
    context.close()

    for persona in people:
        context = new_context(browser, PHONE, csp_violations)
        page = context.new_page()
        log_in(page, base, persona.email, password)
        for _name, path in walk(page, base):
            visited.append((persona.key, path))
            for viewport in (PHONE, NARROW):
                page.set_viewport_size(viewport)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > viewport["width"]:
                    culprits = page.evaluate(WIDE_ELEMENTS, viewport["width"])
                    too_wide.append(f"{persona.key} {path}: {width}px; {', '.join(culprits)}")
            page.set_viewport_size(PHONE)
        context.close()

    # Every role reached the pages the walk is meant to cover.
    paths_by_role = {key: {path for who, path in visited if who == key} for key, _ in visited}
    assert {persona.key for persona in people} <= set(paths_by_role)
    assert reverse("projects:create") in paths_by_role["lead"]
    assert any(re.search(r"/tasks/\d+/edit/$", path) for path in paths_by_role["lead"])
    assert any(re.search(r"/criteria/\d+/edit/$", path) for path in paths_by_role["contributor"])
    assert any(path.endswith("/members/") for path in paths_by_role["viewer"])
    assert any(path.endswith("/cancel/") for path in paths_by_role["lead"])
    assert any(path.endswith("/remove/") for path in paths_by_role["lead"])
    assert too_wide == [], "\n".join(too_wide)
    assert csp_violations == []


def test_screenshots_of_every_page(live_server, browser, demo, csp_violations):  # noqa: F811
    """Not a check: `make screenshots` runs this with SCREENSHOTS=var/screenshots."""
    folder = os.environ.get("SCREENSHOTS")
    if not folder:
        pytest.skip("Set SCREENSHOTS=<folder> (make screenshots) to take screenshots.")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    people, password = personas()
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = new_context(browser, viewport, csp_violations)
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        shot = out / f"anonymous-login-{label}.png"
        page.screenshot(path=str(shot), full_page=True)
        sys.stdout.write(f"{shot}\n")  # the paths `make screenshots` prints
        context.close()
        for persona in people:
            context = new_context(browser, viewport, csp_violations)
            page = context.new_page()
            log_in(page, base, persona.email, password)
            for name, _path in walk(page, base):
                shot = out / f"{persona.key}-{name}-{label}.png"
                page.screenshot(path=str(shot), full_page=True)
                sys.stdout.write(f"{shot}\n")  # the paths `make screenshots` prints
            context.close()
