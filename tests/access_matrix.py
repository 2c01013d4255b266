"""Access matrices: every app declares who may use each of its routes, as a table.

An app's test module (`tests/<app>/test_access_matrix.py`) declares

    MATRIX = access_matrix.Matrix(routes=(Route(...), ...), snapshot=snapshot)

plus a `world` fixture (the rows its routes point at) and one small test per check,
each a call to the helper of the same name below:

- an outsider gets 404 on every route, and a GET of a write route reveals nothing;
- an anonymous user is sent to log in;
- a viewer cannot write; a role not listed in `Route.may` gets 403;
- every role listed in `Route.may` can (a read shows the page, a write changes
  the snapshot);
- staff who are not members read every page and write nothing.

A refused request must leave the app's `snapshot()` as it was.

`MATRICES` names every app's matrix, one line per app; the resolver walk
(`tests/test_url_registry.py`) fails when a project-scoped route is in none of
them, and `NOT_PROJECT_SCOPED` lists the routes that belong to no transition.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

# One line per app: the test module that declares the app's `MATRIX`.
MATRICES = (
    "tests.projects.test_access_matrix",
    "tests.reminders.test_access_matrix",
    "tests.support.test_access_matrix",
    "tests.runbooks.test_access_matrix",
    "tests.monitoring.test_access_matrix",
)

# Routes that belong to no transition, so no access matrix: each with why.
NOT_PROJECT_SCOPED = {
    "healthz": "the health check: public, reports no project data",
    "favicon": "the site icon: public, a redirect to a static file",
    "csp-report": "browsers report Content-Security-Policy violations: public, only logged",
    "hook": "monitoring webhooks: the token is the credential (tests/monitoring/test_receiver)",
    "accounts:login": "signing in",
    "accounts:logout": "signing out",
    "accounts:password-change": "the user's own password",
    "accounts:password-change-done": "the user's own password",
    "accounts:password-reset": "a forgotten password, before signing in",
    "accounts:password-reset-done": "a forgotten password, before signing in",
    "accounts:password-reset-confirm": "a forgotten password: the emailed link",
    "accounts:password-reset-complete": "a forgotten password, before signing in",
    "oidc_authentication_init": "single sign-on: off to the identity provider (test_oidc)",
    "oidc_authentication_callback": "single sign-on: back from the identity provider (test_oidc)",
    "oidc_logout": "single sign-on's sign-out (POST), like accounts:logout",
    "projects:dashboard": "lists only the transitions the user may see (tested in test_portfolio)",
    "projects:my-items": "lists only the user's own items (tested in test_my_items)",
    "reminders:mine": "the user's own reminders and preference (tested in tests/reminders)",
    "reminders:unsubscribe": "the signed link in a reminder email, no login (tests/reminders)",
    "projects:create": (
        "a new transition: delivery leads and staff only (tested in test_directory_exposure)"
    ),
}
# Whole namespaces outside the product's own permissions.
NOT_PROJECT_SCOPED_NAMESPACES = {"admin": "Django's admin, staff only, its own permissions"}

# The personas of tests/conftest.py that are members, one per role.
MEMBERS = frozenset({"lead", "contributor", "ops", "viewer"})


@dataclass(frozen=True)
class Route:
    """One route of an app, and which personas may use it.

    `name` is the URL's namespaced name; `args(world)` its positional arguments;
    `data(world)` a valid POST body (None for a GET). `label` tells apart two routes
    with the same URL (the members page and adding a member). `may` are the
    personas whose request succeeds; everyone else is refused.
    """

    name: str
    method: str
    args: Callable[[Any], list[Any]]
    data: Callable[[Any], dict[str, Any]] | None = None
    may: frozenset[str] = MEMBERS
    label: str = ""

    @property
    def id(self) -> str:
        return self.label or self.name.split(":")[-1]

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def url(self, world: Any) -> str:
        return reverse(self.name, args=self.args(world))

    def call(self, client: Client, world: Any) -> Any:
        url = self.url(world)
        if self.method == "GET":
            return client.get(url)
        return client.post(url, self.data(world) if self.data else {})


@dataclass(frozen=True)
class Matrix:
    """An app's routes and what a refused request must leave unchanged."""

    routes: tuple[Route, ...]
    # Every row the app's routes can change, comparable with ==.
    snapshot: Callable[[], Any]
    # The personas a route's `may` names: the member roles, shared by every app.
    personas: frozenset[str] = MEMBERS

    # Parametrisations for the checks (ids read as the route, or the route and persona).

    def each_route(self) -> pytest.MarkDecorator:
        return pytest.mark.parametrize("route", self.routes, ids=_ids(self.routes))

    def each_write(self) -> pytest.MarkDecorator:
        writes = tuple(r for r in self.routes if r.writes)
        return pytest.mark.parametrize("route", writes, ids=_ids(writes))

    def each_read_by_a_member(self) -> pytest.MarkDecorator:
        reads = [(r, p) for r in self.routes if not r.writes for p in sorted(r.may)]
        return pytest.mark.parametrize(
            ("route", "persona"), reads, ids=[f"{r.id}-{p}" for r, p in reads]
        )

    def each_write_by_a_listed_role(self) -> pytest.MarkDecorator:
        pairs = [(r, p) for r in self.routes if r.writes for p in sorted(r.may)]
        return pytest.mark.parametrize(
            ("route", "persona"), pairs, ids=[f"{r.id}-{p}" for r, p in pairs]
        )

    def each_write_by_an_unlisted_role(self) -> pytest.MarkDecorator:
        """Members other than the viewer (checked on its own) whom a write refuses."""
        pairs = [
            (r, p)
            for r in self.routes
            if r.writes
            for p in sorted(self.personas - r.may - {"viewer"})
        ]
        return pytest.mark.parametrize(
            ("route", "persona"), pairs, ids=[f"{r.id}-{p}" for r, p in pairs]
        )


def _ids(routes: Iterable[Route]) -> list[str]:
    return [r.id for r in routes]


def declared_route_names() -> set[str]:
    """The URL names of every route in every app's matrix (`MATRICES`)."""
    names: set[str] = set()
    for module_name in MATRICES:
        matrix: Matrix = importlib.import_module(module_name).MATRIX
        names |= {route.name for route in matrix.routes}
    return names


# The checks. Each takes a logged-in client (or None for anonymous), the app's world,
# one route and the app's matrix.


def outsider_gets_404(client: Client, world: Any, route: Route, matrix: Matrix) -> None:
    before = matrix.snapshot()
    assert route.call(client, world).status_code == 404
    # A GET of a write URL is a 404 too: the project's existence is not revealed.
    assert client.get(route.url(world)).status_code in {404, 405}
    assert matrix.snapshot() == before


def anonymous_is_sent_to_log_in(client: Client, world: Any, route: Route) -> None:
    response = route.call(client, world)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def is_refused(client: Client, world: Any, route: Route, matrix: Matrix) -> None:
    """403, and nothing changed."""
    before = matrix.snapshot()
    assert route.call(client, world).status_code == 403
    assert matrix.snapshot() == before


def member_can_read(client: Client, world: Any, route: Route, shows: str) -> None:
    response = route.call(client, world)
    assert response.status_code == 200
    assert shows in response.content.decode()


def listed_role_can_write(client: Client, world: Any, route: Route, matrix: Matrix) -> None:
    """Accepted (a redirect, or an htmx region) and something changed."""
    before = matrix.snapshot()
    response = route.call(client, world)
    assert response.status_code in {200, 302}, response.status_code
    assert matrix.snapshot() != before, "the request was answered but changed nothing"


def staff_read_only(client: Client, world: Any, route: Route, matrix: Matrix) -> None:
    """A staff user who is not a member reads every page and is refused every write."""
    if route.writes:
        is_refused(client, world, route, matrix)
    else:
        assert route.call(client, world).status_code == 200
