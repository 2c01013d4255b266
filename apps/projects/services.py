"""Writes that change a transition: each keeps the data valid or changes nothing.

Every write goes through `guard.project_write` (project row locked first, closed
transitions refused, summary recomputed). A refused action raises
`ActionRefused` with a sentence a person can act on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from simple_history.utils import bulk_create_with_history

from apps.projects import phases, summary
from apps.projects.blueprints import BLUEPRINTS
from apps.projects.guard import ActionRefused, attribute, project_write
from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Project,
    Role,
    SignOff,
    Task,
)

if TYPE_CHECKING:
    from apps.accounts.models import Team, User


def phase_change_blockers(project: Project, to: str) -> list[str]:
    """Why `project` may not move to phase `to` now; empty when it may."""
    return phases.move_blockers(project.phase, to, phase_facts(project))


def phase_facts(project: Project) -> phases.PhaseFacts:
    criteria = AcceptanceCriterion.objects.filter(project=project).aggregate(
        total=Count("pk"),
        unsigned=Count("pk", filter=~Q(pk__in=SignOff.objects.active().values("criterion_id"))),
    )
    return phases.PhaseFacts(
        go_live_date=project.go_live_date,
        criteria_total=criteria["total"],
        criteria_unsigned=criteria["unsigned"],
    )


def project_change_phase(*, project: Project, to: str, by: User) -> Project:
    """Move the transition to phase `to`, or refuse with the reasons.

    The checks run on the locked row, so two leads clicking at once, or a
    revocation racing the move to BAU, cannot both pass.
    """
    # A cancelled (closed) transition may be reopened: the phase rules decide.
    with project_write(project.pk, by=by, allow_closed=True) as locked:
        reasons = phase_change_blockers(locked, to)
        if reasons:
            raise ActionRefused(reasons)
        locked.phase = to
        locked.save(update_fields=["phase", "updated_at"])
    project.phase = to
    return locked


# The fields of a transition its lead edits; phase moves go through project_change_phase.
EDITABLE_FIELDS = (
    "name",
    "description",
    "services",
    "lead",
    "ops_lead",
    "ops_team",
    "go_live_date",
    "hypercare_days",
)


def project_create(
    *,
    name: str,
    lead: User,
    created_by: User,
    today: dt.date,
    blueprint: str = "",
    description: str = "",
    services: str = "",
    ops_lead: User | None = None,
    ops_team: Team | None = None,
    go_live_date: dt.date | None = None,
    hypercare_days: int = 14,
) -> Project:
    """Create a transition and its first members.

    The lead becomes a `lead` member and the operations lead (if named) an `ops`
    member; whoever created it, if neither, becomes a lead too so they can manage it.
    """
    with transaction.atomic():
        project = Project(
            name=name,
            lead=lead,
            description=description,
            services=services,
            ops_lead=ops_lead,
            ops_team=ops_team,
            go_live_date=go_live_date,
            hypercare_days=hypercare_days,
        )
        attribute(project, created_by)
        project.full_clean()
        project.save()
        roles = {lead.pk: Role.LEAD}
        if project.ops_lead_id:
            roles.setdefault(project.ops_lead_id, Role.OPS)
        roles.setdefault(created_by.pk, Role.LEAD)
        for user_id, role in roles.items():
            membership = Membership(project=project, user_id=user_id, role=role)
            attribute(membership, created_by)
            membership.save()
        if blueprint:
            blueprint_apply(project=project, key=blueprint, by=created_by, today=today)
        summary.refresh(project.pk, today=today)
    return project


def project_update(*, project_id: int, changes: Mapping[str, Any], by: User) -> Project:
    """Apply the edited fields to the locked row; a newly named lead or ops lead becomes a member.

    Only `EDITABLE_FIELDS` are written, onto the row read under the lock, so a
    phase move committed while the form was open is never undone. An existing
    member keeps their role, except that a new lead is made a lead.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ActionRefused(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    with project_write(project_id, by=by) as project:
        for name, value in changes.items():
            setattr(project, name, value)
        project.full_clean()
        project.save(update_fields=[*changes, "updated_at"])
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
    with project_write(task.project_id, by=by):
        task.status = status
        task.completed_at = now if status == Task.Status.DONE else None
        attribute(task, by)
        task.save(update_fields=["status", "completed_at", "updated_at"])
    return task


def task_save(*, task: Task, by: User, now: dt.datetime) -> Task:
    """Save a task from a form, keeping completed_at in step with the status."""
    if task.status == Task.Status.DONE and task.completed_at is None:
        task.completed_at = now
    elif task.status != Task.Status.DONE:
        task.completed_at = None
    with project_write(task.project_id, by=by):
        attribute(task, by)
        task.save()
    return task


def task_delete(*, task: Task, by: User) -> None:
    """Delete a task; its history (and the deletion) stays in the audit trail."""
    with project_write(task.project_id, by=by):
        attribute(task, by)
        task.delete()


def criterion_delete(*, criterion: AcceptanceCriterion, by: User) -> None:
    """Delete a criterion that is not signed off.

    A signed criterion is evidence of what operations accepted: its sign-off must be
    revoked, with a reason, before the criterion can go.
    """
    with project_write(criterion.project_id, by=by):
        if SignOff.objects.active().filter(criterion=criterion).exists():
            raise ActionRefused(
                "This criterion is signed off: revoke the sign-off (with a reason) first."
            )
        attribute(criterion, by)
        criterion.delete()


def criterion_save(*, criterion: AcceptanceCriterion, by: User, now: dt.datetime) -> bool:
    """Save a criterion; editing a signed statement voids the sign-off.

    Returns True when a sign-off was voided, so the caller can say so.
    """
    voided = False
    with project_write(criterion.project_id, by=by):
        if criterion.pk:
            before = AcceptanceCriterion.objects.select_for_update().get(pk=criterion.pk)
            if before.statement.strip() != criterion.statement.strip():
                for signoff in SignOff.objects.active().filter(criterion=criterion):
                    signoff.voided_at = now
                    attribute(signoff, by)
                    signoff.save(update_fields=["voided_at"])
                    voided = True
        attribute(criterion, by)
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
        with project_write(criterion.project_id, by=by):
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
            attribute(signoff, by)
            signoff.save()
    except IntegrityError:
        raise ActionRefused("This criterion is already signed off.") from None
    return signoff


def signoff_revoke(*, signoff: SignOff, by: User, reason: str, now: dt.datetime) -> SignOff:
    """Revoke an active sign-off; the reason and the original stay in history."""
    if not reason.strip():
        raise ActionRefused("Say why the sign-off is revoked.")
    with project_write(signoff.criterion.project_id, by=by):
        locked = SignOff.objects.select_for_update().get(pk=signoff.pk)
        if not locked.is_active:
            # Another request revoked it, or an edit voided it, first.
            raise ActionRefused("This sign-off is no longer active.")
        locked.revoked_at = now
        locked.revoked_by = by
        locked.revoke_reason = reason.strip()
        attribute(locked, by)
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return locked


def membership_add(*, project: Project, user: User, role: str, by: User) -> Membership:
    """Add `user` as a new member; refuse (never silently re-role) an existing member."""
    existing = Membership.objects.filter(project=project, user=user).first()
    if existing is not None:
        raise ActionRefused(
            f"{user} is already a member ({existing.get_role_display()}): change their role "
            "in the list instead."
        )
    return membership_set(project=project, user=user, role=role, by=by)


def membership_set(*, project: Project, user: User, role: str, by: User) -> Membership:
    """Add a member or change their role; the named lead stays a lead."""
    if role not in Role.values:
        raise ActionRefused(f"{role!r} is not a role.")
    with project_write(project.pk, by=by) as project:
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
        attribute(membership, by)
        membership.save()
    return membership


def membership_remove(*, membership: Membership, by: User) -> None:
    with project_write(membership.project_id, by=by) as project:
        if membership.role == Role.LEAD:
            _refuse_if_named_or_last_lead(project, membership)
        attribute(membership, by)
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
