from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import F, Q, QuerySet

from apps.accounts.models import Team, User
from apps.core.concurrency import VersionedFormMixin
from apps.core.forms import CrispyMixin
from apps.projects import blueprints
from apps.projects.blueprints import BlueprintChoice
from apps.projects.models import AcceptanceCriterion, Phase, Project, Role, Task, member_users
from apps.projects.services import EDITABLE_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def people_to_name(user: User, project: Project | None = None) -> QuerySet[User]:
    """Whom `user` may name lead or operations lead of a transition: not the directory.

    Active users only: `user` themselves, the people in `user`'s teams, the members
    of operations teams (where operations leads come from) and, for an existing
    transition, its members. Staff, who see every account in the admin anyway, may
    name any active user. Someone else must first be put in a team (admin) or added
    as a member.
    """
    active = User.objects.filter(is_active=True).order_by("full_name", "email")
    if user.is_staff:
        return active
    known = (
        Q(pk=user.pk)
        | Q(teams__in=Team.objects.filter(members=user))
        | Q(teams__kind=Team.Kind.OPERATIONS)
    )
    if project is not None and project.pk:
        known |= Q(memberships__project=project)
    # A semi-join: the joins above repeat a person once per team or membership.
    return active.filter(pk__in=User.objects.filter(known).values("pk"))


class ProjectForm(VersionedFormMixin, CrispyMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "go_live_date": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
            "services": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        """`user` fills in the form: the leads they may name are `people_to_name`."""
        super().__init__(*args, **kwargs)
        people = people_to_name(user, self.instance)
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = people
        cast(forms.ModelChoiceField, self.fields["ops_lead"]).queryset = people
        members = ", or a member of this transition" if self.instance.pk else ""
        ops_help = f"Someone in an operations team or in one of your teams{members}."
        self.fields["lead"].help_text = f"You, someone in one of your teams{members}."
        self.fields["ops_lead"].help_text = ops_help
        cast(forms.ModelChoiceField, self.fields["ops_team"]).queryset = Team.objects.filter(
            kind=Team.Kind.OPERATIONS
        )
        self.fields["hypercare_days"].help_text = "Two to four weeks is typical."
        for name, empty in self.EMPTY_LABELS.items():
            cast(forms.ModelChoiceField, self.fields[name]).empty_label = empty

    # What an unset choice reads as (Django's default is "---------").
    EMPTY_LABELS = {
        "lead": "Choose the delivery lead",
        "ops_lead": "Not named yet",
        "ops_team": "Not chosen yet",
    }

    def clean_hypercare_days(self) -> int:
        days = self.cleaned_data["hypercare_days"]
        if not 1 <= days <= 365:
            raise forms.ValidationError("Hypercare lasts between 1 and 365 days.")
        return days

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.phase in {Phase.HYPERCARE, Phase.BAU} and not cleaned.get("go_live_date"):
            self.add_error(
                "go_live_date", "A transition in hypercare has gone live: keep its date."
            )
        if cleaned.get("lead") and cleaned.get("lead") == cleaned.get("ops_lead"):
            self.add_error(
                "ops_lead",
                "The operations lead must be someone other than the delivery lead: "
                "the point of a hand-off is that someone else takes over.",
            )
        return cleaned


class ProjectCreateForm(ProjectForm):
    blueprint = forms.ChoiceField(
        label="Start from",
        choices=BlueprintChoice.choices,
        required=False,
        initial=BlueprintChoice.STANDARD_BAU,
        help_text=(
            "The standard template seeds typical tasks (each to the delivery lead or the "
            "operations lead) and the acceptance criteria operations signs off."
        ),
    )
    # The template first: it decides what the rest of the form means.
    field_order = ["blueprint", *EDITABLE_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ops_lead"].help_text += (
            " Only operations members sign off acceptance criteria: without an operations "
            "lead, nobody can until you add one on the members page."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        key, go_live = cleaned.get("blueprint"), cleaned.get("go_live_date")
        if key and go_live:
            refusal = blueprints.dates_refusal(blueprints.BLUEPRINTS[key], go_live)
            if refusal:
                self.add_error("go_live_date", refusal)
        return cleaned


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label="Move to phase", choices=Phase.choices)


class TaskForm(VersionedFormMixin, CrispyMixin, forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "description", "area", "owner", "due_date", "status"]
        widgets = {"due_date": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = member_users(project)
        self.fields["owner"].required = True
        cast(forms.ModelChoiceField, self.fields["owner"]).empty_label = "Choose the owner"
        self.fields["owner"].help_text = "A member of this transition; they get the reminders."
        self.fields["due_date"].required = True


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Task.Status.choices)


class TaskFilterForm(forms.Form):
    """The transition page's task filters (a GET form). Done tasks have a tab of their
    own, so the status filter offers the open statuses; `owner` is one of `members`
    (the transition's memberships). A value not offered is reported and ignored."""

    SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})

    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status")]
        + [(value, label) for value, label in Task.Status.choices if value != Task.Status.DONE],
        widget=SELECT,
    )
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, widget=SELECT)
    area = forms.ChoiceField(
        required=False, choices=[("", "Any area"), *Task.Area.choices], widget=SELECT
    )
    overdue = forms.BooleanField(
        required=False,
        label="Overdue only",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "task-filter-%s")
        super().__init__(*args, **kwargs)
        people = {m.user_id: m.user.display_name for m in members}
        cast(forms.TypedChoiceField, self.fields["owner"]).choices = [
            ("", "Anyone"),
            *sorted(people.items(), key=lambda person: person[1].lower()),
        ]

    def filters(self) -> dict[str, Any]:
        """The valid filters that are set, as field -> value (an invalid one is left out)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if value not in ("", None, False)}


class CriterionForm(VersionedFormMixin, CrispyMixin, forms.ModelForm):
    class Meta:
        model = AcceptanceCriterion
        fields = ["statement", "verification", "due_date", "expected_signer", "expected_team"]
        widgets = {
            "due_date": DATE_INPUT,
            "statement": forms.Textarea(attrs={"rows": 2}),
            "verification": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["expected_signer"]).queryset = member_users(
            project, {Role.OPS}
        )
        cast(forms.ModelChoiceField, self.fields["expected_team"]).queryset = Team.objects.filter(
            kind=Team.Kind.OPERATIONS
        )
        cast(
            forms.ModelChoiceField, self.fields["expected_signer"]
        ).empty_label = "Any operations member"
        cast(forms.ModelChoiceField, self.fields["expected_team"]).empty_label = "Not named"
        if self.instance.pk and self.instance.signoffs.active().exists():
            self.fields[
                "statement"
            ].help_text = "This criterion is signed off. Changing the statement voids the sign-off."


# The sign-off, revoke and withdraw forms are inline in each criterion's row (detail.html);
# these validate what they post.
class SignOffForm(forms.Form):
    comment = forms.CharField(required=False)
    # AcceptanceCriterion.statement_digest of the statement the signer read.
    statement_digest = forms.CharField(max_length=64)
    # Only a lead's form shows it; services.criterion_sign_off decides what it means.
    as_ops = forms.BooleanField(required=False)


class RevokeForm(forms.Form):
    # CharField strips, so a reason of blanks is missing too.
    reason = forms.CharField(error_messages={"required": "Say why the sign-off is revoked."})


class WithdrawForm(forms.Form):
    # CharField strips, so a reason of blanks is missing too.
    reason = forms.CharField(
        error_messages={"required": "Say why the criterion no longer applies."}
    )


class MemberAddForm(CrispyMixin, forms.Form):
    """Add someone by email. Whether the address has an account is not told.

    `cleaned_data["user"]` is the active account with that email, or None; the
    view answers the same in both cases (`member_add_answer`). Only an address that
    is already a member is refused by name: the lead sees the member list anyway.
    """

    email = forms.EmailField(
        help_text="They are added if they have an account; an administrator creates accounts."
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CONTRIBUTOR)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email = cleaned.get("email")
        if not email:
            return cleaned
        existing = self.project.memberships.filter(user__email=email).select_related("user").first()
        if existing is not None:
            self.add_error(
                "email",
                f"{existing.user} is already a member ({existing.get_role_display()}): change "
                "their role in the list instead.",
            )
            return cleaned
        cleaned["user"] = User.objects.filter(email=email, is_active=True).first()
        return cleaned


def member_add_answer(email: str, role: str) -> str:
    """What adding `email` answers, the same whether or not it has an account."""
    return (
        f"If {email} has an account, they are now a member ({Role(role).label}). "
        "If not, nobody was added: ask an administrator to create their account, "
        "then add them again."
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class DashboardFilterForm(forms.Form):
    # Each ends in "pk" so that pages never repeat or skip rows that tie; transitions
    # without a go-live date sort last on every database. Every column sorts both
    # ways: "-key" reverses "key".
    SORTS = {
        "go_live": (F("go_live_date").asc(nulls_last=True), "name", "pk"),
        "-go_live": (F("go_live_date").desc(nulls_last=True), "name", "pk"),
        "name": ("name", "pk"),
        "-name": ("-name", "-pk"),
        "phase": ("phase", "name", "pk"),
        "-phase": ("-phase", "name", "pk"),
        "overdue": ("-summary__tasks_overdue", "name", "pk"),
        "-overdue": ("summary__tasks_overdue", "name", "pk"),
        "tasks": ("summary__tasks_done", "summary__tasks_total", "name", "pk"),
        "-tasks": ("-summary__tasks_done", "-summary__tasks_total", "name", "pk"),
        "criteria": ("summary__criteria_signed", "summary__criteria_total", "name", "pk"),
        "-criteria": ("-summary__criteria_signed", "-summary__criteria_total", "name", "pk"),
        "readiness": ("summary__readiness_score", "name", "pk"),
        "-readiness": ("-summary__readiness_score", "name", "pk"),
        "lead": ("lead__full_name", "name", "pk"),
        "-lead": ("-lead__full_name", "name", "pk"),
    }

    phase = forms.ChoiceField(
        choices=[("", "Active phases"), ("all", "All phases"), *Phase.choices], required=False
    )
    lead = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Any lead",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    mine = forms.BooleanField(required=False, label="Only mine")
    sort = forms.ChoiceField(choices=[(key, key) for key in SORTS], required=False)

    def __init__(self, *args: Any, leads: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = leads
