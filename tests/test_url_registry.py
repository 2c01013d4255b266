"""Every route the project serves is either in an app's access matrix or known to be
outside any transition: a new view cannot ship without saying who may use it."""

from collections.abc import Iterator
from typing import NamedTuple

from django.urls import URLResolver, get_resolver

from tests import access_matrix


class Served(NamedTuple):
    name: str  # namespaced ("projects:task-edit"); empty for an unnamed pattern
    namespace: str
    route: str


def walk(patterns: list, namespace: str = "", prefix: str = "") -> Iterator[Served]:
    """Every pattern, through every include(), with its namespaced name and full route."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from walk(entry.url_patterns, inner, route)
        else:
            name = ":".join(filter(None, [namespace, entry.name])) if entry.name else ""
            yield Served(name, namespace, route)


def served() -> list[Served]:
    return list(walk(get_resolver().url_patterns))


def test_the_walk_reaches_routes_inside_includes():
    names = {s.name for s in served()}
    assert {"healthz", "accounts:login", "projects:task-edit", "admin:index"} <= names


def test_every_project_route_is_in_an_access_matrix():
    declared = access_matrix.declared_route_names()
    undeclared = [
        f"{s.name or '(unnamed)'} at /{s.route}"
        for s in served()
        if s.namespace.split(":")[0] not in access_matrix.NOT_PROJECT_SCOPED_NAMESPACES
        and s.name not in declared
        and s.name not in access_matrix.NOT_PROJECT_SCOPED
    ]
    assert not undeclared, (
        "Declare these routes in their app's MATRIX (tests/<app>/test_access_matrix.py), "
        "or, if they belong to no transition, in NOT_PROJECT_SCOPED: " + ", ".join(undeclared)
    )


def test_routes_listed_as_not_project_scoped_are_served_and_take_no_project():
    routes = {s.name: s.route for s in served()}
    stale = sorted(set(access_matrix.NOT_PROJECT_SCOPED) - set(routes))
    assert not stale, f"Listed but no longer served: {stale}"
    scoped = [name for name in access_matrix.NOT_PROJECT_SCOPED if "project_id" in routes[name]]
    assert not scoped, f"These take a project_id: put them in an access matrix: {scoped}"


def test_every_route_in_a_matrix_is_served_and_project_scoped():
    routes = {s.name: s.route for s in served()}
    for name in access_matrix.declared_route_names():
        assert name in routes, f"{name} is in a matrix but not served"
        assert "project_id" in routes[name], f"{name} takes no project_id"
