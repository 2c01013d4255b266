"""Dashboards operations will watch: add, edit, delete, and confirm live."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.htmx import AuthenticatedRequest
from apps.monitoring import permissions, services
from apps.monitoring.forms import ConfirmForm, DashboardForm
from apps.monitoring.models import Dashboard
from apps.monitoring.views.alerts import page_url
from apps.projects.access import ProjectAccess, project_view
from apps.projects.pages import form_page

edit = project_view(permissions.can_edit_monitoring)


def _back(project_id: int, dashboard: Dashboard | None = None) -> str:
    return page_url(project_id, f"dashboard-{dashboard.pk}" if dashboard else "dashboards")


@edit
@require_http_methods(["GET", "POST"])
def dashboard_create(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    project = access.project
    dashboard = Dashboard(project=project)
    form = DashboardForm(
        request.POST if request.method == "POST" else None,
        instance=dashboard,
        project=project,
        initial={"owner": request.user.pk},
    )
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.dashboard_save(dashboard=f.instance, by=request.user),
        title="Add a dashboard",
        intro="A dashboard operations will watch: where it is, who keeps it, what it shows.",
        back_url=_back(project.pk),
        back_label="Monitoring",
        saved=lambda: (
            f"Dashboard “{dashboard.title}” added: confirm it live when you have seen it."
        ),
        done_url=lambda: _back(project.pk, dashboard),
    )


@edit
@require_http_methods(["GET", "POST"])
def dashboard_edit(
    request: AuthenticatedRequest, access: ProjectAccess, dashboard_id: int
) -> HttpResponse:
    project = access.project
    dashboard = get_object_or_404(Dashboard, pk=dashboard_id, project=project)
    title = dashboard.title
    form = DashboardForm(
        request.POST if request.method == "POST" else None, instance=dashboard, project=project
    )
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.dashboard_save(
            dashboard=f.instance, by=request.user, seen_version=f.seen_version
        ),
        title=f"Edit dashboard {title}",
        back_url=_back(project.pk, dashboard),
        back_label="Monitoring",
        saved=lambda: f"Dashboard “{dashboard.title}” saved.",
        delete_url=reverse("monitoring:dashboard-delete", args=[project.pk, dashboard.pk]),
        delete_label="Delete dashboard",
        delete_confirm="Delete this dashboard? The audit history keeps a record of it.",
    )


@require_POST
@edit
def dashboard_delete(
    request: AuthenticatedRequest, access: ProjectAccess, dashboard_id: int
) -> HttpResponse:
    dashboard = get_object_or_404(Dashboard, pk=dashboard_id, project=access.project)
    services.dashboard_delete(dashboard=dashboard, by=request.user)
    messages.success(request, f"Dashboard “{dashboard.title}” deleted.")
    return redirect(_back(access.project.pk))


@project_view(permissions.can_confirm_dashboard)
@require_http_methods(["GET", "POST"])
def dashboard_confirm(
    request: AuthenticatedRequest, access: ProjectAccess, dashboard_id: int
) -> HttpResponse:
    project = access.project
    dashboard = get_object_or_404(Dashboard, pk=dashboard_id, project=project)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        access,
        form=form,
        save=lambda f: services.dashboard_confirm(
            dashboard=dashboard, by=request.user, now=timezone.now(), **f.cleaned_data
        ),
        title=f"Confirm {dashboard.title} is live",
        intro=(
            f"You opened {dashboard.url} and saw it show live data. The confirmation is "
            "recorded under your name and holds until the dashboard's address changes."
        ),
        back_url=_back(project.pk, dashboard),
        back_label="Monitoring",
        saved=lambda: f"Dashboard “{dashboard.title}” confirmed live.",
    )
