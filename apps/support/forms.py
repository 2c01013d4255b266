from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from apps.accounts.models import User
from apps.core.concurrency import MISSING_VERSION, VersionedFormMixin, parse_version
from apps.core.forms import CrispyMixin
from apps.projects.models import Project, member_users
from apps.support.models import (
    MAX_RESPONSE_MINUTES,
    Component,
    EscalationLevel,
    Hours,
    Priority,
    SupportTeam,
    Tier,
)
from apps.support.services import DOWN, UP

# The mixin goes before forms.ModelForm in a form's bases; type-check it as one.
if TYPE_CHECKING:
    _ModelFormBase = forms.ModelForm
else:
    _ModelFormBase = object


def _minutes(label: str, *, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RESPONSE_MINUTES)],
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_RESPONSE_MINUTES, "step": 1}),
    )


class UniqueNameMixin(_ModelFormBase):
    """A name not already used by another row of the same model in this transition,
    compared as people read it (case- and accent-insensitive: `str.casefold`), so a
    duplicate is a field error with the user's input kept, not a refused save."""

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        model = type(self.instance)
        others = model._default_manager.filter(project_id=self.instance.project_id).exclude(
            pk=self.instance.pk
        )
        taken = {n.casefold() for n in others.values_list("name", flat=True)}
        if name.casefold() in taken:
            raise forms.ValidationError(
                f"This transition already has a {model._meta.verbose_name} called “{name}”."
            )
        return name


class ComponentForm(UniqueNameMixin, VersionedFormMixin, CrispyMixin, forms.ModelForm):
    class Meta:
        model = Component
        fields = ["name", "kind", "criticality", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "criticality": "A critical component needs 24x7 cover and a P1 response target.",
        }


class TierForm(UniqueNameMixin, VersionedFormMixin, CrispyMixin, forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["name", "description"]


class TeamForm(UniqueNameMixin, VersionedFormMixin, CrispyMixin, forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),  # the transition's members, set per form
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of this transition; a team without members cannot be reached.",
    )

    class Meta:
        model = SupportTeam
        fields = ["name", "email", "phone", "pager", "chat", "in_scope", "out_of_scope"]
        widgets = {
            "in_scope": forms.Textarea(attrs={"rows": 3}),
            "out_of_scope": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "in_scope": "What this team handles, in words an engineer at 3 a.m. understands.",
            "out_of_scope": "What it explicitly does not handle, and who does.",
        }

    # The members shown when the form was read, so a save cannot silently undo someone
    # else's change to them (the version covers the other fields).
    members_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["members"])
        field.queryset = member_users(project)
        if self.instance.pk:
            members = list(self.instance.members.all())
            self.initial.setdefault("members", members)
            self.initial.setdefault("members_seen", _ids(m.pk for m in members))

    def clean_members_seen(self) -> frozenset[int] | None:
        """The member ids read with the form; None for a new team."""
        if not self.instance.pk:
            return None
        try:
            return frozenset(int(i) for i in self.cleaned_data["members_seen"].split(",") if i)
        except ValueError:
            raise forms.ValidationError(MISSING_VERSION) from None

    def show_conflict(self, messages: Any, version: str) -> None:
        super().show_conflict(messages, version)
        data = self.data.copy()  # type: ignore[attr-defined]
        data["members_seen"] = _ids(self.instance.members.values_list("pk", flat=True))
        self.data = data


def _ids(ids: Any) -> str:
    return ",".join(str(i) for i in sorted(ids))


class CellForm(forms.Form):
    """One cell of the matrix; no team clears it. `version` is the cell's version when
    the form was read ("" when it had no owner)."""

    team = forms.ModelChoiceField(
        queryset=SupportTeam.objects.none(), required=False, empty_label="No owner"
    )
    hours = forms.ChoiceField(choices=Hours.choices, initial=Hours.BUSINESS)
    p1_minutes = _minutes("P1 response (minutes)")
    p2_minutes = _minutes("P2 response (minutes)")
    p3_minutes = _minutes("P3 response (minutes)")
    p4_minutes = _minutes("P4 response (minutes)")
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = teams

    def clean_version(self) -> str:
        """ "" (the cell had no owner) or a version token; anything else is refused."""
        version: str = self.cleaned_data["version"]
        if version:
            parse_version(version)  # raises the "reload the page" error
        return version

    def values(self) -> dict[str, Any] | None:
        """The cell's values for `services.cell_set`; None to clear it."""
        data = self.cleaned_data
        if data["team"] is None:
            return None
        return {
            name: data[name]
            for name in ("team", "hours", "p1_minutes", "p2_minutes", "p3_minutes", "p4_minutes")
        }


class LevelForm(VersionedFormMixin, CrispyMixin, forms.ModelForm):
    class Meta:
        model = EscalationLevel
        fields = [
            "path",
            "team",
            "person",
            "phone",
            "pager",
            "email",
            "chat",
            "after_minutes",
            "on_priority",
            "note",
        ]
        labels = {"path": "Escalation path"}
        help_texts = {
            "phone": "Leave the ways to reach blank to use the team's.",
            "on_priority": "For example P1: a P1 incident goes straight to this level.",
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = cast(forms.ModelChoiceField, self.fields["team"])
        team.queryset = SupportTeam.objects.filter(project=project)
        team.empty_label = "No team"
        person = cast(forms.ModelChoiceField, self.fields["person"])
        person.queryset = member_users(project)
        person.empty_label = "No one named"
        priority = cast(forms.ChoiceField, self.fields["on_priority"])
        priority.choices = [("", "Only after the time above"), *Priority.choices]
        self.fields["after_minutes"].validators += [
            MinValueValidator(1),
            MaxValueValidator(MAX_RESPONSE_MINUTES),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("team") and not data.get("person"):
            raise forms.ValidationError("Name the team or the person to call at this level.")
        return data


class TeamRemoveForm(forms.Form):
    successor = forms.ModelChoiceField(
        queryset=SupportTeam.objects.none(),
        required=False,
        empty_label="Choose the team that takes over",
        label="Who takes over",
    )

    def __init__(self, *args: Any, team: SupportTeam, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["successor"]
        ).queryset = SupportTeam.objects.filter(project_id=team.project_id).exclude(pk=team.pk)


class CatchAllForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=SupportTeam.objects.none(), required=False, empty_label="No catch-all owner"
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = SupportTeam.objects.filter(
            project=project
        )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(UP, "Up"), (DOWN, "Down")])


class WhoForm(forms.Form):
    """ "Who do I call?": a component and a priority (P1 when not chosen)."""

    component = forms.ModelChoiceField(
        queryset=Component.objects.none(), empty_label="Choose the component"
    )
    priority = forms.ChoiceField(choices=Priority.choices, required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["component"]).queryset = Component.objects.filter(
            project=project
        )

    def clean_priority(self) -> str:
        return self.cleaned_data["priority"] or Priority.P1
