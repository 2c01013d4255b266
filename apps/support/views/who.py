""" "Who do I call?": read only, for an operations engineer at 3 a.m."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.core.htmx import AuthenticatedRequest
from apps.projects.access import ProjectAccess, project_view
from apps.projects.models import Phase, member_users
from apps.support import calls
from apps.support.forms import WhoForm
from apps.support.models import (
    Component,
    EscalationLevel,
    Ownership,
    Priority,
    SupportSettings,
    Tier,
)


@project_view()
@require_http_methods(["GET"])
def who_to_call(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """Choose a component (and a priority, P1 by default): the owners tier by tier, then
    the escalation path, each with how to reach them. A fixed number of queries."""
    project = access.project
    # Bound only when a component is asked for (other query parameters are ignored).
    asked = "component" in request.GET
    form = WhoForm(request.GET if asked else None, project=project)
    members = member_users(project)
    result = None
    if asked and form.is_valid():
        component = form.cleaned_data["component"]
        settings = (
            SupportSettings.objects.filter(project=project)
            .select_related("catch_all")
            .prefetch_related(Prefetch("catch_all__members", queryset=members))
            .first()
        )
        result = calls.answer(
            component=component,
            priority=form.cleaned_data["priority"],
            tiers=list(Tier.objects.filter(project=project)),
            cells=list(
                Ownership.objects.filter(component=component)
                .select_related("team")
                .prefetch_related(Prefetch("team__members", queryset=members))
            ),
            catch_all=settings.catch_all if settings else None,
            levels=list(
                EscalationLevel.objects.filter(project=project)
                .select_related("team", "person")
                .prefetch_related(Prefetch("team__members", queryset=members))
            ),
            in_hypercare=project.phase == Phase.HYPERCARE,
            member_ids=set(members.values_list("pk", flat=True)),
        )
    return render(
        request,
        "support/who.html",
        {
            "access": access,
            "project": project,
            "form": form,
            # Quick links when no component is chosen yet.
            "components": [] if result else list(Component.objects.filter(project=project)),
            "priorities": Priority.choices,
            "answer": result,
        },
        status=400 if asked and not form.is_valid() else 200,
    )
