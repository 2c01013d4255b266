from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.core.validators import validate_date_in_range

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.accounts.models import User


class Phase(models.TextChoices):
    PLANNING = "planning", "Planning"
    READINESS = "readiness", "Readiness"
    HYPERCARE = "hypercare", "Hypercare"
    BAU = "bau", "BAU"
    CANCELLED = "cancelled", "Cancelled"


# A closed transition is read only.
CLOSED_PHASES = frozenset({Phase.BAU, Phase.CANCELLED})


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    CONTRIBUTOR = "contributor", "Contributor"
    OPS = "ops", "Operations"
    VIEWER = "viewer", "Viewer"


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: User | AnonymousUser) -> ProjectQuerySet:
        """Projects the user may see: all for staff, else those they are a member of."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(memberships__user=user)

    def open(self) -> ProjectQuerySet:
        return self.exclude(phase__in=CLOSED_PHASES)

    def with_progress(self, today: dt.date) -> ProjectQuerySet:
        """Annotate the dashboard counts, one subquery each so rows never multiply."""
        return self.annotate(
            tasks_total=_count(Task.objects.all()),
            tasks_done=_count(Task.objects.filter(status=Task.Status.DONE)),
            tasks_overdue=_count(Task.objects.overdue(today)),
            criteria_total=_count(AcceptanceCriterion.objects.current()),
            criteria_signed=_count(AcceptanceCriterion.objects.current().signed()),
        )


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of `queryset` rows belonging to the outer project (0 if none)."""
    subquery = models.Subquery(
        queryset.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=models.IntegerField(),
    )
    return Coalesce(subquery, 0)


class Project(TimeStampedModel):
    """A transition: the hand-off of one delivered project into operations."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    services = models.TextField(
        blank=True, help_text="The service(s) being handed over, one per line."
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_projects",
        help_text="Delivery lead or project manager who owns the transition.",
    )
    ops_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ops_led_projects",
        verbose_name="operations lead",
    )
    ops_team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="receiving_projects",
        verbose_name="receiving operations team",
    )
    go_live_date = models.DateField(
        "go-live date", null=True, blank=True, validators=[validate_date_in_range]
    )
    hypercare_days = models.PositiveSmallIntegerField("planned hypercare length (days)", default=14)
    escalate_after_days = models.PositiveSmallIntegerField(
        "escalate overdue items after (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=(
            "An item overdue for longer is also listed in the lead's reminder digest. "
            "Blank: the site's default (REMINDERS_ESCALATE_AFTER_DAYS)."
        ),
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.PLANNING)

    history = HistoricalRecords()
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["go_live_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hypercare_days__gte=1) & Q(hypercare_days__lte=365),
                name="project_hypercare_days_between_1_and_365",
            ),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="project_phase_valid"),
        ]
        # The portfolio's default order (PostgreSQL reads 25 rows in index order
        # instead of sorting every visible transition).
        indexes = [
            models.Index(fields=["go_live_date", "name", "id"], name="project_go_live_order")
        ]
        # Who may start a transition: granted through the "Delivery leads" group
        # (migration 0006), or to one user in the admin; staff may anyway
        # (`access.can_create_transition`).
        permissions = [("create_transition", "Can create transitions")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.phase in CLOSED_PHASES

    def service_list(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]


class Membership(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.project}"


class TaskQuerySet(models.QuerySet["Task"]):
    def open(self) -> TaskQuerySet:
        return self.exclude(status=Task.Status.DONE)

    def overdue(self, today: dt.date) -> TaskQuerySet:
        return self.open().filter(due_date__lt=today)


class TaskStatus(models.TextChoices):
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"


class TaskArea(models.TextChoices):
    RUNBOOK = "runbook", "Runbook"
    MONITORING = "monitoring", "Monitoring"
    SUPPORT = "support", "Support model"
    KNOWLEDGE = "knowledge", "Knowledge transfer"
    HYPERCARE = "hypercare", "Hypercare"
    OTHER = "other", "Other"


class Task(TimeStampedModel):
    # Module-level so that Meta's check constraints can name them; used as Task.Status.
    Status = TaskStatus
    Area = TaskArea

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="tasks",
        help_text="Who gets reminded while the task is open.",
    )
    due_date = models.DateField(validators=[validate_date_in_range])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TODO)
    area = models.CharField(max_length=20, choices=Area.choices, default=Area.OTHER)
    completed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            # completed_at is set exactly when the task is done.
            models.CheckConstraint(
                condition=(Q(status="done") & Q(completed_at__isnull=False))
                | (~Q(status="done") & Q(completed_at__isnull=True)),
                name="task_completed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="task_status_valid"
            ),
            models.CheckConstraint(condition=Q(area__in=TaskArea.values), name="task_area_valid"),
        ]
        indexes = [models.Index(fields=["project", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.status != self.Status.DONE and self.due_date < today


class CriterionQuerySet(models.QuerySet["AcceptanceCriterion"]):
    def current(self) -> CriterionQuerySet:
        """Criteria that still apply: not withdrawn. The one definition every count,
        gate, phase rule and list of items to sign uses."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self) -> CriterionQuerySet:
        return self.filter(withdrawn_at__isnull=False)

    def signed(self) -> CriterionQuerySet:
        return self.filter(Exists(SignOff.objects.active().filter(criterion=OuterRef("pk"))))

    def unsigned(self) -> CriterionQuerySet:
        return self.exclude(Exists(SignOff.objects.active().filter(criterion=OuterRef("pk"))))


class AcceptanceCriterion(TimeStampedModel):
    """A statement the operations team must sign off before the transition closes.

    A criterion that no longer applies is withdrawn (`services.criterion_withdraw`),
    never deleted once signed: it stays, with who withdrew it, when and why, and no
    longer counts anywhere (`CriterionQuerySet.current`).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="criteria")
    statement = models.TextField()
    verification = models.TextField(
        "how it will be verified", blank=True, help_text="The evidence operations will look at."
    )
    due_date = models.DateField(validators=[validate_date_in_range])
    expected_signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="criteria_to_sign",
        help_text=(
            "The operations member asked to sign (it shows in their My items); "
            "any operations member may sign."
        ),
    )
    expected_team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="criteria_to_sign",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawn_criteria",
    )
    withdraw_reason = models.TextField("why it was withdrawn", blank=True)

    history = HistoricalRecords()
    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name_plural = "acceptance criteria"
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdraw_reason=""),
                name="criterion_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.statement[:80]

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def statement_digest(self) -> str:
        """A short fingerprint of the statement, to tell whether it changed since read.

        Taken over `normalised_statement`, so it changes exactly when an edit voids
        the sign-off (`statement_changed`).
        """
        return hashlib.sha256(normalised_statement(self.statement).encode()).hexdigest()[:16]

    @cached_property
    def active_signoff(self) -> SignOff | None:
        """The sign-off in force, if any; free of queries when `signoffs` is prefetched."""
        return next((s for s in self.signoffs.all() if s.is_active), None)

    @cached_property
    def last_ended_signoff(self) -> SignOff | None:
        """The latest revoked or voided sign-off, to say why a criterion is unsigned."""
        return next((s for s in self.signoffs.all() if not s.is_active), None)


def normalised_statement(statement: str) -> str:
    """The words of a statement, whitespace runs (line breaks included) as one space.

    The one definition of what operations signs: an edit that changes only
    whitespace neither voids a sign-off nor refuses a sign-off form opened before it.
    """
    return " ".join(statement.split())


def statement_changed(before: str, after: str) -> bool:
    return normalised_statement(before) != normalised_statement(after)


class SignOffQuerySet(models.QuerySet["SignOff"]):
    def active(self) -> SignOffQuerySet:
        return self.filter(revoked_at__isnull=True, voided_at__isnull=True)


class SignOff(models.Model):
    """Operations' acceptance of one criterion, with a snapshot of what was signed.

    At most one active (neither revoked nor voided) sign-off per criterion; the
    database enforces it, so a double click or a second tab cannot sign twice.
    Revoked and voided sign-offs stay as history, and no cascade deletes one: a
    criterion (or a transition) that has sign-offs cannot be deleted (PROTECT).
    """

    criterion = models.ForeignKey(
        AcceptanceCriterion, on_delete=models.PROTECT, related_name="signoffs"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoffs"
    )
    signed_at = models.DateTimeField()
    signed_as_ops = models.BooleanField(
        default=False, help_text="A lead signed explicitly on behalf of operations."
    )
    comment = models.TextField(blank=True)
    statement_snapshot = models.TextField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revoked_signoffs",
    )
    revoke_reason = models.TextField(blank=True)
    voided_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the criterion's statement was edited."
    )

    history = HistoricalRecords()
    objects = SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion"],
                condition=Q(revoked_at__isnull=True, voided_at__isnull=True),
                name="one_active_signoff_per_criterion",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="signoff_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} signed by {self.signed_by}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.voided_at is None


class ProjectSummary(models.Model):
    """Derived counts and gate results of one transition, for the portfolio.

    Recomputed by `apps.projects.summary.refresh` inside `guard.project_write`,
    under the project lock, so it is exact after every write; what changes with the
    date alone (overdue tasks, gate findings that fall due) is recomputed by the
    daily beat job `projects.refresh_summaries`, which also catches anything written
    around the guard (the admin, a shell). `computed_on` says for which day.
    """

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    computed_on = models.DateField()
    tasks_total = models.PositiveIntegerField(default=0)
    tasks_done = models.PositiveIntegerField(default=0)
    tasks_overdue = models.PositiveIntegerField(default=0)
    tasks_blocked = models.PositiveIntegerField(default=0)
    criteria_total = models.PositiveIntegerField(default=0)
    criteria_signed = models.PositiveIntegerField(default=0)
    criteria_withdrawn = models.PositiveIntegerField(
        default=0, help_text="Withdrawn criteria, counted in neither total nor signed."
    )
    ready = models.BooleanField(default=False, help_text="Every go-live gate passes.")
    readiness_score = models.PositiveSmallIntegerField(default=0)
    gates = models.JSONField(default=list, help_text="Each gate's result, as GateResult dicts.")

    class Meta:
        indexes = [
            models.Index(fields=["tasks_overdue"]),
            models.Index(fields=["readiness_score"]),
        ]

    def __str__(self) -> str:
        return f"Summary of {self.project_id} on {self.computed_on}"

    @property
    def tasks_percent(self) -> int:
        return 100 if self.tasks_total == 0 else 100 * self.tasks_done // self.tasks_total

    @property
    def criteria_percent(self) -> int:
        return (
            100 if self.criteria_total == 0 else 100 * self.criteria_signed // self.criteria_total
        )


def member_users(project: Project, roles: set[str] | None = None) -> QuerySet[User]:
    """The active users who are members of `project` (in one of `roles`, when given)."""
    from apps.accounts.models import User  # late: accounts' models load first

    # One filter() call: the project and the role must hold for the same membership.
    memberships = Q(memberships__project=project)
    if roles:
        memberships &= Q(memberships__role__in=roles)
    return (
        User.objects.filter(memberships, is_active=True).distinct().order_by("full_name", "email")
    )
