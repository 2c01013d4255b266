"""Pages across transitions: the portfolio dashboard, My items, a new transition."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from apps.accounts.models import User
from apps.core.htmx import AuthenticatedRequest, template_for
from apps.projects import access, forms, services
from apps.projects.models import (
    CLOSED_PHASES,
    AcceptanceCriterion,
    Membership,
    Phase,
    Project,
    Role,
    SignOff,
    Task,
)
from apps.projects.outlook import outlook

DASHBOARD_PAGE_SIZE = 25
# What a dashboard row shows, read as plain values.
ROW_FIELDS = ("pk", "name", "phase", "go_live_date", "lead_id")
ROW_EXPRESSIONS = {
    "ops_team_name": F("ops_team__name"),
    # User.display_name, in SQL: the full name, else first and last name, else the email.
    "lead_name": Coalesce(
        NullIf(F("lead__full_name"), Value("")),
        NullIf(Trim(Concat(F("lead__first_name"), Value(" "), F("lead__last_name"))), Value("")),
        F("lead__email"),
        output_field=CharField(),
    ),
    "tasks_done": F("summary__tasks_done"),
    "tasks_total": F("summary__tasks_total"),
    "tasks_overdue": F("summary__tasks_overdue"),
    "tasks_blocked": F("summary__tasks_blocked"),
    "criteria_signed": F("summary__criteria_signed"),
    "criteria_total": F("summary__criteria_total"),
    "ready": F("summary__ready"),
    "readiness_score": F("summary__readiness_score"),
    "gates": F("summary__gates"),
}
MY_ITEMS_PAGE_SIZE = 25
# The value of the hidden "from" field of the forms on My items (`came_from_my_items`).
MY_ITEMS = "my-items"


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """Every transition the user may see, with its progress at a glance.

    The counts come from each transition's summary row (`apps.projects.summary`),
    so the page is one indexed query whatever the portfolio's size.
    """
    today = timezone.localdate()
    visible = Project.objects.visible_to(request.user)
    # A semi-join (no DISTINCT over every visible transition's lead).
    leads = User.objects.filter(pk__in=visible.values("lead_id")).order_by("full_name", "pk")
    form = forms.DashboardFilterForm(request.GET, leads=leads)
    # The table reads plain rows of exactly the columns it shows (no model instances:
    # building 100 of them per page cost more than the query itself).
    projects = visible
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
    rows = projects.order_by(*forms.DashboardFilterForm.SORTS[sort]).values(
        *ROW_FIELDS, **ROW_EXPRESSIONS
    )
    paginator = Paginator(rows, DASHBOARD_PAGE_SIZE)
    # Count the filtered transitions alone: counting the rows would join the tables
    # the columns come from (team, lead, summary) for nothing.
    paginator.count = projects.count()
    page = paginator.get_page(request.GET.get("page"))
    for row in page:
        row["phase_label"] = Phase(row["phase"]).label
        row["outlook"] = outlook(
            phase=row["phase"], go_live_date=row["go_live_date"], ready=row["ready"], today=today
        )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    return render(
        request,
        template_for(request, "projects/dashboard.html", "project-table"),
        {
            "form": form,
            "page": page,
            "sort": sort,
            "query": query.urlencode(),
            "today": today,
            # The lead filter's options are rendered by hand (read only when the whole
            # page is): a form widget renders each option through its own template.
            "leads": leads.only("pk", "full_name", "first_name", "last_name", "email"),
            "selected_lead": str(form["lead"].value() or ""),
            # Called only where the page shows a "New transition" link (it costs queries).
            "may_create_transition": functools.partial(access.can_create_transition, request.user),
        },
        status=status,
    )


@login_required
def my_items(request: AuthenticatedRequest) -> HttpResponse:
    """Tasks I own and the acceptance criteria I may sign, grouped by transition.

    A criterion is mine to sign in every open transition where I am operations,
    whoever it names: any operations member may sign (`services.criterion_sign_off`).
    Within a transition, overdue ones come first; then those naming me, those naming
    nobody, and those asking someone else (the row says whom). A lead signs only
    explicitly "as operations", so a lead is asked only for the criteria that name
    them. The transition with the earliest due item comes first, so overdue work
    leads the page.

    Each list costs one count and one page query, whatever its length.
    """
    today = timezone.localdate()
    user = request.user
    tasks = _my_open_tasks(user)
    criteria = _criteria_i_may_sign(user)
    task_rows = _task_rows(tasks, user).order_by(
        Window(Min("due_date"), partition_by=F("project_id")).asc(),
        "project__name",
        "project_id",
        "due_date",
        "pk",
    )
    criterion_rows = _criterion_rows(criteria, user).order_by(
        Window(Min("due_date"), partition_by=F("project_id")).asc(),
        "project__name",
        "project_id",
        Case(When(due_date__lt=today, then=Value(0)), default=Value(1)).asc(),
        "signer_rank",
        "due_date",
        "pk",
    )
    tasks_page = _page(task_rows, tasks, request.GET.get("tasks_page"))
    criteria_page = _page(criterion_rows, criteria, request.GET.get("criteria_page"))
    # Said only when nothing waits (one query then): why, and what to do instead.
    signs_anywhere = bool(criteria_page.object_list) or (
        Membership.objects.filter(user=user, role=Role.OPS)
        .exclude(project__phase__in=CLOSED_PHASES)
        .exists()
    )
    return render(
        request,
        "projects/my_items.html",
        {
            "tasks": list(tasks_page),
            "tasks_page": tasks_page,
            "criteria": list(criteria_page),
            "criteria_page": criteria_page,
            "signs_anywhere": signs_anywhere,
            "today": today,
            "task_statuses": Task.Status.choices,
            "from_my_items": MY_ITEMS,
        },
    )


def came_from_my_items(request: AuthenticatedRequest) -> bool:
    """Whether a task-status or sign-off form was posted from My items, which then
    wants its own row back (htmx) or to come back to My items (no JavaScript)."""
    return request.POST.get("from") == MY_ITEMS


def my_task_row(
    request: AuthenticatedRequest,
    project_access: access.ProjectAccess,
    errors: list[str],
    task_id: int,
) -> HttpResponse:
    """The task's My items row as it now stands (done ones too), `errors` shown inside it."""
    project_tasks = Task.objects.filter(project=project_access.project)
    task = get_object_or_404(_task_rows(project_tasks, request.user), pk=task_id)
    return render(
        request,
        "projects/my_items.html#my-task-row",
        {
            "task": task,
            "row_error": " ".join(errors),
            "today": timezone.localdate(),
            "task_statuses": Task.Status.choices,
            "from_my_items": MY_ITEMS,
        },
    )


def my_criterion_row(
    request: AuthenticatedRequest,
    project_access: access.ProjectAccess,
    errors: list[str],
    criterion_id: int,
) -> HttpResponse:
    """The criterion's My items row as it now stands: signed off, withdrawn, or still
    waiting with the refusal `errors` under its form."""
    project_criteria = AcceptanceCriterion.objects.filter(project=project_access.project)
    criterion = get_object_or_404(
        _criterion_rows(project_criteria, request.user).prefetch_related(
            Prefetch("signoffs", queryset=SignOff.objects.select_related("signed_by"))
        ),
        pk=criterion_id,
    )
    return render(
        request,
        "projects/my_items.html#my-criterion-row",
        {
            "criterion": criterion,
            "signoff": criterion.active_signoff,
            "row_error": " ".join(errors),
            "today": timezone.localdate(),
            "from_my_items": MY_ITEMS,
        },
    )


def _my_open_tasks(user: User) -> QuerySet[Task]:
    """My open tasks, in the open transitions I am still a member of."""
    my_projects = Project.objects.filter(memberships__user=user).open()
    return Task.objects.open().filter(owner=user, project__in=my_projects)


def _criteria_i_may_sign(user: User) -> QuerySet[AcceptanceCriterion]:
    """Unsigned current criteria of the open transitions where I am operations, and
    of those where I am a lead, the ones that name me.

    Each condition starts from the few transitions I am a member of (two semi-joins),
    never from every criterion in the portfolio that names nobody.
    """
    open_projects = Project.objects.open()
    as_ops = open_projects.filter(memberships__user=user, memberships__role=Role.OPS)
    as_lead = open_projects.filter(memberships__user=user, memberships__role=Role.LEAD)
    return (
        AcceptanceCriterion.objects.current()
        .unsigned()
        .filter(Q(project__in=as_ops) | Q(project__in=as_lead, expected_signer=user))
    )


def _task_rows(tasks: QuerySet[Task], user: User) -> QuerySet[Task]:
    """What a My items task row shows, and whether I may change its status here (any
    member but a viewer may update their own task while the transition is open)."""
    may_update = Membership.objects.filter(
        project=OuterRef("project"), user=user, role__in=access.WRITE_ROLES
    ).exclude(project__phase__in=CLOSED_PHASES)
    return (
        tasks.select_related("project")
        .only("title", "due_date", "status", "project__name")
        .annotate(may_update=Exists(may_update))
    )


def _criterion_rows(
    criteria: QuerySet[AcceptanceCriterion], user: User
) -> QuerySet[AcceptanceCriterion]:
    """What a My items criterion row shows: whom it names (`signer_rank` 0 me, 1 nobody,
    2 someone else) and whether I sign as a lead, "as operations"."""
    as_lead = Membership.objects.filter(project=OuterRef("project"), user=user, role=Role.LEAD)
    return (
        criteria.select_related("project", "expected_signer")
        .only(
            "statement",
            "due_date",
            "withdrawn_at",
            "project__name",
            "expected_signer__full_name",
            "expected_signer__first_name",
            "expected_signer__last_name",
            "expected_signer__email",
        )
        .annotate(
            signer_rank=Case(
                When(expected_signer=user, then=Value(0)),
                When(expected_signer__isnull=True, then=Value(1)),
                default=Value(2),
            ),
            signs_as_lead=Exists(as_lead),
        )
    )


def _page(rows: QuerySet, counted: QuerySet, number: str | None) -> Page:
    paginator = Paginator(rows, MY_ITEMS_PAGE_SIZE)
    # Count the plain list: the rows' annotations and ordering would only slow the count.
    paginator.count = counted.count()
    return paginator.get_page(number)


@login_required
def project_create(request: AuthenticatedRequest) -> HttpResponse:
    """A new transition; only for delivery leads and staff (`access.can_create_transition`)."""
    if not access.can_create_transition(request.user):
        return render(request, "projects/create_refused.html", status=403)
    form = forms.ProjectCreateForm(
        request.POST or None, user=request.user, initial={"lead": request.user}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        project = services.project_create(
            created_by=request.user,
            today=timezone.localdate(),
            blueprint=data.pop("blueprint"),
            **data,
        )
        messages.success(request, f"Transition “{project.name}” created.")
        if not project.ops_lead_id:
            messages.warning(
                request,
                "Nobody in this transition can sign off its acceptance criteria yet: only "
                "operations members can. Add an operations member on the members page.",
            )
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})
