"""A snapshot of every row a refused request must leave as it was, and form helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.projects.models import AcceptanceCriterion, Membership, Project, SignOff, Task


def snapshot() -> tuple[list[Any], ...]:
    """Every stored value of the projects app's rows (timestamps included)."""
    return (
        list(Project.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values()),
        list(AcceptanceCriterion.objects.order_by("pk").values()),
        list(SignOff.objects.order_by("pk").values()),
    )


def form_data(response: Any, **changes: Any) -> dict[str, Any]:
    """What a browser posts back from the form `response` rendered, with `changes` typed in."""
    form = response.context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = value
    data.update(changes)
    return data
