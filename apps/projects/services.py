"""Writes that change a transition: each keeps the data valid or changes nothing.

Every write goes through `guard.project_write` (project row locked first, closed
transitions refused, summary recomputed). A refused action raises
`ActionRefused` with a sentence a person can act on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from simple_history.utils import bulk_create_with_history

from apps.projects import access, blueprints, phases, summary
from apps.projects.blueprints import BLUEPRINTS
from apps.projects.guard import (
    ActionRefused,
    attribute,
    project_write,
    refuse_stale_edit,
)
from apps.projects.models import (
    AcceptanceCriterion,
    Membership,
    Project,
    Role,
    SignOff,
    Task,
    statement_changed,
)

if TYPE_CHECKING:
    from apps.accounts.models import Team, User


def phase_change_blockers(project: Project, to: str) -> list[str]:
    """Why `project` may not move to phase `to` now; empty when it may."""
    return phases.move_blockers(project.phase, to, phase_facts(project))


def phase_facts(project: Project) -> phases.PhaseFacts:
    # Withdrawn criteria no longer apply, so they do not hold back BAU.
    criteria = (
        AcceptanceCriterion.objects.current()
        .filter(project=project)
        .aggregate(
            total=Count("pk"),
            unsigned=Count("pk", filter=~Q(pk__in=SignOff.objects.active().values("criterion_id"))),
        )
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
    "escalate_after_days",
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
    escalate_after_days: int | None = None,
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
            escalate_after_days=escalate_after_days,
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


def project_update(
    *,
    project_id: int,
    changes: Mapping[str, Any],
    by: User,
    seen_version: dt.datetime | None = None,
) -> Project:
    """Apply the edited fields to the locked row; a newly named lead or ops lead becomes a member.

    Only `EDITABLE_FIELDS` are written, onto the row read under the lock, so a
    phase move committed while the form was open is never undone. An existing
    member keeps their role, except that a new lead is made a lead. `seen_version`
    is the version the edit form was read at: a save that would undo someone
    else's later change raises `EditConflict` (see `guard.refuse_stale_edit`).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ActionRefused(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    with project_write(project_id, by=by) as project:
        yours = {name: getattr(project, name) for name in EDITABLE_FIELDS} | dict(changes)
        refuse_stale_edit(project, seen=seen_version, fields=EDITABLE_FIELDS, yours=yours)
        for name, value in changes.items():
            setattr(project, name, value)
        project.full_clean()
        project.save(update_fields=[*changes, "updated_at"])
        membership_set(project=project, user=project.lead, role=Role.LEAD, by=by)
        if project.ops_lead and not project.memberships.filter(user=project.ops_lead).exists():
            membership_set(project=project, user=project.ops_lead, role=Role.OPS, by=by)
    return project


def project_delete(*, project_id: int, by: User) -> None:
    """Delete a transition that has no sign-offs; one that has is cancelled instead.

    Sign-offs are evidence and are never deleted (`SignOff.criterion` is PROTECT).
    The row is locked as in `project_write`, which is not used because its summary
    refresh needs the row that is being deleted.
    """
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(pk=project_id).first()
        if project is None:
            raise ActionRefused("This transition no longer exists.")
        refusal = project_deletion_refusal(project)
        if refusal:
            raise ActionRefused(refusal)
        attribute(project, by)
        project.delete()


def project_deletion_refusal(project: Project) -> str | None:
    """Why `project` cannot be deleted (it has sign-offs), or None."""
    if SignOff.objects.filter(criterion__project=project).exists():
        return (
            f"“{project}” has sign-offs, which are kept as evidence: it cannot be deleted; "
            "cancel it instead."
        )
    return None


def blueprint_apply(*, project: Project, key: str, by: User, today: dt.date) -> None:
    """Seed a template's tasks and criteria, dated relative to go-live (or today).

    Refused when a date would fall outside the range every form accepts (and the
    arithmetic itself would overflow near year 1 or 9999).
    """
    blueprint = BLUEPRINTS[key]
    anchor = project.go_live_date or today + dt.timedelta(days=42)
    refusal = blueprints.dates_refusal(blueprint, anchor)
    if refusal:
        raise ActionRefused(refusal)
    owners = {blueprints.LEAD: project.lead, blueprints.OPS_LEAD: project.ops_lead or project.lead}
    bulk_create_with_history(
        [
            Task(
                project=project,
                title=seed.title,
                description=seed.description,
                area=seed.area,
                owner=owners[seed.owner],
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


# The fields of a task its edit form writes.
TASK_FIELDS = ("title", "description", "area", "owner", "due_date", "status")


def task_save(
    *, task: Task, by: User, now: dt.datetime, seen_version: dt.datetime | None = None
) -> Task:
    """Save a task from a form, keeping completed_at in step with the status.

    `seen_version`: the version the edit form was read at; a save that would undo
    someone else's later change raises `EditConflict`.
    """
    with project_write(task.project_id, by=by):
        if task.pk:
            current = Task.objects.select_for_update().get(pk=task.pk)
            yours = {name: getattr(task, name) for name in TASK_FIELDS}
            refuse_stale_edit(current, seen=seen_version, fields=TASK_FIELDS, yours=yours)
            # Done stays done since the time it was first done.
            task.completed_at = current.completed_at
        if task.status == Task.Status.DONE and task.completed_at is None:
            task.completed_at = now
        elif task.status != Task.Status.DONE:
            task.completed_at = None
        attribute(task, by)
        task.save()
    return task


def task_delete(*, task: Task, by: User) -> None:
    """Delete a task; its history (and the deletion) stays in the audit trail."""
    with project_write(task.project_id, by=by):
        attribute(task, by)
        task.delete()


def criterion_delete(*, criterion: AcceptanceCriterion, by: User) -> None:
    """Delete a criterion that was never signed off.

    A sign-off, active, revoked or voided, is evidence of what operations accepted
    and is never deleted (`SignOff.criterion` is PROTECT), so neither is its criterion.
    """
    with project_write(criterion.project_id, by=by):
        refusal = criterion_deletion_refusal(criterion)
        if refusal:
            raise ActionRefused(refusal)
        attribute(criterion, by)
        criterion.delete()


def criterion_deletion_refusal(criterion: AcceptanceCriterion) -> str | None:
    """Why `criterion` cannot be deleted (it has sign-offs), or None."""
    if SignOff.objects.filter(criterion=criterion).exists():
        return (
            "This criterion has sign-offs, which are kept as evidence: it cannot be "
            "deleted. If it no longer applies, withdraw it with a reason instead: it then "
            "no longer counts, and stays as the record."
        )
    return None


WITHDRAWN_CANNOT_CHANGE = (
    "This criterion is withdrawn: it can no longer be edited or signed off. "
    "Restore it first if it applies again."
)


def criterion_withdraw(
    *, criterion: AcceptanceCriterion, by: User, reason: str, now: dt.datetime
) -> AcceptanceCriterion:
    """Withdraw a criterion that no longer applies, saying why; the way to retire one
    that cannot be deleted because it has sign-offs.

    A withdrawn criterion stays, with its sign-off history, who withdrew it, when and
    why, but no longer counts anywhere (`CriterionQuerySet.current`): not in the
    summary, the acceptance gate, the move to BAU nor anyone's items. A signed
    criterion is refused: operations' acceptance is revoked first, with its own
    reason, so that what was accepted is never retired silently. Checked on the
    locked row, so a sign-off racing the withdrawal cannot both pass.
    """
    if not reason.strip():
        raise ActionRefused("Say why the criterion no longer applies.")
    with project_write(criterion.project_id, by=by):
        locked = AcceptanceCriterion.objects.select_for_update().get(pk=criterion.pk)
        if locked.is_withdrawn:
            raise ActionRefused("This criterion is already withdrawn.")
        if SignOff.objects.active().filter(criterion=locked).exists():
            raise ActionRefused(
                "This criterion is signed off: operations must revoke the sign-off first, "
                "with a reason; then withdraw it."
            )
        locked.withdrawn_at = now
        locked.withdrawn_by = by
        locked.withdraw_reason = reason.strip()
        attribute(locked, by)
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason", "updated_at"])
    return locked


def criterion_restore(*, criterion: AcceptanceCriterion, by: User) -> AcceptanceCriterion:
    """Undo a withdrawal: the criterion counts again and awaits sign-off.

    The withdrawal (who, when, why) stays in the criterion's history.
    """
    with project_write(criterion.project_id, by=by):
        locked = AcceptanceCriterion.objects.select_for_update().get(pk=criterion.pk)
        if not locked.is_withdrawn:
            raise ActionRefused("This criterion is not withdrawn.")
        locked.withdrawn_at = None
        locked.withdrawn_by = None
        locked.withdraw_reason = ""
        attribute(locked, by)
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason", "updated_at"])
    return locked


# The fields of a criterion its edit form writes.
CRITERION_FIELDS = ("statement", "verification", "due_date", "expected_signer", "expected_team")


def criterion_save(
    *,
    criterion: AcceptanceCriterion,
    by: User,
    now: dt.datetime,
    seen_version: dt.datetime | None = None,
) -> bool:
    """Save a criterion; editing a signed statement voids the sign-off; a withdrawn
    criterion is refused.

    Returns True when a sign-off was voided, so the caller can say so. The statement
    changed when `statement_changed` says so (whitespace alone does not count), the
    same definition the sign-off form's digest uses. `seen_version`: the version the
    edit form was read at; a save that would undo someone else's later change
    raises `EditConflict`.
    """
    voided = False
    with project_write(criterion.project_id, by=by):
        if criterion.pk:
            before = AcceptanceCriterion.objects.select_for_update().get(pk=criterion.pk)
            if before.is_withdrawn:
                raise ActionRefused(WITHDRAWN_CANNOT_CHANGE)
            yours = {name: getattr(criterion, name) for name in CRITERION_FIELDS}
            refuse_stale_edit(before, seen=seen_version, fields=CRITERION_FIELDS, yours=yours)
            if statement_changed(before.statement, criterion.statement):
                for signoff in SignOff.objects.active().filter(criterion=criterion):
                    signoff.voided_at = now
                    attribute(signoff, by)
                    signoff.save(update_fields=["voided_at"])
                    voided = True
        # Only criterion_withdraw and criterion_restore write the withdrawal, never a
        # form (nor an instance read while the criterion was withdrawn).
        criterion.withdrawn_at, criterion.withdrawn_by, criterion.withdraw_reason = None, None, ""
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
            if current.is_withdrawn:
                raise ActionRefused(WITHDRAWN_CANNOT_CHANGE)
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
    """Add `user` as a new member; refuse (never silently re-role) an existing member.

    Checked under the project lock, so a member added meanwhile is refused too.
    """
    return membership_set(project=project, user=user, role=role, by=by, only_new=True)


def membership_set(
    *, project: Project, user: User, role: str, by: User, only_new: bool = False
) -> Membership:
    """Add a member or change their role; the named lead stays a lead."""
    if role not in Role.values:
        raise ActionRefused(f"{role!r} is not a role.")
    with project_write(project.pk, by=by) as project:
        membership = (
            Membership.objects.select_for_update().filter(project=project, user=user).first()
        )
        if membership is not None and only_new:
            raise ActionRefused(
                f"{user} is already a member ({membership.get_role_display()}): change their "
                "role in the list instead."
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


def delivery_lead_grant(*, user: User) -> None:
    """Let `user` create transitions: put them in the "Delivery leads" group.

    The group and its permission come from migration 0006; they are made again here
    when they are missing (an administrator deleted the group, a test flushed the
    database), so granting never depends on that.
    """
    codename = access.CREATE_TRANSITION.split(".")[1]
    with transaction.atomic():
        permission, _ = Permission.objects.get_or_create(
            content_type=ContentType.objects.get_for_model(Project),
            codename=codename,
            defaults={"name": "Can create transitions"},
        )
        group, _ = Group.objects.get_or_create(name=access.DELIVERY_LEADS)
        group.permissions.add(permission)
        user.groups.add(group)
