"""The Content-Security-Policy: on every page, for every role, and nothing inline to break it.

The walk seeds the demo, adds the states the demo does not show (a withdrawn
criterion, a revoked and a voided sign-off), and GETs every page each persona can
reach: the portfolio pages, every route of every app's access matrix in every demo
transition, the sign-in and password pages, /healthz, and the whole admin for staff.
Each answer must carry the strict policy, and each HTML page must hold nothing the
policy would block: no inline <script>, no <style>, no style="" or on*="" attribute,
no javascript: URL, no hx-on (htmx would need eval).
"""

from __future__ import annotations

import importlib
import json
import logging
import re
from collections.abc import Callable
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import simple_history
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.accounts import demo as accounts_demo
from apps.accounts.models import User
from apps.core import csp_reports
from apps.projects.models import AcceptanceCriterion, Membership, Project, Role, SignOff, Task
from apps.reminders import unsubscribe as reminders_unsubscribe
from tests import access_matrix, factories
from tests.core.test_settings import run_with_env
from tests.monitoring import test_access_matrix as monitoring_matrix
from tests.projects import test_access_matrix as projects_matrix
from tests.reminders import test_access_matrix as reminders_matrix
from tests.runbooks import test_access_matrix as runbooks_matrix
from tests.support import test_access_matrix as support_matrix

HEADER = "Content-Security-Policy"
HEADER_REPORT_ONLY = "Content-Security-Policy-Report-Only"

STRICT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy_of(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


class InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy would block in a page."""

    URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append(f"line {line}: inline <script>")
        if tag == "style":
            self.found.append(f"line {line}: <style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'line {line}: style="{value}" on <{tag}>')
            elif name.startswith("on"):
                self.found.append(f"line {line}: {name}= handler on <{tag}>")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"line {line}: {name}= (htmx evaluates it) on <{tag}>")
            elif name in self.URL_ATTRIBUTES and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"line {line}: javascript: URL in {name}= on <{tag}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<script src="/static/app.js"></script><p class="x">ok</p>', []),
        ("<script>alert(1)</script>", ["inline <script>"]),
        ("<style>p { color: red }</style>", ["<style> element"]),
        ('<p style="color: red">', ['style="color: red" on <p>']),
        ('<img src="x.png" onerror="alert(1)"/>', ["onerror= handler on <img>"]),
        ('<form onsubmit="return confirm(1)">', ["onsubmit= handler on <form>"]),
        ('<button hx-on:click="go()">', ["hx-on:click= (htmx evaluates it) on <button>"]),
        ('<a href=" JavaScript:go()">', ["javascript: URL in href= on <a>"]),
        ('<form data-confirm="Delete?">', []),
    ],
)
def test_the_page_check_finds_what_the_policy_would_block(html, found):
    assert [problem.split(": ", 1)[1] for problem in inline_code(html)] == found


# -- The walk ------------------------------------------------------------------------


def _with_every_state(project: Project) -> None:
    """Add to a demo transition what the demo does not show, so every branch of the
    transition page renders: a signed criterion, a revoked and a voided sign-off,
    and a withdrawn criterion."""
    now = timezone.now()
    criteria = AcceptanceCriterion.objects.filter(project=project).current()
    if not criteria.signed().exists():
        factories.SignOffFactory(criterion=criteria.unsigned().first(), signed_by=project.lead)
    revoked, voided = (
        factories.CriterionFactory(project=project, statement=f"Pagers reach ops ({why}).")
        for why in ("revoked", "voided")
    )
    factories.SignOffFactory(
        criterion=revoked,
        signed_by=project.lead,
        revoked_at=now,
        revoked_by=project.lead,
        revoke_reason="The pager rota changed.",
    )
    factories.SignOffFactory(criterion=voided, signed_by=project.lead, voided_at=now)
    withdrawn = factories.CriterionFactory(
        project=project,
        statement="The fax line is monitored.",
        withdrawn_at=now,
        withdrawn_by=project.lead,
        withdraw_reason="The fax line was decommissioned.",
    )
    factories.SignOffFactory(
        criterion=withdrawn,
        signed_by=project.lead,
        revoked_at=now,
        revoked_by=project.lead,
        revoke_reason="Withdrawn.",
    )


def projects_world(project: Project) -> projects_matrix.World:
    """The rows the projects app's routes point at, in a demo transition."""
    criteria = AcceptanceCriterion.objects.filter(project=project).order_by("pk")
    signoff = SignOff.objects.active().filter(criterion__project=project).order_by("pk").first()
    assert signoff is not None
    return projects_matrix.World(
        project=project,
        task=Task.objects.filter(project=project).order_by("pk").first(),
        criterion=signoff.criterion,
        signoff=signoff,
        unsigned=criteria.current().unsigned().first(),
        withdrawn=criteria.withdrawn().first(),
        member=Membership.objects.filter(project=project).exclude(role=Role.LEAD).first(),
    )


# Every app's access matrix (`access_matrix.MATRICES`) and how to find its rows in a demo
# transition: one line per app.
DEMO_WORLDS: dict[str, Callable[[Project], Any]] = {
    "tests.projects.test_access_matrix": projects_world,
    "tests.reminders.test_access_matrix": lambda project: reminders_matrix.World(project, None),
    "tests.support.test_access_matrix": support_matrix.demo_world,
    "tests.runbooks.test_access_matrix": runbooks_matrix.demo_world,
    "tests.monitoring.test_access_matrix": monitoring_matrix.demo_world,
}


def test_every_access_matrix_has_a_demo_world():
    assert set(DEMO_WORLDS) == set(access_matrix.MATRICES)


def project_pages() -> list[str]:
    """Every route of every matrix in every demo transition; write routes too, since
    most of them show their form on a GET."""
    urls = []
    for project in Project.objects.order_by("pk"):
        _with_every_state(project)
        for module_name, world_of in DEMO_WORLDS.items():
            world = world_of(project)
            matrix: access_matrix.Matrix = importlib.import_module(module_name).MATRIX
            urls += [route.url(world) for route in matrix.routes]
    return list(dict.fromkeys(urls))


def password_reset_link(user: User) -> list[str]:
    """The emailed link, then the form it redirects to (the token is then in the session)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return [
        reverse("accounts:password-reset-confirm", args=[uid, token]),
        reverse("accounts:password-reset-confirm", args=[uid, "set-password"]),
    ]


# The routes outside any transition that take arguments, and how to build them.
ROUTES_WITH_ARGUMENTS: dict[str, Callable[[User], list[str]]] = {
    "accounts:password-reset-confirm": password_reset_link,
    # The confirmation page of the signed link in a reminder email.
    "reminders:unsubscribe": lambda user: [
        reverse("reminders:unsubscribe", args=[reminders_unsubscribe.token_for(user.pk)])
    ],
    # A webhook address (GET: 405, with the header like every answer).
    "hook": lambda user: [reverse("hook", args=["generic", "no-such-token"])],
}


def own_pages(user: User) -> list[str]:
    """Every route outside a transition (`access_matrix.NOT_PROJECT_SCOPED`; those that
    take only a POST answer 405, with the header), and the admin's front door."""
    urls = []
    for name in access_matrix.NOT_PROJECT_SCOPED:
        if name in ROUTES_WITH_ARGUMENTS:
            urls += ROUTES_WITH_ARGUMENTS[name](user)
        else:
            urls.append(reverse(name))
    return [*urls, reverse("admin:index"), reverse("admin:login")]


PAGES_OF_A_ROW = ("change", "history", "delete")


def admin_pages() -> list[str]:
    """The admin index, and for every registered model its list, add form, and the
    change, history and delete pages of its first row (when it has rows)."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls += [reverse(f"{prefix}_{page}", args=[first.pk]) for page in PAGES_OF_A_ROW]
    return urls


@pytest.fixture
def demo(db) -> dict[str, Any]:
    call_command("seed_demo", stdout=StringIO())
    return accounts_demo.people()


def walk(client: Client, urls: list[str]) -> tuple[dict[str, int], list[str]]:
    """GET every URL; returns the status codes and every problem found."""
    statuses, problems = {}, []
    for url in urls:
        response = client.get(url)
        statuses[url] = response.status_code
        header = response.get(HEADER)
        if not header:
            problems.append(f"{url}: no {HEADER} header")
            continue
        policy = policy_of(header)
        if policy != STRICT_POLICY:
            problems.append(f"{url}: the policy is {header!r}")
        if "'unsafe-inline'" in header or "'unsafe-eval'" in header:
            problems.append(f"{url}: the policy allows inline code or eval: {header!r}")
        # Refusals (403, 405) are pages too.
        if response.get("Content-Type", "").startswith("text/html") and response.content:
            problems += [f"{url}: {found}" for found in inline_code(response.content.decode())]
    return statuses, problems


@pytest.mark.parametrize("persona", [p.key for p in accounts_demo.PERSONAS] + ["anonymous"])
def test_every_page_carries_the_strict_policy_and_nothing_inline(demo, persona):
    client = Client()
    if persona != "anonymous":
        client.force_login(demo[persona])
    # The anonymous visitor follows the viewer's password reset link.
    urls = own_pages(demo["viewer" if persona == "anonymous" else persona]) + project_pages()
    if persona == "admin":
        urls += admin_pages()

    statuses, problems = walk(client, urls)

    assert not problems, "\n".join(problems)
    # The walk saw the pages, not just refusals: every transition page shows to its
    # members and to staff, and the portfolio to everyone signed in.
    shown = {url for url, status in statuses.items() if status == 200}
    details = {
        reverse("projects:detail", args=[pk]) for pk in Project.objects.values_list("pk", flat=True)
    }
    if persona == "anonymous":
        assert reverse("accounts:login") in shown
        assert not details & shown
    else:
        assert details <= shown
        assert reverse("projects:dashboard") in shown
        assert (reverse("admin:index") in shown) is (persona == "admin")


# -- What the walk cannot see ---------------------------------------------------------


def test_htmx_is_told_to_inject_no_style_and_evaluate_nothing(client, lead):
    client.force_login(lead)
    page = client.get(reverse("projects:dashboard")).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert meta is not None
    config = json.loads(meta.group(1))
    assert config == {"includeIndicatorStyles": False, "allowEval": False}
    # The indicator rules htmx would have injected are in our stylesheet instead.
    stylesheet = (settings.BASE_DIR / "static" / "css" / "transition.css").read_text()
    assert ".htmx-indicator { opacity: 0; visibility: hidden; }" in stylesheet


def test_a_failed_csrf_check_answers_our_page_not_djangos_inline_styled_one(lead):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert policy_of(response[HEADER]) == STRICT_POLICY
    assert "This form could not be accepted" in response.content.decode()
    assert inline_code(response.content.decode()) == []


def test_the_admin_history_template_is_the_packages_without_its_inline_style():
    # Our copy (templates/simple_history/) must follow the package: when this fails after
    # an upgrade, copy the package's template again and drop the style="" attribute.
    package = Path(simple_history.__file__).parent / "templates" / "simple_history"
    upstream = (package / "object_history_list.html").read_text()
    ours = settings.BASE_DIR / "templates" / "simple_history" / "object_history_list.html"
    comment, copy = ours.read_text().split("\n", 1)
    assert comment.startswith("{% comment %}")
    assert copy == upstream.replace(' style="border-top: 0"', "")
    assert 'style="' not in copy


def test_report_only_mode_sends_the_same_policy_under_the_report_only_header(
    client, lead, settings
):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None
    client.force_login(lead)

    response = client.get(reverse("projects:dashboard"))

    assert HEADER not in response
    assert policy_of(response[HEADER_REPORT_ONLY]) == STRICT_POLICY


PRINT_POLICIES = (
    "import json; from django.conf import settings; "
    "print(json.dumps([settings.CONTENT_SECURITY_POLICY, "
    "settings.CONTENT_SECURITY_POLICY_REPORT_ONLY]))"
)


@pytest.mark.parametrize(
    ("env", "enforced", "report_only", "report_uri"),
    [
        ({}, True, False, None),
        ({"CSP_REPORT_URI": "/csp-report"}, True, False, ["/csp-report"]),
        (
            {"CSP_REPORT_ONLY": "1", "CSP_REPORT_URI": "https://csp.example.com/r"},
            False,
            True,
            ["https://csp.example.com/r"],
        ),
    ],
    ids=["default", "reports", "report-only"],
)
def test_the_environment_chooses_the_report_address_and_report_only_mode(
    tmp_path, env, enforced, report_only, report_uri
):
    result = run_with_env(["-c", PRINT_POLICIES], DEBUG="1", VAR_DIR=str(tmp_path), **env)

    assert result.returncode == 0, result.stderr
    policy, policy_report_only = json.loads(result.stdout)
    assert (policy is not None) is enforced
    assert (policy_report_only is not None) is report_only
    directives = (policy or policy_report_only)["DIRECTIVES"]
    assert directives.get("report-uri") == report_uri
    assert {k: v for k, v in directives.items() if k != "report-uri"} == STRICT_POLICY


# -- The report receiver ----------------------------------------------------------------

REPORT = {
    "csp-report": {
        "document-uri": "https://transition.example.com/p/1/",
        "violated-directive": "style-src-attr",
        "effective-directive": "style-src-attr",
        "blocked-uri": "inline",
        "source-file": "https://transition.example.com/static/vendor/x.js",
        "line-number": 12,
        "disposition": "enforce",
        "original-policy": "default-src 'self'; ...",
    }
}


def csp_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "transition.csp"]


def test_a_browsers_report_is_logged_as_one_line_of_known_fields(client, caplog):
    caplog.set_level(logging.WARNING, logger="transition.csp")

    response = client.post(
        reverse("csp-report"), json.dumps(REPORT), content_type="application/csp-report"
    )

    assert response.status_code == 204
    [line] = csp_lines(caplog)
    assert line.startswith("csp-violation ")
    assert json.loads(line.removeprefix("csp-violation ")) == {
        "document": "https://transition.example.com/p/1/",
        "directive": "style-src-attr",
        "violated": "style-src-attr",
        "blocked": "inline",
        "source": "https://transition.example.com/static/vendor/x.js",
        "line": "12",
        "disposition": "enforce",
    }


def test_reports_from_the_reporting_api_are_logged_one_line_each(client, caplog):
    caplog.set_level(logging.WARNING, logger="transition.csp")
    body = {"documentURL": "https://t.example.com/", "effectiveDirective": "script-src-elem"}
    batch = [
        {"type": "csp-violation", "body": {**body, "blockedURL": "https://evil.example.com/x.js"}},
        {"type": "deprecation", "body": {"id": "x"}},
        {"type": "csp-violation", "body": {**body, "blockedURL": "eval"}},
    ]

    response = client.post(
        reverse("csp-report"), json.dumps(batch), content_type="application/reports+json"
    )

    assert response.status_code == 204
    blocked = [json.loads(line.split(" ", 1)[1])["blocked"] for line in csp_lines(caplog)]
    assert blocked == ["https://evil.example.com/x.js", "eval"]


def test_a_report_cannot_forge_log_lines_or_flood_them(client, caplog):
    caplog.set_level(logging.WARNING, logger="transition.csp")
    forged = {"csp-report": {"blocked-uri": "x\nERROR forged line" + "y" * 5000}}

    client.post(reverse("csp-report"), json.dumps(forged), content_type="application/csp-report")
    many = [{"type": "csp-violation", "body": {"blockedURL": "inline"}}] * 100
    client.post(reverse("csp-report"), json.dumps(many), content_type="application/reports+json")

    lines = csp_lines(caplog)
    assert "\n" not in lines[0]
    assert len(json.loads(lines[0].split(" ", 1)[1])["blocked"]) == csp_reports.MAX_FIELD_CHARS
    assert len(lines) == 1 + csp_reports.MAX_REPORTS


@pytest.mark.parametrize(
    "body", ["not json", "{}", '{"csp-report": "x"}', "[1, 2]", '[{"type": "csp-violation"}]']
)
def test_what_is_not_a_report_is_refused_and_not_logged(client, caplog, body):
    caplog.set_level(logging.WARNING, logger="transition.csp")

    response = client.post(reverse("csp-report"), body, content_type="application/csp-report")

    assert response.status_code == 400
    assert csp_lines(caplog) == []


def test_an_oversized_report_is_refused_unread(client, caplog):
    body = json.dumps({"csp-report": {"blocked-uri": "x" * csp_reports.MAX_BODY_BYTES}})

    response = client.post(reverse("csp-report"), body, content_type="application/csp-report")

    assert response.status_code == 413
    assert csp_lines(caplog) == []


def test_the_report_address_takes_only_posts_and_needs_no_csrf_token(caplog):
    client = Client(enforce_csrf_checks=True)
    assert client.get(reverse("csp-report")).status_code == 405
    response = client.post(
        reverse("csp-report"), json.dumps(REPORT), content_type="application/csp-report"
    )
    assert response.status_code == 204
