"""Optimistic concurrency for edit forms: no silent overwrite.

An edit form carries, in a hidden `version` field, the row's `updated_at` as it was
when the form was rendered (`VersionedFormMixin`). The service that saves it locks
the row and asks `stale_changes(current, seen=..., fields=..., yours=...)`: when
someone saved the row in between and changed a field the form would write back
differently, the save is refused (`apps.projects.guard.refuse_stale_edit`) and the
form is shown again with the user's input, what the other person changed ("field:
their value vs yours") and the new version, so saving again is a deliberate choice.

The state the form was read at is the row's history record with that `updated_at`
(simple_history copies every field, `updated_at` included), so only fields someone
actually changed are reported; a change the form does not show (a phase move) does
not refuse the edit. A form whose version has no history record is compared with
the row as it stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

VERSION_FIELD = "version"
MISSING_VERSION = (
    "This form does not say which version it edits: reload the page and make your change again."
)


def conflict_status(request: HttpRequest) -> int:
    """A refused stale save re-renders its form: 409 Conflict, or 200 for htmx, which
    swaps only 2xx answers into the page."""
    return 200 if getattr(request, "htmx", False) else 409


def version_of(instance: models.Model) -> str:
    """The version token an edit form of `instance` carries (its `updated_at`)."""
    updated_at: dt.datetime = instance.updated_at  # type: ignore[attr-defined]
    return updated_at.astimezone(dt.UTC).isoformat()


def parse_version(token: str) -> dt.datetime:
    try:
        version = dt.datetime.fromisoformat(token)
    except ValueError:
        raise ValidationError(MISSING_VERSION, code="bad_version") from None
    if version.tzinfo is None:
        raise ValidationError(MISSING_VERSION, code="bad_version")
    return version


@dataclass(frozen=True)
class FieldChange:
    """A field someone else changed since the form was read, and what the form holds."""

    field: str
    label: str
    theirs: str
    yours: str

    @property
    def sentence(self) -> str:
        return f"{self.label}: theirs “{self.theirs}”, yours “{self.yours}”"


def stale_changes(
    current: models.Model,
    *,
    seen: dt.datetime | None,
    fields: Sequence[str],
    yours: Mapping[str, Any],
) -> list[FieldChange]:
    """The fields of `current` (the locked row) that saving `yours` would overwrite.

    Empty when nothing was saved since `seen` (the form's version), or when every
    field someone changed since then already holds the value the form would write.
    `yours` maps each of `fields` to the form's value (model instances for foreign keys).
    """
    if seen is None or current.updated_at == seen:  # type: ignore[attr-defined]
        return []
    history = current.history  # type: ignore[attr-defined]
    read = history.filter(updated_at=seen).order_by("-history_id").first()
    opts = current._meta
    changes = []
    for name in fields:
        field = cast(models.Field, opts.get_field(name))
        now, mine = _raw(current, field), _comparable(field, yours[name])
        changed_by_them = read is None or _raw(read, field) != now
        if changed_by_them and mine != now:
            changes.append(
                FieldChange(
                    field=name,
                    label=str(field.verbose_name).capitalize(),
                    theirs=_display(field, getattr(current, name)),
                    yours=_display(field, yours[name]),
                )
            )
    return changes


def _raw(row: Any, field: models.Field) -> Any:
    return getattr(row, field.attname)


def _comparable(field: models.Field, value: Any) -> Any:
    if field.is_relation and isinstance(value, models.Model):
        return value.pk
    return value


def _display(field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 200 else f"{text[:199]}…"


# The mixin goes before forms.ModelForm in a form's bases; type-check it as one.
if TYPE_CHECKING:
    _ModelFormBase = forms.ModelForm
else:
    _ModelFormBase = object


class VersionedFormMixin(_ModelFormBase):
    """A ModelForm of an existing row carries the version it was read at.

    The hidden field is required: a save that does not say what it read is refused
    (reload and edit again) rather than allowed to overwrite. `seen_version` is what
    the service compares under its lock; `show_conflict` puts a refused save back in
    front of the user with the new version, so a second save is deliberate.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[VERSION_FIELD] = forms.CharField(
                widget=forms.HiddenInput, error_messages={"required": MISSING_VERSION}
            )
            self.initial.setdefault(VERSION_FIELD, version_of(self.instance))

    def clean_version(self) -> dt.datetime:
        return parse_version(self.cleaned_data[VERSION_FIELD])

    @property
    def seen_version(self) -> dt.datetime | None:
        return self.cleaned_data.get(VERSION_FIELD)

    def show_conflict(self, messages: Sequence[str], version: str) -> None:
        for message in messages:
            self.add_error(None, message)
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict, immutable
        data[VERSION_FIELD] = version
        self.data = data
