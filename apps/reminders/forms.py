from django import forms

from apps.reminders.models import Frequency


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Email me a digest of my overdue and due-soon items",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
    )
