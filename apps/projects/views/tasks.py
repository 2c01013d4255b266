"""Tasks: add, edit, delete, and the inline status change."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.concurrency import conflict_status
from apps.core.htmx import AuthenticatedRequest
from apps.projects import forms, services
from apps.projects.access import ProjectAccess, capability, project_view
from apps.projects.guard import EditConflict
from apps.projects.models import Task
from apps.projects.views import portfolio


@project_view(capability("can_edit"))
def task_create(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    task = Task(project=access.project)
    form = forms.TaskForm(
        request.POST or None,
        instance=task,
        project=access.project,
        initial={"owner": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        services.task_save(task=form.instance, by=request.user, now=timezone.now())
        messages.success(request, f"Task “{task.title}” added.")
        return redirect(access.project)
    return render(
        request, "projects/task_form.html", {"form": form, "project": access.project, "task": None}
    )


@project_view(capability("can_edit"))
def task_edit(request: AuthenticatedRequest, access: ProjectAccess, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id, project=access.project)
    form = forms.TaskForm(request.POST or None, instance=task, project=access.project)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.task_save(
                task=form.instance,
                by=request.user,
                now=timezone.now(),
                seen_version=form.seen_version,
            )
        except EditConflict as conflict:
            # Not a refusal to redirect away from: the form stays, with the user's input.
            form.show_conflict(conflict.messages, conflict.version)
            status = conflict_status(request)
        else:
            messages.success(request, "Task updated.")
            return redirect(access.project)
    return render(
        request,
        "projects/task_form.html",
        {"form": form, "project": access.project, "task": task},
        status=status,
    )


@require_POST
@project_view(capability("can_edit"))
def task_delete(request: AuthenticatedRequest, access: ProjectAccess, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id, project=access.project)
    services.task_delete(task=task, by=request.user)
    messages.success(request, f"Task “{task.title}” deleted.")
    return redirect(access.project)


def _task_row(
    request: AuthenticatedRequest, access: ProjectAccess, errors: list[str], task_id: int
) -> HttpResponse:
    """The task's row as it now stands, with `errors` shown inside it (its My items row
    when the form was posted from there)."""
    if portfolio.came_from_my_items(request):
        return portfolio.my_task_row(request, access, errors, task_id=task_id)
    task = get_object_or_404(
        Task.objects.select_related("owner"), pk=task_id, project=access.project
    )
    response = render(
        request,
        "projects/detail.html#task-row",
        {
            "task": task,
            "updatable_task_ids": {task.pk} if access.can_update_task(task.owner_id) else set(),
            "project": access.project,
            "access": access,
            "row_error": " ".join(errors),
            "today": timezone.localdate(),
            "task_statuses": Task.Status.choices,
        },
    )
    # The summary counts at the top of the page depend on task statuses.
    response["HX-Trigger"] = "counts-changed"
    return response


@require_POST
@project_view(htmx_region=_task_row)
def task_status(request: AuthenticatedRequest, access: ProjectAccess, task_id: int) -> HttpResponse:
    task = get_object_or_404(
        Task.objects.select_related("owner"), pk=task_id, project=access.project
    )
    access.require(access.can_update_task(task.owner_id))
    form = forms.TaskStatusForm(request.POST)
    if not form.is_valid():
        raise services.ActionRefused("Choose one of the listed statuses.")
    services.task_set_status(
        task=task, status=form.cleaned_data["status"], by=request.user, now=timezone.now()
    )
    if not request.htmx:
        if portfolio.came_from_my_items(request):
            messages.success(request, f"“{task.title}” is now {task.get_status_display()}.")
            return redirect("projects:my-items")
        return redirect(access.project)
    return _task_row(request, access, [], task_id=task.pk)
