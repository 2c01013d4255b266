"""The monitoring forms: an alert, a dashboard, an integration, a confirmation, a
manual verification.

Choices come from the transition itself (its components, its members), so a form
cannot name another transition's rows; the services check again under the lock.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from apps.core.concurrency import VersionedFormMixin
from apps.core.forms import CrispyMixin
from apps.monitoring import matching
from apps.monitoring.models import Alert, Dashboard, Integration, Source
from apps.projects.models import Project, member_users
from apps.support.models import Component


class AlertForm(VersionedFormMixin, CrispyMixin, forms.ModelForm):
    class Meta:
        model = Alert
        fields = [
            "name",
            "matchers",
            "severity",
            "component",
            "source",
            "description",
            "is_heartbeat",
        ]
        widgets = {
            "matchers": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        component = cast(forms.ModelChoiceField, self.fields["component"])
        component.queryset = Component.objects.filter(project=project)
        component.empty_label = "No component"
        source = cast(forms.ChoiceField, self.fields["source"])
        source.choices = [("", "None: verified by hand"), *Source.choices]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_matchers(self) -> str:
        try:
            return matching.normalise_matchers(self.cleaned_data["matchers"])
        except matching.MatcherError as error:
            raise forms.ValidationError(str(error)) from None


class DashboardForm(VersionedFormMixin, CrispyMixin, forms.ModelForm):
    url = forms.URLField(
        label="Address",
        max_length=500,
        assume_scheme="https",
        help_text="Changing it later means confirming the dashboard live again.",
    )

    class Meta:
        model = Dashboard
        fields = ["title", "url", "owner", "shows"]
        widgets = {"shows": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = member_users(project)
        owner.empty_label = "Choose the owner"
        self.fields[
            "url"
        ].help_text = "Changing it later means confirming the dashboard live again."


class IntegrationForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Integration
        fields = ["name", "source", "signing_secret"]
        widgets = {"signing_secret": forms.PasswordInput(render_value=False)}

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_signing_secret(self) -> str:
        # The field never shows the secret: left empty on an edit, the one set stays.
        return self.cleaned_data["signing_secret"].strip() or self.instance.signing_secret

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("signing_secret") and data.get("source") != Source.PAGERDUTY:
            self.add_error("signing_secret", "Only PagerDuty signs its deliveries: leave it empty.")
        return data


class ConfirmForm(CrispyMixin, forms.Form):
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you saw: the panels showed live data, the time range, anything off.",
    )
    screenshot_url = forms.URLField(
        label="Link to a screenshot", required=False, max_length=500, assume_scheme="https"
    )


class VerifyForm(CrispyMixin, forms.Form):
    evidence = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How you saw it fire and resolve: where it showed, when, who was told.",
    )
    evidence_url = forms.URLField(
        label="Link to the evidence", required=False, max_length=500, assume_scheme="https"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("evidence") or "").strip() and not data.get("evidence_url"):
            raise forms.ValidationError(
                "Say what you saw (the alert firing and then resolving) or link to it."
            )
        return data
