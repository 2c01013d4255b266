"""The one type every app's hand-off items are told in (`overdue.items(today)`).

Kept in a module that imports no other app, so that an app's `overdue` module can
build items without importing the reminders machinery (`items.py` imports the
apps' `overdue` modules for its registry).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HandoffItem:
    """Something a person must do for a transition by a date.

    `key` is stable across days ("task:42"), so a digest's history can name what it
    listed. `recipient_id` is whom the app asks (the owner, the expected signer):
    None, or someone who cannot be told (no email, no longer a member), and the
    reminders send it to the transition's lead instead. `url` is the path of the
    page where the item is done, without the site's address.
    """

    key: str
    project_id: int
    project_name: str
    recipient_id: int | None
    title: str
    due_date: dt.date
    url: str
    kind: str
