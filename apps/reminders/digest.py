"""Who is told what: hand-off items and plain facts in, one digest per person out.

Pure rules, no database and no clock: `plan(items, facts, today=..., ...)`.

- An item goes to the person its app names, when that person can be told: an active
  account with an email address, and a member of the transition. Anyone else (no
  owner, no email, left the transition) and the item goes to the transition's lead,
  saying whose it was. A lead who cannot be told either: the item is undeliverable
  and reported (the sweep prints it, nothing vanishes silently). A person is never
  sent items of a transition they are not a member of.
- An item overdue for more than `escalate_after` days is also listed in the lead's
  digest, marked escalated and naming its owner (unless the lead is the owner).
- Preferences: "off" sends that person nothing (their items still escalate to the
  lead); "weekly" sends on `weekly_on` (Monday), or any day their digest holds an
  escalation, which does not wait a week. A daily digest lists what is due within
  `due_soon` days; a weekly one looks `WEEKLY_DUE_SOON_DAYS` ahead (the week until
  the next one), so nothing falls due unannounced between two.
- Nothing to say, no digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import groupby

from apps.reminders.handoff import HandoffItem

DAILY, WEEKLY, OFF = "daily", "weekly", "off"
MONDAY = 0
# Through Sunday, for a digest sent on Monday.
WEEKLY_DUE_SOON_DAYS = 6


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str
    active: bool = True

    @property
    def reachable(self) -> bool:
        return self.active and bool(self.email)


@dataclass(frozen=True)
class Facts:
    """What the rules need to know besides the items, read in a few queries."""

    leads: Mapping[int, int]  # open transition id -> its lead's user id
    members: frozenset[tuple[int, int]]  # (transition id, user id) of every membership
    people: Mapping[int, Person]  # every user named by an item or leading a transition
    frequencies: Mapping[int, str] = field(default_factory=dict)  # absent: daily
    # open transition id -> its own escalation threshold in days; absent: the site's
    escalate_after: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Line:
    """One item as listed in one person's digest."""

    item: HandoffItem
    overdue_days: int  # > 0 overdue by that many days; <= 0 due in -n days
    escalated: bool = False
    # Whose item it is when it is not the reader's own (escalated, or sent to the
    # lead because its owner cannot be told), and why.
    owner: str = ""
    note: str = ""
    escalate_after: int = 0  # an escalated line: the threshold it passed, in days

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def due_in_days(self) -> int:
        return -self.overdue_days

    @property
    def when(self) -> str:
        """ "due 3 Mar, 2 days overdue", "due today", "due Fri 6 Mar"."""
        return when(self.item.due_date, self.overdue_days)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@lru_cache(maxsize=512)
def when(due_date: dt.date, overdue_days: int) -> str:
    """The due date as a digest says it; a few dozen distinct values a day, so cached."""
    day = f"{due_date.day} {MONTHS[due_date.month - 1]}"
    if overdue_days > 0:
        return f"due {day}, {overdue_days} day{'s' if overdue_days != 1 else ''} overdue"
    if overdue_days == 0:
        return "due today"
    return f"due {WEEKDAYS[due_date.weekday()]} {day}"


@dataclass(frozen=True)
class Group:
    project_id: int
    project_name: str
    lines: list[Line]


@dataclass
class Digest:
    """One person's digest. `plan` appends its lines; everything else (order, counts,
    subject) is computed once, on first read, after the plan is complete."""

    recipient_id: int
    person: Person
    lines: list[Line] = field(default_factory=list)

    @cached_property
    def ordered(self) -> list[Line]:
        """Overdue first (escalations first among them), then due soon; by transition.

        Read once the plan is complete (the lines no longer change)."""
        return sorted(
            self.lines,
            key=lambda line: (
                not line.overdue,
                line.item.project_name.lower(),
                line.item.project_id,
                not line.escalated,
                line.item.due_date,
                line.item.key,
            ),
        )

    def groups(self, *, overdue: bool) -> list[Group]:
        lines = [line for line in self.ordered if line.overdue == overdue]
        return [
            Group(project_id, name, list(group))
            for (project_id, name), group in groupby(
                lines, key=lambda line: (line.item.project_id, line.item.project_name)
            )
        ]

    @cached_property
    def overdue_count(self) -> int:
        return sum(1 for line in self.lines if line.overdue)

    @cached_property
    def due_soon_count(self) -> int:
        return len(self.lines) - self.overdue_count

    @cached_property
    def escalated_count(self) -> int:
        return sum(1 for line in self.lines if line.escalated)

    @cached_property
    def project_ids(self) -> list[int]:
        return sorted({line.item.project_id for line in self.lines})

    @cached_property
    def item_keys(self) -> list[str]:
        return [line.item.key for line in self.ordered if not line.escalated]

    @cached_property
    def escalated_keys(self) -> list[str]:
        return [line.item.key for line in self.ordered if line.escalated]

    @cached_property
    def subject(self) -> str:
        names = {line.item.project_id: line.item.project_name for line in self.lines}
        where = next(iter(names.values())) if len(names) == 1 else f"{len(names)} transitions"
        counts = []
        if self.overdue_count:
            counts.append(f"{self.overdue_count} overdue")
        if self.due_soon_count:
            counts.append(f"{self.due_soon_count} due soon")
        if self.escalated_count:
            counts.append(f"{self.escalated_count} escalated to you")
        return f"Reminders for {where}: {', '.join(counts)}"


@dataclass
class Plan:
    digests: list[Digest]
    # Items nobody can be told about (the transition's lead cannot be reached either).
    undeliverable: list[HandoffItem]
    # Digests not sent today by the person's preference, and why.
    held: list[tuple[Digest, str]]


def plan(
    items: Iterable[HandoffItem],
    facts: Facts,
    *,
    today: dt.date,
    escalate_after: int,
    due_soon: int,
    weekly_on: int = MONDAY,
) -> Plan:
    digests: dict[int, Digest] = {}
    seen: set[tuple[int, str, bool]] = set()
    undeliverable: list[HandoffItem] = []

    def add(recipient_id: int, line: Line) -> None:
        mark = (recipient_id, line.item.key, line.escalated)
        if mark in seen:  # the same criterion rerouted twice to one lead
            return
        seen.add(mark)
        digest = digests.get(recipient_id)
        if digest is None:
            digest = digests[recipient_id] = Digest(recipient_id, facts.people[recipient_id])
        digest.lines.append(line)

    for item in items:
        lead_id = facts.leads.get(item.project_id)
        if lead_id is None:  # a closed transition: never reminded
            continue
        overdue_days = (today - item.due_date).days
        recipient_id, owner, note = _route(item, lead_id, facts)
        # Due after `due_soon` days: only a weekly digest lists it yet.
        far = -overdue_days > due_soon
        if recipient_id is None:
            if not far:
                undeliverable.append(item)
            continue
        if not far or facts.frequencies.get(recipient_id, DAILY) == WEEKLY:
            add(recipient_id, Line(item, overdue_days, owner=owner, note=note))
        threshold = facts.escalate_after.get(item.project_id, escalate_after)
        escalates = overdue_days > threshold and recipient_id != lead_id
        if escalates and _can_tell(lead_id, item.project_id, facts):
            owner_name = facts.people[recipient_id].name
            line = Line(
                item, overdue_days, escalated=True, owner=owner_name, escalate_after=threshold
            )
            add(lead_id, line)

    sendable: list[Digest] = []
    held: list[tuple[Digest, str]] = []
    for recipient_id, digest in digests.items():
        frequency = facts.frequencies.get(recipient_id, DAILY)
        if frequency == OFF:
            held.append((digest, "reminders are off"))
        elif frequency == WEEKLY and today.weekday() != weekly_on and not digest.escalated_count:
            held.append((digest, "weekly digest, sent on Mondays"))
        else:
            sendable.append(digest)
    sendable.sort(key=lambda d: d.recipient_id)
    return Plan(sendable, undeliverable, held)


def _can_tell(user_id: int | None, project_id: int, facts: Facts) -> bool:
    if user_id is None or (project_id, user_id) not in facts.members:
        return False
    person = facts.people.get(user_id)
    return person is not None and person.reachable


def _route(item: HandoffItem, lead_id: int, facts: Facts) -> tuple[int | None, str, str]:
    """(whom to tell, whose item it is if not theirs, why it was sent to them)."""
    asked = item.recipient_id
    if _can_tell(asked, item.project_id, facts):
        return asked, "", ""
    if asked is None:
        owner, note = "", "nobody is named for it"
    else:
        person = facts.people.get(asked)
        owner = person.name if person else "a former user"
        if (item.project_id, asked) not in facts.members:
            note = f"{owner} is no longer a member of the transition"
        elif person is not None and not person.active:
            note = f"{owner}'s account is deactivated"
        else:
            note = f"{owner} has no email address"
    if _can_tell(lead_id, item.project_id, facts):
        return lead_id, owner, note
    return None, owner, note
