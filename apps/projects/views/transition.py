"""The transition page, its settings, phase moves and activity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.concurrency import conflict_status
from apps.core.htmx import AuthenticatedRequest, template_for
from apps.core.paging import KnownTotalPage
from apps.projects import activity, forms, phases, services, summary
from apps.projects.access import ProjectAccess, capability, project_view
from apps.projects.guard import EditConflict
from apps.projects.models import (
    AcceptanceCriterion,
    CriterionQuerySet,
    Phase,
    Project,
    ProjectSummary,
    SignOff,
    Task,
    TaskQuerySet,
)

# 25 rows a list: a typical transition (about 20 tasks, 6 criteria) fits on one page,
# and a large one stays within the page's time budget (each row carries its forms).
TASKS_PAGE_SIZE = 25
CRITERIA_PAGE_SIZE = 25
# Withdrawn criteria shown (most recent first) in their collapsed list; Activity has all.
WITHDRAWN_SHOWN = 25
# The regions of the transition page that htmx refreshes after an inline change
# (`HX-Trigger: counts-changed`); each asks for itself by its id (HX-Target).
REFRESHED_REGIONS = ("project-summary", "readiness")


@project_view()
def project_detail(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """The transition page: its counts, gates, and its tasks and criteria one page at a time.

    Open tasks come first, 25 a page (`?tasks_page=`); done tasks sit behind a link
    (`?tasks=done`). Criteria awaiting sign-off likewise, signed ones behind
    `?criteria=signed`; withdrawn ones in a collapsed list of their own. The counts
    come from the summary row, so the page reads a fixed number of rows and queries
    however large the transition is.
    """
    project = access.project
    located = _locate(project, request.GET)
    if located is not None:
        return redirect(located)
    today = timezone.localdate()
    current = summary.current(project, today=today)
    context: dict[str, Any] = {
        "project": project,
        "access": access,
        "today": today,
        "summary": current,
        "gate_results": summary.gate_results(current),
    }
    region = request.htmx.target if request.htmx else None
    template = template_for(
        request,
        "projects/detail.html",
        region if region in REFRESHED_REGIONS else "project-summary",
    )
    if template != "projects/detail.html":
        return render(request, template, context)  # a refreshed region needs no lists

    # Each list is paged without a COUNT: the totals are the summary's (a filtered list
    # counts its rows, one query, only while a filter is set).
    show_done = request.GET.get("tasks") == "done"
    members = list(project.memberships.select_related("user").order_by("role", "user__email"))
    task_filter = forms.TaskFilterForm(request.GET, members=members)
    filters = task_filter.filters()
    if show_done:
        filters.pop("status", None)  # done is a tab of its own
        filters.pop("overdue", None)
    tasks = project.tasks.select_related("owner")
    if show_done:
        tasks = tasks.filter(status=Task.Status.DONE).order_by("-completed_at", "-pk")
    else:
        tasks = tasks.open().order_by("due_date", "pk")
    tasks = filter_tasks(tasks, filters, today=today)
    tasks_open = current.tasks_total - current.tasks_done
    tasks_matching = tasks.count() if filters else (current.tasks_done if show_done else tasks_open)
    tasks_page = KnownTotalPage(
        tasks,
        number=request.GET.get("tasks_page"),
        per_page=TASKS_PAGE_SIZE,
        total=tasks_matching,
    )

    show_signed = request.GET.get("criteria") == "signed"
    # Sign-offs are prefetched below, once for this list and the withdrawn one.
    criteria = criteria_for_page().prefetch_related(None).filter(project=project).current()
    criteria = (criteria.signed() if show_signed else criteria.unsigned()).order_by(
        "due_date", "pk"
    )
    criteria_unsigned = current.criteria_total - current.criteria_signed
    criteria_page = KnownTotalPage(
        criteria,
        number=request.GET.get("criteria_page"),
        per_page=CRITERIA_PAGE_SIZE,
        total=current.criteria_signed if show_signed else criteria_unsigned,
    )
    # Read only when the summary counts some, so the page's queries stay as they were.
    withdrawn = (
        list(
            AcceptanceCriterion.objects.withdrawn()
            .filter(project=project)
            .select_related("withdrawn_by")
            .order_by("-withdrawn_at", "-pk")[:WITHDRAWN_SHOWN]
        )
        if current.criteria_withdrawn
        else []
    )
    prefetch_related_objects([*criteria_page.object_list, *withdrawn], signoff_history())

    phase_moves = PhaseMoves()
    if access.can_change_phase:
        # The service re-checks on the locked row; the page explains disabled moves.
        facts = phases.PhaseFacts(
            go_live_date=project.go_live_date,
            criteria_total=current.criteria_total,
            criteria_unsigned=current.criteria_total - current.criteria_signed,
        )
        shown_unsigned = [] if show_signed else criteria_page.object_list
        phase_moves = phase_moves_for(access, facts, counts=current, unsigned=shown_unsigned)
    context.update(
        {
            "tasks_view": "done" if show_done else "open",
            "tasks_page": tasks_page,
            "tasks": tasks_page.object_list,
            "tasks_open": tasks_open,
            "task_filter": task_filter,
            "tasks_filtered": bool(filters),
            "tasks_matching": tasks_matching,
            "tasks_in_view": current.tasks_done if show_done else tasks_open,
            "updatable_task_ids": {t.pk for t in tasks_page if access.can_update_task(t.owner_id)},
            "task_statuses": Task.Status.choices,
            "criteria_view": "signed" if show_signed else "unsigned",
            "criteria_page": criteria_page,
            "criteria": criteria_page.object_list,
            "criteria_unsigned": criteria_unsigned,
            "withdrawn": withdrawn,
            "members": members,
            "phase_moves": phase_moves,
        }
    )
    return render(request, template, context)


def _locate(project: Project, query: Any) -> str | None:
    """`?task=<id>` or `?criterion=<id>` (the links of My items and Activity): the page
    of the transition that lists that row, with its anchor; None without either.

    A link to a row has to name its tab (done tasks, signed criteria) and its page,
    which change as work moves on; this works them out when the link is followed. An
    id not of this transition leads to the page as it is. Two queries, only here.
    """
    overview = reverse("projects:detail", args=[project.pk])
    if "task" in query:
        task_id = _positive_int(query.get("task"))
        if task_id is None:
            return overview
        status = project.tasks.filter(pk=task_id).values_list("status", flat=True).first()
        if status is None:
            return overview
        if status == Task.Status.DONE:
            tasks, tab = (
                project.tasks.filter(status=status).order_by("-completed_at", "-pk"),
                "done",
            )
        else:
            tasks, tab = project.tasks.open().order_by("due_date", "pk"), "open"
        number = _page_holding(tasks, task_id, TASKS_PAGE_SIZE)
        return f"{overview}?tasks={tab}&tasks_page={number}#task-{task_id}"
    if "criterion" in query:
        criterion_id = _positive_int(query.get("criterion"))
        if criterion_id is None:
            return overview
        criteria = AcceptanceCriterion.objects.filter(project=project)
        found = criteria.filter(pk=criterion_id).values_list("withdrawn_at", flat=True)
        if not found:
            return overview
        if found[0] is not None:
            return f"{overview}#withdrawn-{criterion_id}"
        signed = criteria.current().signed().filter(pk=criterion_id).exists()
        listed = (
            criteria.current().signed() if signed else criteria.current().unsigned()
        ).order_by("due_date", "pk")
        number = _page_holding(listed, criterion_id, CRITERIA_PAGE_SIZE)
        tab = "signed" if signed else "unsigned"
        return f"{overview}?criteria={tab}&criteria_page={number}#criterion-{criterion_id}"
    return None


def _positive_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _page_holding(queryset: Any, pk: int, per_page: int) -> int:
    """The page (from 1) of the ordered `queryset` on which row `pk` sits."""
    pks = list(queryset.values_list("pk", flat=True))
    return pks.index(pk) // per_page + 1 if pk in pks else 1


def criteria_for_page() -> CriterionQuerySet:
    """Criteria with what their rows show; sign-offs prefetched, so `active_signoff`
    costs no query."""
    return AcceptanceCriterion.objects.select_related(
        "expected_signer", "expected_team"
    ).prefetch_related(signoff_history())


def signoff_history() -> Prefetch:
    """A criterion's sign-offs, newest first, with who signed and who revoked them."""
    signoffs = SignOff.objects.select_related("signed_by", "revoked_by").order_by("-signed_at")
    return Prefetch("signoffs", queryset=signoffs)


def filter_tasks(tasks: TaskQuerySet, filters: dict[str, Any], *, today: dt.date) -> TaskQuerySet:
    """`tasks` narrowed by the page's filters (`TaskFilterForm.filters()`)."""
    if "status" in filters:
        tasks = tasks.filter(status=filters["status"])
    if "owner" in filters:
        tasks = tasks.filter(owner_id=filters["owner"])
    if "area" in filters:
        tasks = tasks.filter(area=filters["area"])
    if filters.get("overdue"):
        tasks = tasks.overdue(today)
    return tasks


# The order phases go forward in; cancelled stands apart.
PHASE_ORDER = (Phase.PLANNING, Phase.READINESS, Phase.HYPERCARE, Phase.BAU)
# How many of the criteria that hold back BAU the phase card names; a link shows them all.
BLOCKING_CRITERIA_NAMED = 3


@dataclass(frozen=True)
class Blocker:
    """Why a move waits, and where to put it right: `url` with `link_text`, and the
    rows that block it (`items`: text and url), when the page has them at hand."""

    sentence: str
    url: str = ""
    link_text: str = ""
    items: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PhaseMove:
    phase: str
    label: str
    blockers: tuple[Blocker, ...] = ()
    # What is worth a look before moving on but does not hold the move back.
    notes: tuple[Blocker, ...] = ()


@dataclass(frozen=True)
class PhaseMoves:
    """The moves a lead may make from here, grouped as the phase card shows them."""

    forward: tuple[PhaseMove, ...] = ()
    backward: tuple[PhaseMove, ...] = ()
    cancel: PhaseMove | None = None


def phase_moves_for(
    access: ProjectAccess,
    facts: phases.PhaseFacts,
    *,
    counts: ProjectSummary,
    unsigned: Sequence[AcceptanceCriterion],
) -> PhaseMoves:
    """The moves `phases.allowed_moves` allows, each with its blockers explained and
    linked; `unsigned` are criteria awaiting sign-off already read for the page (named
    in the blocker they cause, at no extra query)."""
    project = access.project
    if project.is_closed:
        return PhaseMoves()  # a cancelled one is reopened from its banner (_header.html)
    forward: list[PhaseMove] = []
    backward: list[PhaseMove] = []
    cancel = None
    for to in phases.allowed_moves(project.phase):
        move = PhaseMove(
            phase=to,
            label=Phase(to).label,
            blockers=explain_blockers(access, to, facts, unsigned),
            notes=move_notes(access.project, to, counts),
        )
        if to == Phase.CANCELLED:
            cancel = move
        elif PHASE_ORDER.index(Phase(to)) > PHASE_ORDER.index(Phase(project.phase)):
            forward.append(move)
        else:
            backward.append(move)
    return PhaseMoves(tuple(forward), tuple(backward), cancel)


def explain_blockers(
    access: ProjectAccess,
    to: str,
    facts: phases.PhaseFacts,
    unsigned: Sequence[AcceptanceCriterion],
) -> tuple[Blocker, ...]:
    """`phases.move_blockers` for the move to `to`, each with a link to what blocks it.

    Which fact a reason comes from is asked of the rules, not read from their wording:
    a reason that disappears once that fact is put right links to where it is put
    right. A reason no fix explains is shown as it is.
    """
    project = access.project
    reasons = phases.move_blockers(project.phase, to, facts)
    if not reasons:
        return ()
    detail = project.get_absolute_url()
    fixes: list[tuple[phases.PhaseFacts, Blocker]] = [
        (
            replace(facts, go_live_date=dt.date.max),
            Blocker("", reverse("projects:edit", args=[project.pk]), "Set the go-live date")
            if access.can_manage
            else Blocker(""),
        ),
    ]
    if facts.criteria_total == 0:
        add_criterion = reverse("projects:criterion-create", args=[project.pk])
        fixes.append(
            (
                replace(facts, criteria_total=1, criteria_unsigned=0),
                Blocker("", add_criterion, "Add a criterion")
                if access.can_edit
                else Blocker("", f"{detail}#criteria", "Acceptance criteria"),
            )
        )
    else:
        named = tuple(
            (criterion.statement, f"{detail}#criterion-{criterion.pk}")
            for criterion in unsigned[:BLOCKING_CRITERIA_NAMED]
        )
        fixes.append(
            (
                replace(facts, criteria_unsigned=0),
                Blocker(
                    "",
                    f"{detail}?criteria=unsigned#criteria",
                    "See every criterion awaiting sign-off",
                    named,
                ),
            )
        )
    explained = []
    for reason in reasons:
        link = next(
            (
                fix
                for fixed, fix in fixes
                if reason not in phases.move_blockers(project.phase, to, fixed)
            ),
            Blocker(""),
        )
        explained.append(replace(link, sentence=reason))
    return tuple(explained)


def move_notes(project: Project, to: str, counts: ProjectSummary) -> tuple[Blocker, ...]:
    """Going live or into BAU with overdue or blocked tasks is allowed, but worth a
    look first: each count from the summary row, linked to the tasks it counts."""
    if to not in (Phase.HYPERCARE, Phase.BAU):
        return ()
    detail = project.get_absolute_url()
    notes = []
    if overdue := counts.tasks_overdue:
        notes.append(
            Blocker(
                f"{overdue} task{pluralize(overdue)} {pluralize(overdue, 'is,are')} overdue.",
                f"{detail}?overdue=on#tasks",
                "See the overdue tasks",
            )
        )
    if blocked := counts.tasks_blocked:
        notes.append(
            Blocker(
                f"{blocked} task{pluralize(blocked)} {pluralize(blocked, 'is,are')} blocked.",
                f"{detail}?status=blocked#tasks",
                "See the blocked tasks",
            )
        )
    return tuple(notes)


@project_view(capability("can_manage"))
def project_edit(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    form = forms.ProjectForm(request.POST or None, instance=access.project, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                project_id=access.project.pk,
                changes={
                    name: form.cleaned_data[name]
                    for name in form.changed_data
                    if name in services.EDITABLE_FIELDS
                },
                by=request.user,
                seen_version=form.seen_version,
            )
        except EditConflict as conflict:
            # Not a refusal to redirect away from: the form stays, with the user's input.
            form.show_conflict(conflict.messages, conflict.version)
            status = conflict_status(request)
        else:
            messages.success(request, "Transition updated.")
            return redirect(access.project)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": access.project},
        status=status,
    )


@require_POST
@project_view(capability("can_change_phase"))
def project_phase(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    form = forms.PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a phase to move to.")
        return redirect(access.project)
    if form.cleaned_data["phase"] == Phase.CANCELLED:
        # Cancelling asks first, on a page of its own (`project_cancel`): nothing changes here.
        return redirect("projects:cancel", project_id=access.project.pk)
    services.project_change_phase(
        project=access.project, to=form.cleaned_data["phase"], by=request.user
    )
    messages.success(request, f"Moved to {access.project.get_phase_display()}.")
    return redirect(access.project)


# The value of the confirmation page's button; a POST without it cancels nothing.
CONFIRMED = "yes"


@project_view(capability("can_change_phase"))
def project_cancel(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """Cancel the transition, after saying what that means: a GET shows the confirmation
    page (no JavaScript needed); only a POST carrying its `confirm` button cancels."""
    project = access.project
    refusals = services.phase_change_blockers(project, Phase.CANCELLED)
    status = 200
    if request.method == "POST":
        if request.POST.get("confirm") == CONFIRMED:
            services.project_change_phase(project=project, to=Phase.CANCELLED, by=request.user)
            messages.success(
                request, "The transition is cancelled: it is read only until a lead reopens it."
            )
            return redirect(project)
        status = 400
        messages.error(request, "Nothing was cancelled: confirm below to cancel the transition.")
    counts = summary.current(project, today=timezone.localdate())
    return render(
        request,
        "projects/confirm_cancel.html",
        {
            "project": project,
            "access": access,
            "summary": counts,
            "open_tasks": counts.tasks_total - counts.tasks_done,
            "unsigned_criteria": counts.criteria_total - counts.criteria_signed,
            "refusals": refusals,
            "confirmed": CONFIRMED,
        },
        status=status,
    )


@project_view()
def project_activity(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """Who changed what and when, newest first, 50 a page (`?page=`), narrowed to one
    kind (`?kind=tasks`) and one person (`?person=<user id>`); a plain GET form, so the
    filters work without JavaScript and the paging links keep them."""
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    people = activity.people(access.project)
    filters = activity.read_filters(request.GET, choices=people)
    feed = activity.recent(access.project, page=page, kinds=filters.kinds, person=filters.person)
    return render(
        request,
        "projects/activity.html",
        {
            "project": access.project,
            "access": access,
            "feed": feed,
            "entries": feed.entries,
            "filters": filters,
            "kinds": activity.kinds(),
            "people": people,
            "now": timezone.now(),
        },
    )
