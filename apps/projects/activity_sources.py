"""The projects app's contribution to a transition's activity feed: its five tracked
models, the sentences their changes are told in, and where each links to."""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import Case, CharField, Value, When
from django.urls import reverse

from apps.core.activity import ActivitySource, Event, Sentence, generic_sentence, quote, shorten
from apps.projects.models import AcceptanceCriterion, Membership, Phase, Project, SignOff, Task


def _detail(project_id: int, query: str = "", anchor: str = "") -> str:
    url = _url("projects:detail", project_id)
    return f"{url}{'?' + query if query else ''}{'#' + anchor if anchor else ''}"


@functools.lru_cache(maxsize=4096)
def _url(name: str, project_id: int) -> str:
    # A page links up to 50 entries to a handful of addresses, and reverse() is a
    # noticeable part of its time; the addresses never change while the process runs.
    return reverse(name, args=[project_id])


def _others(event: Event, *hidden: str) -> str:
    """The clauses of the changes not already told, after "; " (or "")."""
    clauses = [c.clause() for c in event.changes if c.name not in hidden]
    return f"; {', '.join(clauses)}" if clauses else ""


# The transition ------------------------------------------------------------------


def _describe_project(event: Event) -> Sentence:
    if event.created:
        return Sentence("created the transition", event.record.name)
    if event.deleted:
        return Sentence("deleted the transition", event.record.name)
    phase = event.change("phase")
    if phase is None:
        clauses = ", ".join(c.clause() for c in event.changes)
        return Sentence("changed", "the transition", f": {clauses}")
    rest = _others(event, "phase")
    if phase.new == Phase.CANCELLED:
        return Sentence("cancelled", "the transition", f" (it was in {phase.old_text}){rest}")
    if phase.old == Phase.CANCELLED:
        return Sentence("reopened", "the transition", f" in {phase.new_text}{rest}")
    return Sentence("moved", "the transition", f" from {phase.old_text} to {phase.new_text}{rest}")


# Members -------------------------------------------------------------------------


def _describe_membership(event: Event) -> Sentence:
    person = event.show("user")
    role = event.show("role")
    if event.created:
        return Sentence("added", person, f" as {role}")
    if event.deleted:
        return Sentence("removed", person, " from the transition")
    change = event.change("role")
    if change is not None:
        return Sentence(
            "changed the role of", person, f" from {change.old_text} to {change.new_text}"
        )
    return generic_sentence(event, "membership of", person)


# Tasks ---------------------------------------------------------------------------


def _describe_task(event: Event) -> Sentence:
    title = quote(event.record.title)
    status = event.change("status")
    # completed_at follows the status (a check constraint); telling both says it twice.
    if status is not None and not _others(event, "status", "completed_at"):
        return Sentence("marked the task", title, f" as {status.new_text}")
    if status is not None:
        clauses = ", ".join(c.clause() for c in event.changes if c.name != "completed_at")
        return Sentence("changed the task", title, f": {clauses}")
    return generic_sentence(event, "task", title)


def _task_link(project_id: int, record: Any, state: str) -> str:
    # The transition page finds the task's tab (open or done) and page when the link
    # is followed (`?task=`).
    return _detail(project_id, f"task={record.id}", f"task-{record.id}")


# Acceptance criteria -------------------------------------------------------------

_WITHDRAWAL_FIELDS = ("withdrawn_at", "withdrawn_by", "withdraw_reason")


def _describe_criterion(event: Event) -> Sentence:
    record = event.record
    statement = quote(record.statement)
    withdrawn = event.change("withdrawn_at")
    if withdrawn is not None and withdrawn.old is None:
        reason = shorten(record.withdraw_reason)
        return Sentence("withdrew the acceptance criterion", statement, f": {reason}")
    if withdrawn is not None:
        return Sentence(
            "restored the acceptance criterion", statement, _others(event, *_WITHDRAWAL_FIELDS)
        )
    reworded = event.change("statement")
    if reworded is not None:
        was = quote(reworded.old)
        rest = _others(event, "statement")
        return Sentence("reworded the acceptance criterion", statement, f" (was {was}){rest}")
    return generic_sentence(event, "acceptance criterion", statement)


def _criterion_state(criterion: Any) -> Case:
    """ "withdrawn" or "listed" (`criterion` the path to its id from the query's row:
    "pk" or "criterion_id"). Which tab lists a criterion that is not withdrawn (signed
    or awaiting) is the transition page's to find when the link is followed."""
    withdrawn = "withdrawn_at" if criterion == "pk" else "criterion__withdrawn_at"
    return Case(
        When(**{f"{withdrawn}__isnull": False}, then=Value("withdrawn")),
        default=Value("listed"),
        output_field=CharField(),
    )


def _criterion_anchor(project_id: int, criterion_id: int, state: str) -> str:
    # Where the transition page lists the criterion: its withdrawn list, or a tab.
    if state == "withdrawn":
        return _detail(project_id, anchor=f"withdrawn-{criterion_id}")
    # The transition page finds its tab (signed or awaiting) and page (`?criterion=`).
    return _detail(project_id, f"criterion={criterion_id}", f"criterion-{criterion_id}")


# Sign-offs -----------------------------------------------------------------------


def _describe_signoff(event: Event) -> Sentence:
    record = event.record
    statement = quote(record.statement_snapshot)
    if event.created:
        detail = " as operations" if record.signed_as_ops else ""
        if record.comment:
            detail += f": {shorten(record.comment)}"
        return Sentence("signed off", statement, detail)
    revoked = event.change("revoked_at")
    if revoked is not None and revoked.old is None:
        whose = _whose(event, record.revoked_by_id)
        return Sentence(
            f"revoked {whose} sign-off of", statement, f": {shorten(record.revoke_reason)}"
        )
    voided = event.change("voided_at")
    if voided is not None and voided.old is None:
        whose = _whose(event, None)
        return Sentence(f"voided {whose} sign-off of", statement, " by editing its statement")
    return generic_sentence(event, "sign-off of", statement)


def _whose(event: Event, actor_id: Any) -> str:
    """ "their" when the person acting signed it, else "Helena Novak's"."""
    if actor_id is not None and actor_id == event.record.signed_by_id:
        return "their"
    return f"{event.show('signed_by')}'s"


SOURCES: tuple[ActivitySource, ...] = (
    ActivitySource(
        Project,
        lambda pid: Project.history.filter(id=pid),
        lambda r: str(r.name),
        kind="transition",
        kind_label="The transition",
        describe=_describe_project,
        link=lambda pid, record, state: _detail(pid),
    ),
    ActivitySource(
        Membership,
        lambda pid: Membership.history.filter(project_id=pid),
        lambda r: "a member",
        kind="members",
        kind_label="Members",
        describe=_describe_membership,
        link=lambda pid, record, state: _url("projects:members", pid),
    ),
    ActivitySource(
        Task,
        lambda pid: Task.history.filter(project_id=pid),
        lambda r: quote(r.title),
        kind="tasks",
        kind_label="Tasks",
        describe=_describe_task,
        link=_task_link,
        state=lambda: Task.objects.values("pk"),  # only whether the task still exists
    ),
    ActivitySource(
        AcceptanceCriterion,
        lambda pid: AcceptanceCriterion.history.filter(project_id=pid),
        lambda r: quote(r.statement),
        kind="criteria",
        kind_label="Acceptance criteria",
        describe=_describe_criterion,
        link=lambda pid, record, state: _criterion_anchor(pid, record.id, state),
        state=lambda: AcceptanceCriterion.objects.annotate(
            activity_state=_criterion_state("pk")
        ).values("activity_state"),
    ),
    ActivitySource(
        SignOff,
        lambda pid: SignOff.history.filter(criterion__project_id=pid),
        lambda r: quote(r.statement_snapshot),
        kind="sign-offs",
        kind_label="Sign-offs",
        describe=_describe_signoff,
        # A sign-off is shown with its criterion.
        link=lambda pid, record, state: _criterion_anchor(pid, record.criterion_id, state),
        state=lambda: SignOff.objects.annotate(
            activity_state=_criterion_state("criterion_id")
        ).values("activity_state"),
    ),
)
