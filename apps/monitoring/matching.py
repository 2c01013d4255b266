"""Which notifications belong to which alert of the inventory, and which prove it.

Pure rules over plain values, no database:
- `parse_matchers(text)`: label matchers, one per line, in Prometheus's syntax:
  `label=value`, `label!=value`, `label=~regex`, `label!~regex` (regexes anchored at
  both ends, as Prometheus anchors them). A line that is none of these is an error
  naming the line.
- `matches(name, matchers, key, labels)`: a notification belongs to an alert when its
  key is the alert's name exactly and every matcher holds on its labels (a label
  that is absent counts as empty, as in Prometheus).
- `proven_pairs(events)`: the firing/resolved pairs that prove an alert: a firing
  notification and the resolved one of the same episode (same dedup key, that is
  Alertmanager's fingerprint, and same start), the firing one received first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from apps.monitoring.models import State

OPERATORS = ("=~", "!~", "!=", "=")  # longest first: "=~" is not "=" then "~..."
LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_MATCHERS = 20


@dataclass(frozen=True)
class Matcher:
    label: str
    op: str
    value: str

    def holds(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.label, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = re.fullmatch(self.value, actual) is not None
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        return f"{self.label}{self.op}{self.value}"


class MatcherError(ValueError):
    """A matcher line that cannot be read; the message names the line."""


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    """The matchers of `text`, one per line (blank lines ignored), or `MatcherError`."""
    matchers: list[Matcher] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        matchers.append(_parse_line(line, number))
    if len(matchers) > MAX_MATCHERS:
        raise MatcherError(f"At most {MAX_MATCHERS} matchers, not {len(matchers)}.")
    labels = [m.label for m in matchers]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise MatcherError(f"Label {repeated[0]} is matched twice: keep one line for it.")
    return tuple(matchers)


def _parse_line(line: str, number: int) -> Matcher:
    for op in OPERATORS:
        label, found, value = line.partition(op)
        if not found:
            continue
        label, value = label.strip(), value.strip().strip('"')
        if not LABEL.fullmatch(label):
            raise MatcherError(
                f"Line {number} (“{line}”): “{label}” is not a label name "
                "(letters, digits and underscores, not starting with a digit)."
            )
        if op in ("=~", "!~"):
            try:
                re.compile(value)
            except re.error as error:
                raise MatcherError(
                    f"Line {number} (“{line}”): the regular expression is invalid ({error})."
                ) from None
        return Matcher(label, op, value)
    raise MatcherError(
        f"Line {number} (“{line}”) is not a matcher: write label=value, label!=value, "
        "label=~regex or label!~regex."
    )


def normalise_matchers(text: str) -> str:
    """One matcher per line, trimmed and sorted: the same set is always the same text."""
    return "\n".join(sorted(str(m) for m in parse_matchers(text)))


def matches(name: str, matchers: Sequence[Matcher], key: str, labels: Mapping[str, str]) -> bool:
    return key == name and all(m.holds(labels) for m in matchers)


@dataclass(frozen=True)
class EventFact:
    id: int
    dedup_key: str
    episode: str
    state: str
    received_at: dt.datetime


@dataclass(frozen=True)
class Pair:
    firing_id: int
    resolved_id: int
    resolved_at: dt.datetime


def proven_pairs(events: Iterable[EventFact]) -> list[Pair]:
    """Each episode that was seen firing and then resolving, oldest first."""
    firing: dict[tuple[str, str], EventFact] = {}
    resolved: dict[tuple[str, str], EventFact] = {}
    for event in events:
        side = firing if event.state == State.FIRING else resolved
        side.setdefault((event.dedup_key, event.episode), event)
    pairs = [
        Pair(firing[key].id, done.id, done.received_at)
        for key, done in resolved.items()
        if key in firing and firing[key].received_at <= done.received_at
    ]
    return sorted(pairs, key=lambda p: (p.resolved_at, p.resolved_id))
