"""Recording a walkthrough: operations rehearsed a scenario (a tabletop or a game day).

A walkthrough is evidence: recorded once, never edited or deleted, so this is the only
page that writes one. Each line of its follow-ups becomes a task on the transition.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from apps.core.htmx import AuthenticatedRequest
from apps.projects.access import ProjectAccess, project_view
from apps.projects.pages import form_page
from apps.runbooks import permissions, services
from apps.runbooks.forms import WalkthroughForm
from apps.runbooks.models import Scenario, Walkthrough
from apps.runbooks.views.runbooks import detail_url


def _saved(scenario: Scenario, tasks: int) -> str:
    added = f" {tasks} follow-up task{'s' if tasks != 1 else ''} added." if tasks else ""
    return f"Walkthrough of “{scenario.title}” recorded.{added}"


@project_view(permissions.can_record_walkthrough)
@require_http_methods(["GET", "POST"])
def walkthrough_record(
    request: AuthenticatedRequest, access: ProjectAccess, scenario_id: int
) -> HttpResponse:
    project = access.project
    scenario = get_object_or_404(
        Scenario.objects.select_related("runbook", "runbook__owner"),
        pk=scenario_id,
        project=project,
    )
    now = timezone.now()
    form = WalkthroughForm(
        request.POST if request.method == "POST" else None,
        project=project,
        today=timezone.localdate(now),
    )

    def save(f: WalkthroughForm) -> Walkthrough:
        data: dict[str, Any] = f.cleaned_data
        return services.walkthrough_record(
            scenario=scenario,
            held_on=data["held_on"],
            kind=data["kind"],
            participants=list(data["participants"]),
            outcome=data["outcome"],
            gaps_found=data["gaps_found"],
            follow_ups=data["follow_ups"],
            by=request.user,
            role=access.role,
            now=now,
        )

    return form_page(
        request,
        access,
        form=form,
        save=save,
        title=f"Record a walkthrough of “{scenario.title}”",
        intro="A tabletop or a game day in which operations followed this scenario. It is "
        "kept as evidence for the go-live gate and cannot be edited afterwards.",
        back_url=detail_url(project.pk, scenario.runbook_id, scenario.pk),
        back_label=scenario.runbook.title,
        saved=lambda: _saved(scenario, len(form.cleaned_data["follow_ups"])),
        note=f"Follow-up tasks go to the runbook's owner, {scenario.runbook.owner}.",
    )
