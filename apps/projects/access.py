"""Who may see and do what in a transition, for every app.

`access_for(user, project_id)` needs no request, so views, the API, exports,
commands and Celery tasks share one rule: a non-member gets 404 (the transition's
existence is not revealed), staff who are not members read everything, and each
member acts through their `role`.

`project_view(capability)` is the one decorator for project-scoped views: it
requires a login, loads the access for the URL's `project_id`, answers 403 when
the capability is missing, and turns an `ActionRefused` raised anywhere in the
view into a message and a redirect (or, for htmx, an inline error in the region
the request swaps). No project view catches refusals by hand.

The capabilities below are the projects app's own. Other apps keep theirs in
their own `permissions.py`, as functions of a `ProjectAccess`
(`def can_record_walkthrough(access: ProjectAccess) -> bool`), so this class does
not grow a property per feature.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from apps.projects.guard import ActionRefused
from apps.projects.models import Membership, Project, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.accounts.models import User
    from apps.core.htmx import AuthenticatedRequest

# Starting a transition is not a role in one: it is this permission, which the
# "Delivery leads" group holds (migration 0006; members are added in the admin).
CREATE_TRANSITION = "projects.create_transition"
DELIVERY_LEADS = "Delivery leads"

EDIT_ROLES = frozenset({Role.LEAD, Role.CONTRIBUTOR})
SIGN_OFF_ROLES = frozenset({Role.OPS, Role.LEAD})
WRITE_ROLES = frozenset({Role.LEAD, Role.CONTRIBUTOR, Role.OPS})


@dataclass(frozen=True)
class ProjectAccess:
    project: Project
    user_id: int
    role: str | None  # None: a staff user who is not a member (read only)

    @property
    def is_member(self) -> bool:
        return self.role is not None

    @property
    def can_write(self) -> bool:
        """Any member but a viewer, while the transition is open (apps build on it)."""
        return self.role in WRITE_ROLES and not self.project.is_closed

    @property
    def can_edit(self) -> bool:
        """Tasks, acceptance criteria and the project's content."""
        return self.role in EDIT_ROLES and not self.project.is_closed

    @property
    def can_manage(self) -> bool:
        """Members and the project's settings, while the transition is open."""
        return self.role == Role.LEAD and not self.project.is_closed

    @property
    def can_change_phase(self) -> bool:
        """Leads move phases; a cancelled transition can be reopened this way."""
        return self.role == Role.LEAD

    @property
    def can_sign_off(self) -> bool:
        """Ops sign off; a lead may too, but only explicitly "as ops"."""
        return self.role in SIGN_OFF_ROLES and not self.project.is_closed

    @property
    def signs_as_ops_only_explicitly(self) -> bool:
        return self.role == Role.LEAD

    def can_update_task(self, owner_id: int | None) -> bool:
        """Editors may update any task; any non-viewer member may update their own."""
        return self.can_edit or (owner_id == self.user_id and self.can_write)

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied("Your role in this transition does not allow this.")


def can_create_transition(user: User | AnonymousUser) -> bool:
    """Staff, and active users holding `CREATE_TRANSITION` (through the "Delivery
    leads" group, or granted to them alone in the admin).

    Costs two queries for a user who is not staff (Django's permission check reads
    the user's and their groups' permissions, then keeps them on the user object).
    """
    return bool(user.is_active and (user.is_staff or user.has_perm(CREATE_TRANSITION)))


def access_for(user: User | AnonymousUser, project_id: int) -> ProjectAccess:
    """The project and `user`'s role in it; `Http404` for a non-member (or no such project)."""
    if not user.is_authenticated:
        raise Http404("No such transition.")
    # One query for the project, its summary and the user's role: every project page
    # starts here, so it is kept to a single round trip.
    role_here = Membership.objects.filter(project=OuterRef("pk"), user_id=user.pk).values("role")
    project = (
        Project.objects.select_related("lead", "ops_lead", "ops_team", "summary")
        .annotate(member_role=Subquery(role_here[:1]))
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise Http404("No such transition.")
    role: str | None = project.member_role  # type: ignore[attr-defined]
    if role is None and not user.is_staff:
        raise Http404("No such transition.")
    return ProjectAccess(project=project, user_id=user.pk, role=role)


Capability = Callable[[ProjectAccess], bool]
# Renders the region an htmx request swaps, with the refusal shown inside it.
RefusalRegion = Callable[..., HttpResponse]
# A view taking (request, access, **url_kwargs but project_id).
ProjectView = Callable[..., HttpResponse]


def project_view(
    capability: Capability | None = None,
    *,
    htmx_region: RefusalRegion | None = None,
) -> Callable[[ProjectView], Callable[..., HttpResponse]]:
    """Decorate a view taking `(request, access, **url_kwargs)`.

    - login required; `project_id` from the URL is resolved with `access_for` (404);
    - `capability(access)` false: 403 with the reason (a viewer cannot write);
    - `ActionRefused` from the view (a lost race, a closed transition, a rule):
      htmx requests get `htmx_region(request, access, errors, **url_kwargs)` when the
      view names one, else the refusal rendered where the page shows messages;
      other requests get the reasons as messages and a redirect to the page they
      came from inside the transition (the transition page by default). Nothing
      is written: the services raise before or inside `project_write`, which
      rolls back.
    """

    def decorate(view: ProjectView) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def wrapper(request: AuthenticatedRequest, project_id: int, **kwargs: Any) -> HttpResponse:
            access = access_for(request.user, project_id)
            if capability is not None and not capability(access):
                raise PermissionDenied("Your role in this transition does not allow this.")
            try:
                return view(request, access, **kwargs)
            except ActionRefused as refused:
                return refusal_response(request, access, refused.messages, htmx_region, kwargs)

        return wrapper

    return decorate


def refusal_response(
    request: AuthenticatedRequest,
    access: ProjectAccess,
    errors: list[str],
    htmx_region: RefusalRegion | None,
    kwargs: dict[str, Any],
) -> HttpResponse:
    if getattr(request, "htmx", False):
        if htmx_region is not None:
            return htmx_region(request, access, errors, **kwargs)
        # No region of its own: show the refusal in the page's message area.
        response = render(request, "components/refusal.html", {"errors": errors})
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "innerHTML"
        return response
    for error in errors:
        messages.error(request, error)
    return redirect(_back_to(request, access))


# Pages outside a transition whose forms act inside one (My items' status changes and
# sign-offs without JavaScript): a refusal goes back to them too.
ACTING_FROM = ("projects:my-items",)


def _back_to(request: AuthenticatedRequest, access: ProjectAccess) -> str:
    """The page the request came from (its Referer) when it is one of the transition's
    (any app's page whose URL names this `project_id`) or in ACTING_FROM, else the
    transition."""
    home = access.project.get_absolute_url()
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        path = urlsplit(referer).path
        if _of_project(path, access.project.pk) or path in {reverse(n) for n in ACTING_FROM}:
            return path
    return home


def _of_project(path: str, project_id: int) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.kwargs.get("project_id") == project_id


def capability(name: str) -> Capability:
    """`project_view(capability("can_edit"))`: one of ProjectAccess's own properties."""

    def check(access: ProjectAccess) -> bool:
        return bool(getattr(access, name))

    check.__name__ = name
    return check
