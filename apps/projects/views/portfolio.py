"""Pages across transitions: the portfolio dashboard, My items, a new transition."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    Min,
    OuterRef,
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
    """Tasks I own and criteria waiting for my sign-off, overdue first."""
    today = timezone.localdate()
    user = request.user
    my_projects = Project.objects.filter(memberships__user=user).open()
    # Each list reads only the columns its rows show.
    tasks = (
        Task.objects.open()
        .filter(owner=user, project__in=my_projects)
        .select_related("project")
        .only("title", "due_date", "status", "project__name")
        .order_by("due_date", "pk")
    )
    # Only operations members sign: a criterion waits for me when it names me, or
    # names nobody, in an open transition where I am ops.
    ops_projects = Project.objects.filter(memberships__user=user, memberships__role=Role.OPS)
    # "Names me or nobody" as one expression rather than `= me OR IS NULL`: with the
    # OR, the database reads every criterion in the portfolio that names nobody
    # (through the expected_signer index), a cost that grows with the portfolio;
    # this way it starts from the few transitions where I am ops.
    names_me_or_nobody = Coalesce("expected_signer_id", Value(user.pk))
    criteria = (
        AcceptanceCriterion.objects.current()
        .unsigned()
        .filter(project__in=ops_projects.open())
        .alias(signer=names_me_or_nobody)
        .filter(signer=user.pk)
        .select_related("project")
        .only("statement", "due_date", "project__name")
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
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})
