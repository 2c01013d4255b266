"""Inbound integrations: each a webhook address with a secret token, and the
configuration to paste into the sending tool."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.htmx import AuthenticatedRequest
from apps.monitoring import permissions, services, snippets
from apps.monitoring.forms import IntegrationForm
from apps.monitoring.models import Integration
from apps.projects.access import ProjectAccess, project_view
from apps.projects.pages import form_page

edit = project_view(permissions.can_edit_monitoring)


def list_url(project_id: int, integration: Integration | None = None) -> str:
    url = reverse("monitoring:integrations", args=[project_id])
    return f"{url}#integration-{integration.pk}" if integration else url


def hook_url(request: AuthenticatedRequest, integration: Integration) -> str:
    return request.build_absolute_uri(reverse("hook", args=[integration.source, integration.token]))


@project_view()
@require_GET
def integrations(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    project = access.project
    secrets = permissions.can_see_tokens(access)
    rows = []
    for integration in Integration.objects.filter(project=project).order_by("name", "pk"):
        url = hook_url(request, integration) if secrets else ""
        rows.append(
            {
                "integration": integration,
                "url": url,
                "snippets": snippets.for_source(
                    integration.source,
                    url,
                    name=integration.name,
                    signing_secret_set=bool(integration.signing_secret),
                )
                if secrets
                else (),
            }
        )
    return render(
        request,
        "monitoring/integrations.html",
        {
            "project": project,
            "access": access,
            "rows": rows,
            "can_edit": permissions.can_edit_monitoring(access),
            "can_see_tokens": secrets,
        },
    )


@edit
@require_http_methods(["GET", "POST"])
def integration_create(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    project = access.project
    integration = Integration(project=project)
    form = IntegrationForm(request.POST if request.method == "POST" else None, instance=integration)
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.integration_save(integration=f.instance, by=request.user),
        title="Add an integration",
        intro=(
            "Each integration gets its own secret webhook address; the next page shows it "
            "with the configuration to paste into the sending tool."
        ),
        back_url=list_url(project.pk),
        back_label="Integrations",
        saved=lambda: f"Integration “{integration.name}” added.",
        done_url=lambda: list_url(project.pk, integration),
    )


@edit
@require_http_methods(["GET", "POST"])
def integration_edit(
    request: AuthenticatedRequest, access: ProjectAccess, integration_id: int
) -> HttpResponse:
    project = access.project
    integration = get_object_or_404(Integration, pk=integration_id, project=project)
    name = integration.name
    form = IntegrationForm(request.POST if request.method == "POST" else None, instance=integration)
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.integration_save(integration=f.instance, by=request.user),
        title=f"Edit integration {name}",
        note="A signing secret left empty keeps the one set before, if any.",
        back_url=list_url(project.pk, integration),
        back_label="Integrations",
        saved=lambda: f"Integration “{integration.name}” saved.",
        delete_url=reverse("monitoring:integration-delete", args=[project.pk, integration.pk]),
        delete_label="Delete integration",
        delete_confirm="Delete this integration? Its address stops working at once.",
    )


@require_POST
@edit
def integration_rotate(
    request: AuthenticatedRequest, access: ProjectAccess, integration_id: int
) -> HttpResponse:
    integration = get_object_or_404(Integration, pk=integration_id, project=access.project)
    services.integration_rotate(integration=integration, by=request.user)
    messages.success(
        request,
        f"“{integration.name}” has a new address: the old one stopped working. "
        "Update the sending tool's configuration.",
    )
    return redirect(list_url(access.project.pk, integration))


@require_POST
@edit
def integration_delete(
    request: AuthenticatedRequest, access: ProjectAccess, integration_id: int
) -> HttpResponse:
    integration = get_object_or_404(Integration, pk=integration_id, project=access.project)
    services.integration_delete(integration=integration, by=request.user)
    messages.success(request, f"Integration “{integration.name}” deleted.")
    return redirect(list_url(access.project.pk))
