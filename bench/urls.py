"""The project's URLs plus the floor views, for `make bench` only (never served).

The floor is what every page costs before it does anything of its own: a trivial
view rendering a one-line template through the same middleware. `floor` is signed
in, as every measured page is (it loads the session and the user, two queries);
`floor/anonymous` touches neither, for reference; `floor/shell` renders the page
layout every page extends (base.html: navigation, messages) with nothing in it,
to show how much of a page's cost is its own.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

ONE_LINE = engines["django"].from_string("<p>Hello {{ user.display_name }}</p>\n")
ANONYMOUS_LINE = engines["django"].from_string("<p>Hello</p>\n")
EMPTY_PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<p>Hello</p>{% endblock %}'
)


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ONE_LINE.render({}, request))


@login_required
def shell(request: HttpRequest) -> HttpResponse:
    return HttpResponse(EMPTY_PAGE.render({}, request))


def anonymous_floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ANONYMOUS_LINE.render({}))


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/floor/anonymous/", anonymous_floor, name="bench-floor-anonymous"),
    path("bench/floor/shell/", shell, name="bench-floor-shell"),
    path("", include("transition.urls")),
]
