"""axe-core finds no serious or critical accessibility problem on any page, for any role.

axe-core comes from npm (a development dependency, node_modules/axe-core). The scan
visits what the phone-layout walk visits (every page each demo persona can reach), plus
the anonymous sign-in pages, the not-found page and the open user menu, each at desktop
and phone widths: every axe rule (axe's defaults) at desktop width; at phone width, where
the document is the same, the rules that depend on layout (colour contrast, scrollable
regions, touch target size). Every violation is reported with its rule, impact, element and page.

The browser contexts bypass the Content-Security-Policy only so that the axe script can
be added to the pages; test_phone_layout.py and the other browser tests watch the policy.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.e2e import test_handoff_flow as flow
from tests.e2e.test_phone_layout import DESKTOP, PHONE, log_in, personas, walk

pytestmark = flow.pytestmark
browser = flow.browser
demo = flow.demo

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ["serious", "critical"]

# axe runs in the page without being awaited here, so that the desktop and the phone
# page of one path are scanned at the same time (two renderer processes).
START_AXE = "(options) => { window.__axeScan = axe.run(document, options); }"
EVERY_RULE = {"resultTypes": ["violations"]}
# The phone page has the same document as the desktop one; only the rules that depend
# on how it is laid out and what is shown can answer differently there. target-size
# (WCAG 2.2: touch targets of 24 px, or spaced as much) is off in axe's defaults; it
# matters most on a phone, so it is on there.
LAYOUT_RULES = {
    "resultTypes": ["violations"],
    "runOnly": ["color-contrast", "scrollable-region-focusable", "target-size"],
}
AXE_FINDINGS = """
async (impacts) => {
  const result = await window.__axeScan;
  const lines = [];
  for (const violation of result.violations) {
    if (!impacts.includes(violation.impact)) continue;
    for (const node of violation.nodes) {
      const summary = (node.failureSummary || "").replace(/\\s+/g, " ").slice(0, 240);
      lines.push(`${violation.id} (${violation.impact}) at ${node.target.join(" ")}: ${summary}`);
    }
  }
  return lines;
}
"""


# Personas who see the same pages with the same controls (the same role in every demo
# transition, or both read only): each page is scanned for the first of them only.
# The lead's pages are a superset of a contributor's (members, phases), so they scan
# separately.
SAME_PAGES = {"opslead": "ops", "admin": "viewer"}


def start_axe(page, options: dict) -> None:
    page.evaluate(START_AXE, options)


class Scanner:
    """One desktop and one phone page in a browser context that shares a session."""

    def __init__(self, browser, base: str):
        self.context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
        # Sent to the browser once, run in every page the context loads.
        self.context.add_init_script(path=str(AXE))
        self.desktop = self.context.new_page()
        self.phone = self.context.new_page()
        self.phone.set_viewport_size(PHONE)
        self.base = base

    def scan(self, where: str, path: str | None = None) -> list[str]:
        """Scan `path` on both pages (the desktop page is loaded only if it is not there
        already, as after walk()); without a path, scan the pages as they are. The phone
        page loads while axe runs on the desktop one."""
        if path is not None and self.desktop.url != f"{self.base}{path}":
            self.desktop.goto(f"{self.base}{path}")
        start_axe(self.desktop, EVERY_RULE)
        if path is not None:
            self.phone.goto(f"{self.base}{path}")
        start_axe(self.phone, LAYOUT_RULES)
        found = []
        for label, page in (("desktop", self.desktop), ("phone", self.phone)):
            found += [f"{where} {label}: {line}" for line in page.evaluate(AXE_FINDINGS, SERIOUS)]
        return found

    def close(self) -> None:
        self.context.close()


# One test per kind of persona (and one for the pages before signing in), so that
# `make test`'s workers scan them side by side.
KINDS = ("anonymous", "lead", "contributor", "ops", "viewer")


@pytest.mark.parametrize("kind", KINDS)
def test_no_page_has_a_serious_or_critical_accessibility_violation(
    live_server,
    browser,
    demo,
    kind,
):
    assert AXE.exists(), f"No axe-core at {AXE}: run `npm install` (a development dependency)."
    base = live_server.url
    people, password = personas()
    found: list[str] = []
    scanned: set[str] = set()

    if kind == "anonymous":
        scanner = Scanner(browser, base)
        for path in (reverse("accounts:login"), reverse("accounts:password-reset")):
            found += scanner.scan(f"anonymous {path}", path)
            scanned.add(path)
        scanner.close()
        assert found == [], "\n".join(found)
        return

    # A page another persona of the same kind already had scanned shows the same
    # controls: it is not scanned again (the walk still visits every page).
    seen: set[str] = set()
    for persona in people:
        if SAME_PAGES.get(persona.key, persona.key) != kind:
            continue
        scanner = Scanner(browser, base)
        log_in(scanner.desktop, base, persona.email, password)
        for _name, path in walk(scanner.desktop, base):
            if path in seen:
                continue
            seen.add(path)
            found += scanner.scan(f"{persona.key} {path}", path)
            scanned.add(path)
        if persona.key == "lead":
            found += scanner.scan("lead, a page that does not exist", "/p/999999/")
            scanner.desktop.goto(f"{base}/")
            scanner.phone.goto(f"{base}/")
            scanner.phone.get_by_role("button", name="Toggle navigation").click()
            for page in (scanner.desktop, scanner.phone):
                page.get_by_test_id("user-menu").locator("summary").click()
            found += scanner.scan("lead / with the user menu open")
        scanner.close()

    assert len(scanned) > 10, scanned
    assert found == [], "\n".join(found)
