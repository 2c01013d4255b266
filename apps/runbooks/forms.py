"""The runbooks' forms: the runbook and scenario editors, a walkthrough, a move, a search.

Choices come from the transition itself (its components, its members), so a form
cannot name another transition's rows; the services check again under the lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from crispy_forms.layout import Column, Div, Field, Layout, Row
from django import forms

from apps.accounts.models import User
from apps.core.concurrency import VersionedFormMixin
from apps.core.forms import CrispyMixin
from apps.projects.models import Project, member_users
from apps.runbooks.models import Outcome, Runbook, Scenario, WalkthroughKind
from apps.runbooks.services import DOWN, SCENARIO_FIELDS, UP
from apps.support.models import Component

# A walkthrough's follow-ups become tasks: a pasted essay is not a list of tasks.
MAX_FOLLOW_UPS = 20
TASK_TITLE_LENGTH = 200
SEARCH_LENGTH = 100


def _components(field: forms.Field, project: Project, empty: str) -> None:
    choice = cast(forms.ModelChoiceField, field)
    choice.queryset = Component.objects.filter(project=project)
    choice.empty_label = empty


def _markdown(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class RunbookForm(VersionedFormMixin, CrispyMixin, forms.ModelForm):
    class Meta:
        model = Runbook
        fields = ["title", "component", "owner", "review_by", "status", "summary"]
        widgets = {
            "review_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": _markdown(3),
        }
        help_texts = {
            "status": "A draft does not count for the go-live gate until it is published.",
            "summary": "Markdown. What the service is and what this runbook covers.",
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _components(self.fields["component"], project, "The whole service")
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = member_users(project)
        owner.empty_label = "Choose the owner"


class ScenarioForm(VersionedFormMixin, CrispyMixin, forms.ModelForm):
    class Meta:
        model = Scenario
        fields = list(SCENARIO_FIELDS)
        widgets = {
            "symptoms": _markdown(3),
            "normal": _markdown(3),
            "problem": _markdown(3),
            "first_checks": _markdown(),
            "diagnosis": _markdown(),
            "resolution": _markdown(),
            "rollback": _markdown(3),
            "alert_names": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _components(self.fields["component"], project, "No component")
        self.fields[
            "component"
        ].help_text = "Its owners and escalation path in the support model answer “who do I call”."
        for name in ("first_checks", "diagnosis", "resolution", "rollback"):
            self.fields[name].help_text = "Markdown: numbered steps, commands in `backticks`."
        # What normal and a problem look like sit side by side (stacked on a phone),
        # because the engineer compares them.
        self.helper.layout = Layout(
            "title",
            "component",
            "symptoms",
            Row(
                Column(Field("normal"), css_class="col-12 col-md-6"),
                Column(Field("problem"), css_class="col-12 col-md-6"),
            ),
            "first_checks",
            "diagnosis",
            "resolution",
            "rollback",
            "alert_names",
            *(["version"] if "version" in self.fields else []),
        )


class WalkthroughForm(CrispyMixin, forms.Form):
    """A rehearsal as operations records it; each line of `follow_ups` becomes a task."""

    held_on = forms.DateField(
        label="Held on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(choices=WalkthroughKind.choices, initial=WalkthroughKind.TABLETOP)
    participants = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),  # the transition's members, set per form
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Name who took part."},
    )
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect)
    gaps_found = forms.CharField(
        label="Gaps found",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the runbook did not say, or said wrong.",
    )
    follow_ups = forms.CharField(
        label="Follow-up tasks",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One task per line; each is added to the transition's tasks, owned by the "
        "runbook's owner.",
    )

    def __init__(self, *args: Any, project: Project, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["held_on"].initial = today
        participants = cast(forms.ModelMultipleChoiceField, self.fields["participants"])
        participants.queryset = member_users(project)
        self.helper.layout = Layout(
            Row(
                Column("held_on", css_class="col-12 col-sm-6"),
                Column("kind", css_class="col-12 col-sm-6"),
            ),
            Div("participants"),
            "outcome",
            "gaps_found",
            "follow_ups",
        )

    def clean_held_on(self) -> dt.date:
        held_on: dt.date = self.cleaned_data["held_on"]
        if held_on > self.today:
            raise forms.ValidationError(
                "A walkthrough is recorded after it was held: this date is ahead."
            )
        return held_on

    def clean_follow_ups(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["follow_ups"].splitlines()]
        tasks = [line for line in lines if line]
        if len(tasks) > MAX_FOLLOW_UPS:
            raise forms.ValidationError(
                f"At most {MAX_FOLLOW_UPS} follow-up tasks, one per line (this has {len(tasks)})."
            )
        long = [n for n, task in enumerate(tasks, start=1) if len(task) > TASK_TITLE_LENGTH]
        if long:
            raise forms.ValidationError(
                f"A task is one line of at most {TASK_TITLE_LENGTH} characters: "
                f"line {long[0]} is longer. Put the detail in the gaps found."
            )
        return tasks


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(UP, "Up"), (DOWN, "Down")])


class SearchForm(forms.Form):
    """ "Find a scenario by symptom, alert name or component"."""

    q = forms.CharField(
        label="Find a scenario by symptom, alert name or component",
        required=False,
        max_length=SEARCH_LENGTH,
        strip=True,
    )
