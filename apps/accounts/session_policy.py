"""How long a signed-in session lasts: a pure rule over two timestamps.

A session ends after `SESSION_IDLE_TIMEOUT_HOURS` without a request, and in any
case `SESSION_MAX_AGE_HOURS` after sign-in. The time of the last request is
written to the session at most once every `TOUCH_EVERY` (5 minutes): writing it on
every request would be a database write per page view. So "idle" is measured
from a stamp up to 5 minutes older than the last request, and a session can end
up to 5 minutes before a full idle period has passed, never later.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

TOUCH_EVERY = 300  # seconds


class Verdict(enum.Enum):
    KEEP = "keep"  # nothing to write
    TOUCH = "touch"  # still valid; record that it was used now
    IDLE = "idle"  # unused for too long: end it
    TOO_OLD = "too_old"  # signed in too long ago: end it


@dataclass(frozen=True)
class Policy:
    idle_seconds: int
    max_age_seconds: int
    touch_every: int = TOUCH_EVERY


def verdict(*, started: float, last_seen: float, now: float, policy: Policy) -> Verdict:
    """What to do with a session signed in at `started` and last stamped at `last_seen`."""
    if now - started >= policy.max_age_seconds:
        return Verdict.TOO_OLD
    if now - last_seen >= policy.idle_seconds:
        return Verdict.IDLE
    if now - last_seen >= policy.touch_every:
        return Verdict.TOUCH
    return Verdict.KEEP
