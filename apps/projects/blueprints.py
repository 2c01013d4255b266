"""Built-in transition templates: the tasks and acceptance criteria a hand-off needs.

Due dates are offsets in days from the go-live date (negative: before go-live).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models

from apps.core import validators
from apps.projects.models import Task

# Who a template task goes to: the delivery lead, or the operations lead (the lead
# when the transition names none yet).
LEAD, OPS_LEAD = "lead", "ops_lead"


@dataclass(frozen=True)
class TaskSeed:
    title: str
    area: str
    days_from_go_live: int
    owner: str = LEAD
    description: str = ""


@dataclass(frozen=True)
class CriterionSeed:
    statement: str
    verification: str
    days_from_go_live: int


@dataclass(frozen=True)
class Blueprint:
    key: str
    name: str
    description: str
    tasks: tuple[TaskSeed, ...]
    criteria: tuple[CriterionSeed, ...]

    def offsets(self) -> list[int]:
        """Every seed's days from go-live."""
        return [seed.days_from_go_live for seed in self.tasks] + [
            seed.days_from_go_live for seed in self.criteria
        ]


def dates_refusal(blueprint: Blueprint, anchor: dt.date) -> str | None:
    """Why `blueprint` cannot be dated from go-live `anchor`, or None when it can.

    Every date it would seed must fall in the range the forms accept
    (`apps.core.validators`); checked before any arithmetic can overflow.
    """
    if not validators.date_in_range(anchor):
        return validators.DATE_RANGE_MESSAGE
    offsets = blueprint.offsets()
    if not offsets:
        return None
    # Within the range, a few weeks either way cannot overflow.
    first = anchor + dt.timedelta(days=min(offsets))
    last = anchor + dt.timedelta(days=max(offsets))
    if validators.date_in_range(first) and validators.date_in_range(last):
        return None
    return (
        f"With this template, a go-live on {validators.day(anchor)} would date its items "
        f"from {validators.day(first)} to {validators.day(last)}; every date must fall "
        f"between {validators.day(validators.EARLIEST_DATE)} and "
        f"{validators.day(validators.LATEST_DATE)}. Choose another go-live date or start "
        "from an empty transition."
    )


A = Task.Area

STANDARD_BAU = Blueprint(
    key="standard-bau",
    name="Standard BAU transition",
    description=(
        "Typical tasks for each area of the hand-off and the acceptance criteria every "
        "hand-off needs: runbook accepted, monitoring verified, support model agreed, "
        "knowledge transfer complete, hypercare exit agreed."
    ),
    tasks=(
        TaskSeed("Name the transition owner and agree the acceptance criteria", A.OTHER, -42),
        TaskSeed("List the critical alerts and the scenarios they map to", A.RUNBOOK, -35),
        TaskSeed(
            "Write runbook scenarios: symptoms, normal baseline, steps, who to call",
            A.RUNBOOK,
            -21,
        ),
        TaskSeed("Ops walkthrough of the runbook", A.RUNBOOK, -10, OPS_LEAD),
        TaskSeed("Configure alerts and dashboards in the ops tooling", A.MONITORING, -28),
        TaskSeed("See every critical alert fire and resolve", A.MONITORING, -10, OPS_LEAD),
        TaskSeed("Agree component ownership for every support tier", A.SUPPORT, -28, OPS_LEAD),
        TaskSeed(
            "Write down the escalation path with reachable contacts", A.SUPPORT, -21, OPS_LEAD
        ),
        TaskSeed("Name the catch-all owner for what falls between the cracks", A.SUPPORT, -21),
        TaskSeed("Write decision records for the key design choices", A.KNOWLEDGE, -28),
        TaskSeed("Hold knowledge-transfer sessions with the operations team", A.KNOWLEDGE, -14),
        TaskSeed("Agree hypercare exit criteria with operations", A.HYPERCARE, -14),
        TaskSeed("Set up the hypercare escalation path", A.HYPERCARE, -7, OPS_LEAD),
    ),
    criteria=(
        CriterionSeed(
            "The runbook is accepted by operations.",
            "An ops team member walked through every scenario and recorded it.",
            -7,
        ),
        CriterionSeed(
            "Monitoring is verified.",
            "Every critical alert was seen firing and resolving, with evidence.",
            -7,
        ),
        CriterionSeed(
            "The support model is agreed.",
            "Every component has an owning team at every tier; escalation contacts answered.",
            -7,
        ),
        CriterionSeed(
            "Knowledge transfer is complete.",
            "All sessions held with attendance recorded; decision records linked.",
            -3,
        ),
        CriterionSeed(
            "The hypercare exit is agreed.",
            "Exit criteria met and the exit signed off by operations.",
            14,
        ),
    ),
)

BLUEPRINTS: dict[str, Blueprint] = {STANDARD_BAU.key: STANDARD_BAU}


class BlueprintChoice(models.TextChoices):
    EMPTY = "", "Empty transition"
    STANDARD_BAU = STANDARD_BAU.key, STANDARD_BAU.name
