from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.core.htmx import AuthenticatedRequest, template_for
from apps.projects import activity, forms, services
from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Phase,
    Project,
    Role,
    SignOff,
    Task,
)
from apps.projects.permissions import ProjectAccess, project_access

DASHBOARD_PAGE_SIZE = 25
MY_ITEMS_PAGE_SIZE = 50


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """Every transition the user may see, with its progress at a glance."""
    today = timezone.localdate()
    visible = Project.objects.visible_to(request.user)
    leads = User.objects.filter(led_projects__in=visible).distinct().order_by("full_name")
    form = forms.DashboardFilterForm(request.GET, leads=leads)
    projects = visible.select_related("lead", "ops_team").with_progress(today)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        if data["phase"] == "":
            projects = projects.open()
        elif data["phase"] != "all":
            projects = projects.filter(phase=data["phase"])
        if data["lead"]:
            projects = projects.filter(lead=data["lead"])
        if data["mine"]:
            owns_a_task = Exists(Task.objects.filter(project=OuterRef("pk"), owner=request.user))
            projects = projects.filter(
                Q(lead=request.user) | Q(ops_lead=request.user) | owns_a_task
            )
        sort = data["sort"] or "go_live"
    else:
        # The error is shown in the table's region; htmx swaps only 2xx answers in.
        status = 200 if request.htmx else 400
        sort = "go_live"
        projects = projects.open()
    projects = projects.order_by(*forms.DashboardFilterForm.SORTS[sort])
    page = Paginator(projects, DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    return render(
        request,
        template_for(request, "projects/dashboard.html", "project-table"),
        {"form": form, "page": page, "sort": sort, "query": query.urlencode(), "today": today},
        status=status,
    )


@login_required
def my_items(request: AuthenticatedRequest) -> HttpResponse:
    """Tasks I own and criteria waiting for my sign-off, overdue first."""
    today = timezone.localdate()
    user = request.user
    my_projects = Project.objects.filter(memberships__user=user).open()
    tasks = (
        Task.objects.open()
        .filter(owner=user, project__in=my_projects)
        .select_related("project")
        .order_by("due_date", "pk")
    )
    # Only operations members sign: a criterion waits for me when it names me, or
    # names nobody, in an open transition where I am ops.
    ops_projects = my_projects.filter(memberships__user=user, memberships__role=Role.OPS)
    criteria = (
        AcceptanceCriterion.objects.unsigned()
        .filter(project__in=ops_projects)
        .filter(Q(expected_signer=user) | Q(expected_signer__isnull=True))
        .select_related("project", "expected_team")
        .order_by("due_date", "pk")
    )
    tasks_page = Paginator(tasks, MY_ITEMS_PAGE_SIZE).get_page(request.GET.get("tasks_page"))
    criteria_page = Paginator(criteria, MY_ITEMS_PAGE_SIZE).get_page(
        request.GET.get("criteria_page")
    )
    return render(
        request,
        "projects/my_items.html",
        {
            "tasks": list(tasks_page),
            "tasks_page": tasks_page,
            "criteria": list(criteria_page),
            "criteria_page": criteria_page,
            "today": today,
        },
    )


@login_required
def project_create(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.ProjectCreateForm(request.POST or None, initial={"lead": request.user})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        project = services.project_create(
            created_by=request.user,
            today=timezone.localdate(),
            blueprint=data.pop("blueprint"),
            **data,
        )
        messages.success(request, f"Transition “{project.name}” created.")
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    access = project_access(request, project_id)
    access.require(access.can_manage)
    form = forms.ProjectForm(request.POST or None, instance=access.project)
    if request.method == "POST" and form.is_valid():
        services.project_update(project=form.instance, by=request.user)
        messages.success(request, "Transition updated.")
        return redirect(access.project)
    return render(request, "projects/project_form.html", {"form": form, "project": access.project})


@login_required
def project_detail(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    access = project_access(request, project_id)
    project = access.project
    today = timezone.localdate()
    # Open tasks by due date, done ones at the bottom.
    done_last = Case(When(status=Task.Status.DONE, then=1), default=0)
    tasks = list(project.tasks.select_related("owner").order_by(done_last, "due_date", "pk"))
    updatable = {t.pk for t in tasks if access.can_update_task(t, request.user.pk)}
    criteria = list(_criteria_for_page().filter(project=project))
    members = list(project.memberships.select_related("user").order_by("role", "user__email"))
    next_phases = []
    if access.can_change_phase:
        next_phases = [
            (phase, Phase(phase).label, services.phase_change_blockers(project, phase))
            for phase in Phase.values
            if phase in services.PHASE_MOVES[project.phase]
        ]
    context = {
        "project": project,
        "access": access,
        "tasks": tasks,
        "criteria": criteria,
        "members": members,
        "today": today,
        "next_phases": next_phases,
        "updatable_task_ids": updatable,
        "task_statuses": Task.Status.choices,
        "tasks_done": sum(1 for t in tasks if t.status == Task.Status.DONE),
        "tasks_overdue": sum(1 for t in tasks if t.is_overdue(today)),
        "criteria_signed": sum(1 for c in criteria if c.active_signoff is not None),
    }
    # htmx refreshes the summary counts after an inline change elsewhere on the page.
    return render(
        request, template_for(request, "projects/detail.html", "project-summary"), context
    )


def _criteria_for_page() -> QuerySet[AcceptanceCriterion]:
    """Criteria with what their rows show; sign-offs prefetched, so `active_signoff`
    costs no query."""
    signoffs = SignOff.objects.select_related("signed_by", "revoked_by").order_by("-signed_at")
    return AcceptanceCriterion.objects.select_related(
        "expected_signer", "expected_team"
    ).prefetch_related(Prefetch("signoffs", queryset=signoffs))


@login_required
@require_POST
def project_phase(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    access = project_access(request, project_id)
    access.require(access.can_change_phase)
    form = forms.PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a phase to move to.")
        return redirect(access.project)
    try:
        services.project_change_phase(
            project=access.project, to=form.cleaned_data["phase"], by=request.user
        )
    except services.ActionRefused as refused:
        for reason in refused.messages:
            messages.error(request, reason)
    else:
        messages.success(request, f"Moved to {access.project.get_phase_display()}.")
    return redirect(access.project)


@login_required
def project_members(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    access = project_access(request, project_id)
    form = forms.MemberAddForm(request.POST or None)
    if request.method == "POST":
        access.require(access.can_manage)
        if form.is_valid():
            user = form.cleaned_data["email"]
            services.membership_set(
                project=access.project, user=user, role=form.cleaned_data["role"], by=request.user
            )
            messages.success(request, f"{user} is now a member.")
            return redirect("projects:members", project_id=project_id)
    members = access.project.memberships.select_related("user").order_by("role", "user__email")
    return render(
        request,
        "projects/members.html",
        {
            "project": access.project,
            "access": access,
            "members": members,
            "form": form,
            "roles": Role.choices,
        },
    )


@login_required
@require_POST
def member_update(
    request: AuthenticatedRequest, project_id: int, membership_id: int
) -> HttpResponse:
    access = project_access(request, project_id)
    access.require(access.can_manage)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, project=access.project
    )
    try:
        if "remove" in request.POST:
            services.membership_remove(membership=membership, by=request.user)
            messages.success(request, f"{membership.user} was removed.")
        else:
            form = forms.MemberRoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Choose one of the listed roles.")
            else:
                services.membership_set(
                    project=access.project,
                    user=membership.user,
                    role=form.cleaned_data["role"],
                    by=request.user,
                )
                role = Role(form.cleaned_data["role"]).label
                messages.success(request, f"{membership.user}'s role is now {role}.")
    except services.ActionRefused as refused:
        for reason in refused.messages:
            messages.error(request, reason)
    return redirect("projects:members", project_id=project_id)


@login_required
def project_activity(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    access = project_access(request, project_id)
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    feed = activity.recent(access.project, page=page)
    return render(
        request,
        "projects/activity.html",
        {"project": access.project, "access": access, "feed": feed, "entries": feed.entries},
    )


# Tasks ---------------------------------------------------------------------------


@login_required
def task_create(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    access = project_access(request, project_id)
    access.require(access.can_edit)
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


@login_required
def task_edit(request: AuthenticatedRequest, project_id: int, task_id: int) -> HttpResponse:
    access = project_access(request, project_id)
    task = get_object_or_404(Task, pk=task_id, project=access.project)
    access.require(access.can_edit)
    form = forms.TaskForm(request.POST or None, instance=task, project=access.project)
    if request.method == "POST" and form.is_valid():
        services.task_save(task=form.instance, by=request.user, now=timezone.now())
        messages.success(request, "Task updated.")
        return redirect(access.project)
    return render(
        request, "projects/task_form.html", {"form": form, "project": access.project, "task": task}
    )


@login_required
@require_POST
def task_delete(request: AuthenticatedRequest, project_id: int, task_id: int) -> HttpResponse:
    access = project_access(request, project_id)
    task = get_object_or_404(Task, pk=task_id, project=access.project)
    access.require(access.can_edit)
    services.task_delete(task=task, by=request.user)
    messages.success(request, f"Task “{task.title}” deleted.")
    return redirect(access.project)


@login_required
@require_POST
def task_status(request: AuthenticatedRequest, project_id: int, task_id: int) -> HttpResponse:
    access = project_access(request, project_id)
    task = get_object_or_404(
        Task.objects.select_related("owner"), pk=task_id, project=access.project
    )
    access.require(access.can_update_task(task, request.user.pk))
    form = forms.TaskStatusForm(request.POST)
    error = ""
    if form.is_valid():
        services.task_set_status(
            task=task, status=form.cleaned_data["status"], by=request.user, now=timezone.now()
        )
    else:
        error = "Choose one of the listed statuses."
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(access.project)
    response = render(
        request,
        "projects/detail.html#task-row",
        {
            "task": task,
            "updatable_task_ids": {task.pk},
            "project": access.project,
            "access": access,
            "row_error": error,
            "today": timezone.localdate(),
            "task_statuses": Task.Status.choices,
        },
    )
    # The summary counts at the top of the page depend on task statuses.
    response["HX-Trigger"] = "counts-changed"
    return response


# Acceptance criteria ---------------------------------------------------------------


@login_required
def criterion_create(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    access = project_access(request, project_id)
    access.require(access.can_edit)
    criterion = AcceptanceCriterion(project=access.project)
    form = forms.CriterionForm(
        request.POST or None,
        instance=criterion,
        project=access.project,
        initial={
            "expected_signer": access.project.ops_lead_id,
            "expected_team": access.project.ops_team_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.criterion_save(criterion=form.instance, by=request.user, now=timezone.now())
        messages.success(request, "Acceptance criterion added.")
        return redirect(access.project)
    return render(
        request,
        "projects/criterion_form.html",
        {"form": form, "project": access.project, "criterion": None},
    )


@login_required
def criterion_edit(
    request: AuthenticatedRequest, project_id: int, criterion_id: int
) -> HttpResponse:
    access = project_access(request, project_id)
    criterion = get_object_or_404(AcceptanceCriterion, pk=criterion_id, project=access.project)
    access.require(access.can_edit)
    form = forms.CriterionForm(request.POST or None, instance=criterion, project=access.project)
    if request.method == "POST" and form.is_valid():
        voided = services.criterion_save(
            criterion=form.instance, by=request.user, now=timezone.now()
        )
        if voided:
            messages.warning(
                request,
                "The statement changed, so its sign-off is void: operations must sign again.",
            )
        else:
            messages.success(request, "Acceptance criterion updated.")
        return redirect(access.project)
    return render(
        request,
        "projects/criterion_form.html",
        {"form": form, "project": access.project, "criterion": criterion},
    )


@login_required
@require_POST
def criterion_delete(
    request: AuthenticatedRequest, project_id: int, criterion_id: int
) -> HttpResponse:
    access = project_access(request, project_id)
    criterion = get_object_or_404(AcceptanceCriterion, pk=criterion_id, project=access.project)
    access.require(access.can_edit)
    try:
        services.criterion_delete(criterion=criterion, by=request.user)
    except services.ActionRefused as refused:
        for reason in refused.messages:
            messages.error(request, reason)
        return redirect("projects:criterion-edit", project_id=project_id, criterion_id=criterion_id)
    messages.success(request, "Acceptance criterion deleted.")
    return redirect(access.project)


@login_required
@require_POST
def criterion_sign_off(
    request: AuthenticatedRequest, project_id: int, criterion_id: int
) -> HttpResponse:
    access = project_access(request, project_id)
    criterion = get_object_or_404(AcceptanceCriterion, pk=criterion_id, project=access.project)
    access.require(access.can_sign_off)
    form = forms.SignOffForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.criterion_sign_off(
                criterion=criterion,
                by=request.user,
                role=access.role,
                comment=form.cleaned_data["comment"],
                as_ops=form.cleaned_data["as_ops"],
                now=timezone.now(),
                seen_digest=form.cleaned_data["statement_digest"],
            )
        except services.ActionRefused as refused:
            error = " ".join(refused.messages)
    else:
        error = "The form was incomplete: reload the page and sign off again."
    return _criterion_response(
        request, access, criterion, error, "Signed off.", failed_form="sign-off"
    )


@login_required
@require_POST
def signoff_revoke(
    request: AuthenticatedRequest, project_id: int, criterion_id: int, signoff_id: int
) -> HttpResponse:
    access = project_access(request, project_id)
    criterion = get_object_or_404(AcceptanceCriterion, pk=criterion_id, project=access.project)
    signoff = get_object_or_404(SignOff, pk=signoff_id, criterion=criterion)
    access.require(access.can_sign_off)
    form = forms.RevokeForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.signoff_revoke(
                signoff=signoff,
                by=request.user,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except services.ActionRefused as refused:
            error = " ".join(refused.messages)
    else:
        error = "Say why the sign-off is revoked."  # reason is the form's only field
    return _criterion_response(
        request, access, criterion, error, "Sign-off revoked.", failed_form="revoke"
    )


def _criterion_response(
    request: AuthenticatedRequest,
    access: ProjectAccess,
    criterion: AcceptanceCriterion,
    error: str,
    success: str,
    failed_form: str,
) -> HttpResponse:
    """Non-htmx: back to the page with a message. htmx: the criterion's row, errors inline."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, success)
        return redirect(access.project)
    criterion = _criteria_for_page().get(pk=criterion.pk)
    response = render(
        request,
        "projects/detail.html#criterion-row",
        {
            "criterion": criterion,
            "project": access.project,
            "access": access,
            "row_error": error,
            "row_error_form": failed_form if error else "",
            "today": timezone.localdate(),
        },
    )
    response["HX-Trigger"] = "counts-changed"
    return response
