"""Validators shared by every app's models and forms."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

# Every date a person enters (go-live, due dates) falls in this range. Outside it a
# date is a typo, and date arithmetic near the ends of Python's range overflows
# (`date(9999, 12, 31) + timedelta(days=14)`).
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def day(value: dt.date) -> str:
    """`1 January 2000`: the way dates read in messages."""
    return f"{value.day} {value:%B} {value.year}"


DATE_RANGE_MESSAGE = f"Choose a date between {day(EARLIEST_DATE)} and {day(LATEST_DATE)}."


def date_in_range(value: dt.date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


def validate_date_in_range(value: dt.date) -> None:
    """Model and form validator: refuse a date outside `EARLIEST_DATE`..`LATEST_DATE`."""
    if not date_in_range(value):
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")
