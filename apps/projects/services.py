"""Writes that change a transition: each keeps the data valid or changes nothing.

A refused action raises `ActionRefused` with a sentence a person can act on.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from simple_history.utils import bulk_create_with_history

from apps.projects.blueprints import BLUEPRINTS
from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Phase,
    Project,
    Role,
    SignOff,
    Task,
)

if TYPE_CHECKING:
    from apps.accounts.models import User


class ActionRefused(ValidationError):
    """The action would break a rule; `messages` says why, in plain words."""


def _attribute(instance: models.Model, by: User) -> None:
    """Name who makes the next save or delete in the audit history.

    Requests get this from simple_history's middleware; the services also run from
    commands and tasks, where there is no request.
    """
    instance._history_user = by  # type: ignore[attr-defined]


# Phase moves a lead may make; everything else is refused. Moving back one step is
# allowed before BAU (a go-live that slipped); cancelling is possible until BAU.
PHASE_MOVES: dict[str, frozenset[str]] = {
    Phase.PLANNING: frozenset({Phase.READINESS, Phase.CANCELLED}),
    Phase.READINESS: frozenset({Phase.PLANNING, Phase.HYPERCARE, Phase.CANCELLED}),
    Phase.HYPERCARE: frozenset({Phase.READINESS, Phase.BAU, Phase.CANCELLED}),
    Phase.BAU: frozenset(),
    Phase.CANCELLED: frozenset({Phase.PLANNING}),
}


def phase_change_blockers(project: Project, to: str) -> list[str]:
    """Why `project` may not move to phase `to`; empty when it may."""
    if to == project.phase:
        return [f"The transition is already in {Phase(to).label}."]
    if to not in PHASE_MOVES[project.phase]:
        allowed = ", ".join(Phase(p).label for p in sorted(PHASE_MOVES[project.phase])) or "none"
        return [
            f"A transition in {Phase(project.phase).label} cannot move to {Phase(to).label} "
            f"(possible: {allowed})."
        ]
    reasons: list[str] = []
    if to == Phase.HYPERCARE and project.go_live_date is None:
        reasons.append("Set the go-live date before starting hypercare.")
    if to == Phase.BAU:
        criteria = AcceptanceCriterion.objects.filter(project=project)
        total = criteria.count()
        unsigned = criteria.unsigned().count()
        if total == 0:
            reasons.append(
                "No acceptance criteria are defined: operations has nothing to sign off yet."
            )
        elif unsigned:
            reasons.append(
                f"{unsigned} of {total} acceptance criteria are not signed off by operations."
            )
    return reasons


def project_change_phase(*, project: Project, to: str, by: User) -> Project:
    with transaction.atomic():
        # Lock the row so two leads clicking at once cannot both pass the checks.
        locked = Project.objects.select_for_update().get(pk=project.pk)
        reasons = phase_change_blockers(locked, to)
        if reasons:
            raise ActionRefused(reasons)
        locked.phase = to
        _attribute(locked, by)
        locked.save(update_fields=["phase", "updated_at"])
    project.phase = to
    return locked


def project_create(
    *,
    name: str,
    lead: User,
    created_by: User,
    today: dt.date,
    blueprint: str = "",
    **fields: Any,
) -> Project:
    """Create a transition and its first members.

    The lead becomes a `lead` member and the operations lead (if named) an `ops`
    member; whoever created it, if neither, becomes a lead too so they can manage it.
    """
    with transaction.atomic():
        project = Project(name=name, lead=lead, **fields)
        _attribute(project, created_by)
        project.full_clean()
        project.save()
        roles = {lead.pk: Role.LEAD}
        if project.ops_lead_id:
            roles.setdefault(project.ops_lead_id, Role.OPS)
        roles.setdefault(created_by.pk, Role.LEAD)
        for user_id, role in roles.items():
            membership = Membership(project=project, user_id=user_id, role=role)
            _attribute(membership, created_by)
            membership.save()
        if blueprint:
            blueprint_apply(project=project, key=blueprint, by=created_by, today=today)
    return project


def project_update(*, project: Project, by: User) -> Project:
    """Save edited project fields; a newly named lead or ops lead becomes a member.

    An existing member keeps their role, except that a new lead is made a lead.
    """
    with transaction.atomic():
        lock_open_project(project.pk)
        _attribute(project, by)
        project.save()
        membership_set(project=project, user=project.lead, role=Role.LEAD, by=by)
        if project.ops_lead and not project.memberships.filter(user=project.ops_lead).exists():
            membership_set(project=project, user=project.ops_lead, role=Role.OPS, by=by)
    return project


def blueprint_apply(*, project: Project, key: str, by: User, today: dt.date) -> None:
    """Seed a template's tasks and criteria, dated relative to go-live (or today)."""
    blueprint = BLUEPRINTS[key]
    anchor = project.go_live_date or today + dt.timedelta(days=42)
    bulk_create_with_history(
        [
            Task(
                project=project,
                title=seed.title,
                description=seed.description,
                area=seed.area,
                owner=project.lead,
                due_date=anchor + dt.timedelta(days=seed.days_from_go_live),
            )
            for seed in blueprint.tasks
        ],
        Task,
        default_user=by,
    )
    bulk_create_with_history(
        [
            AcceptanceCriterion(
                project=project,
                statement=seed.statement,
                verification=seed.verification,
                due_date=anchor + dt.timedelta(days=seed.days_from_go_live),
                expected_signer=project.ops_lead,
                expected_team=project.ops_team,
            )
            for seed in blueprint.criteria
        ],
        AcceptanceCriterion,
        default_user=by,
    )


def task_set_status(*, task: Task, status: str, by: User, now: dt.datetime) -> Task:
    if status not in Task.Status.values:
        raise ActionRefused(f"{status!r} is not a task status.")
    if task.status == status:
        return task
    with transaction.atomic():
        lock_open_project(task.project_id)
        task.status = status
        task.completed_at = now if status == Task.Status.DONE else None
        _attribute(task, by)
        task.save(update_fields=["status", "completed_at", "updated_at"])
    return task


def task_save(*, task: Task, by: User, now: dt.datetime) -> Task:
    """Save a task from a form, keeping completed_at in step with the status."""
    if task.status == Task.Status.DONE and task.completed_at is None:
        task.completed_at = now
    elif task.status != Task.Status.DONE:
        task.completed_at = None
    with transaction.atomic():
        lock_open_project(task.project_id)
        _attribute(task, by)
        task.save()
    return task


def lock_open_project(project_id: int) -> Project:
    """Lock the project row for this transaction; refuse if the transition is closed.

    Every write that decides whether a transition may reach BAU takes this lock
    first, as `project_change_phase` does, so a sign-off, revocation or criterion
    edit cannot slip in between the BAU check and the phase change.
    """
    project = Project.objects.select_for_update().get(pk=project_id)
    if project.is_closed:
        raise ActionRefused(
            f"This transition is {project.get_phase_display()}: it can no longer change."
        )
    return project


def task_delete(*, task: Task, by: User) -> None:
    """Delete a task; its history (and the deletion) stays in the audit trail."""
    with transaction.atomic():
        lock_open_project(task.project_id)
        _attribute(task, by)
        task.delete()


def criterion_delete(*, criterion: AcceptanceCriterion, by: User) -> None:
    """Delete a criterion that is not signed off.

    A signed criterion is evidence of what operations accepted: its sign-off must be
    revoked, with a reason, before the criterion can go.
    """
    with transaction.atomic():
        lock_open_project(criterion.project_id)
        if SignOff.objects.active().filter(criterion=criterion).exists():
            raise ActionRefused(
                "This criterion is signed off: revoke the sign-off (with a reason) first."
            )
        _attribute(criterion, by)
        criterion.delete()


def criterion_save(*, criterion: AcceptanceCriterion, by: User, now: dt.datetime) -> bool:
    """Save a criterion; editing a signed statement voids the sign-off.

    Returns True when a sign-off was voided, so the caller can say so.
    """
    voided = False
    with transaction.atomic():
        lock_open_project(criterion.project_id)
        if criterion.pk:
            before = AcceptanceCriterion.objects.select_for_update().get(pk=criterion.pk)
            if before.statement.strip() != criterion.statement.strip():
                for signoff in SignOff.objects.active().filter(criterion=criterion):
                    signoff.voided_at = now
                    _attribute(signoff, by)
                    signoff.save(update_fields=["voided_at"])
                    voided = True
        _attribute(criterion, by)
        criterion.save()
    return voided


def criterion_sign_off(
    *,
    criterion: AcceptanceCriterion,
    by: User,
    role: str | None,
    comment: str,
    as_ops: bool,
    now: dt.datetime,
    seen_digest: str | None = None,
) -> SignOff:
    """Record operations' sign-off of the statement as it stands.

    `seen_digest` is `statement_digest` of the statement the signer read; when
    given and the statement has changed since, the sign-off is refused. The
    criterion row is locked while signing, so an edit cannot commit between reading
    the statement and recording its snapshot. The partial unique index
    `one_active_signoff_per_criterion` guarantees that of two concurrent sign-offs
    exactly one is recorded; the other is refused.
    """
    if role == Role.LEAD and not as_ops:
        raise ActionRefused(
            "A lead may sign off only explicitly on behalf of operations: tick "
            "“I am signing as operations”."
        )
    if role not in {Role.OPS, Role.LEAD}:
        raise ActionRefused("Only the operations team may sign off acceptance criteria.")
    try:
        with transaction.atomic():
            lock_open_project(criterion.project_id)
            current = AcceptanceCriterion.objects.select_for_update().get(pk=criterion.pk)
            if seen_digest is not None and seen_digest != current.statement_digest:
                raise ActionRefused(
                    "The statement changed after you opened the page: read it again, then sign off."
                )
            signoff = SignOff(
                criterion=current,
                signed_by=by,
                signed_at=now,
                signed_as_ops=role == Role.LEAD,
                comment=comment,
                statement_snapshot=current.statement,
            )
            _attribute(signoff, by)
            signoff.save()
    except IntegrityError:
        raise ActionRefused("This criterion is already signed off.") from None
    return signoff


def signoff_revoke(*, signoff: SignOff, by: User, reason: str, now: dt.datetime) -> SignOff:
    """Revoke an active sign-off; the reason and the original stay in history."""
    if not reason.strip():
        raise ActionRefused("Say why the sign-off is revoked.")
    with transaction.atomic():
        lock_open_project(signoff.criterion.project_id)
        locked = SignOff.objects.select_for_update().get(pk=signoff.pk)
        if not locked.is_active:
            # Another request revoked it, or an edit voided it, first.
            raise ActionRefused("This sign-off is no longer active.")
        locked.revoked_at = now
        locked.revoked_by = by
        locked.revoke_reason = reason.strip()
        _attribute(locked, by)
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return locked


def membership_set(*, project: Project, user: User, role: str, by: User) -> Membership:
    """Add a member or change their role; the named lead stays a lead."""
    if role not in Role.values:
        raise ActionRefused(f"{role!r} is not a role.")
    with transaction.atomic():
        project = lock_open_project(project.pk)
        membership = (
            Membership.objects.select_for_update().filter(project=project, user=user).first()
        )
        if membership and membership.role == role:
            return membership  # nothing changes, so nothing is written to the history
        if membership and membership.role == Role.LEAD and role != Role.LEAD:
            _refuse_if_named_or_last_lead(project, membership)
        if membership is None:
            membership = Membership(project=project, user=user)
        membership.role = role
        _attribute(membership, by)
        membership.save()
    return membership


def membership_remove(*, membership: Membership, by: User) -> None:
    with transaction.atomic():
        project = lock_open_project(membership.project_id)
        if membership.role == Role.LEAD:
            _refuse_if_named_or_last_lead(project, membership)
        _attribute(membership, by)
        membership.delete()


def _refuse_if_named_or_last_lead(project: Project, membership: Membership) -> None:
    if membership.user_id == project.lead_id:
        raise ActionRefused(
            f"{membership.user} is the transition's lead: name another lead in the "
            "transition's settings first."
        )
    other_leads = (
        Membership.objects.select_for_update()
        .filter(project=project, role=Role.LEAD)
        .exclude(pk=membership.pk)
    )
    if not other_leads.exists():
        raise ActionRefused("A transition needs at least one lead: add another lead first.")
