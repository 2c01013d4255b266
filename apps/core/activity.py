"""The type each app describes its audit history with, for a transition's activity feed.

An app lists its tracked models in its own `activity_sources.py` as `SOURCES`, a
tuple of `ActivitySource`; `apps/projects/activity.py` registers each app's tuple
with one line and reads them all. The type lives here, beside the gate result
types, so an app's sources need not import `apps.projects` (whose registry imports
them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class ActivitySource:
    """One model with django-simple-history records that belong to a transition.

    - `model`: the tracked model; its verbose name is the entry's kind ("task").
    - `history(project_id)`: its history records that belong to the transition, e.g.
      `Task.history.filter(project_id=project_id)`. An object never moves to another
      transition, so all of an object's records pass the same filter. Add
      `select_related` for what `label` reads.
    - `label(record)`: how a history record names its object ("“Write the runbook”").
    """

    model: type[models.Model]
    history: Callable[[int], models.QuerySet[Any]]
    label: Callable[[Any], str]

    @property
    def kind(self) -> str:
        return str(self.model._meta.verbose_name)
