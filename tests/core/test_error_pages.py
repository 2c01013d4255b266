"""The 403, 404, 500 and CSRF-failure pages: styled, with the reason where it is safe
to show, a way back to the portfolio, and nothing the Content-Security-Policy blocks."""

from __future__ import annotations

import re

from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from apps.projects.models import Task
from tests import factories
from tests.core.test_csp import HEADER, STRICT_POLICY, inline_code, policy_of

PORTFOLIO_LINK = re.compile(
    r'<a class="btn btn-primary" href="/"><i [^>]*></i> Back to the portfolio'
)


def assert_styled_error_page(html: str) -> None:
    assert "/static/css/transition.css" in html
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert PORTFOLIO_LINK.search(html), "no way back to the portfolio"
    assert inline_code(html) == []


def test_a_viewers_inline_status_change_answers_403_with_the_reason(client_as, viewer, project):
    task = factories.TaskFactory(project=project, status=Task.Status.TODO)
    response = client_as(viewer).post(
        reverse("projects:task-status", args=[project.pk, task.pk]),
        {"status": "done"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert (
        '<p class="alert alert-warning" data-error-reason>'
        "Your role in this transition does not allow this.</p>"
    ) in html
    assert "You cannot do this here" in html
    assert_styled_error_page(html)
    assert policy_of(response[HEADER]) == STRICT_POLICY
    task.refresh_from_db()
    assert task.status == Task.Status.TODO


def test_a_permission_denied_without_a_message_says_so_in_general_terms(rf: RequestFactory):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    request = rf.get("/")
    request.user = AnonymousUser()
    response = defaults.permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    assert "You do not have permission for this." in response.content.decode()


def test_a_missing_page_answers_404_without_saying_whether_the_transition_exists(
    client_as, outsider, project
):
    response = client_as(outsider).get(project.get_absolute_url())

    assert response.status_code == 404
    html = response.content.decode()
    assert "This page does not exist" in html
    assert "No such transition" not in html
    assert "data-error-reason" not in html
    assert project.name not in html
    assert_styled_error_page(html)


def test_the_server_error_page_renders_without_a_database_or_a_request_context(rf):
    # No `db` fixture: any query would fail the test.
    response = defaults.server_error(rf.get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert_styled_error_page(html)


def test_a_failed_csrf_check_uses_the_same_page_with_its_reason(lead):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "This form could not be accepted" in html
    assert "data-error-reason>This page has expired: reload it and try again.</p>" in html
    assert_styled_error_page(html)


def test_the_favicon_is_linked_and_favicon_ico_leads_to_it(client_as, lead):
    page = client_as(lead).get(reverse("projects:dashboard")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page

    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"


def test_htmx_requests_can_find_the_login_page(client_as, lead):
    """static/js/transition.js sends an htmx request answered by the login page there."""
    page = client_as(lead).get(reverse("projects:dashboard")).content.decode()
    assert f'data-login-url="{reverse("accounts:login")}"' in page
