"""Form helpers every app's forms share."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms

from apps.core.validators import validate_date_in_range


class CrispyMixin:
    """crispy renders the fields; the <form> tag stays in the template.

    Every date field accepts only dates in the range every form shares
    (`apps.core.validators`), checked before `clean()` does arithmetic with them.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        for field in self.fields.values():
            bounded = validate_date_in_range in field.validators
            if isinstance(field, forms.DateField) and not bounded:
                field.validators.append(validate_date_in_range)
            # Never Django's "---------" for an unset choice; forms name their own.
            if isinstance(field, forms.ModelChoiceField) and field.empty_label == "---------":
                field.empty_label = "Choose…" if field.required else "None"
