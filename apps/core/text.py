"""Small pieces of English every app writes its sentences with."""

from __future__ import annotations

from collections.abc import Sequence


def plural(n: int, one: str, many: str) -> str:
    """ "1 cell of the matrix", "3 cells of the matrix"."""
    return f"{n} {one if n == 1 else many}"


def and_join(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C" ("" for none)."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def minutes(value: int | None) -> str:
    """A duration in minutes as people say it: "15 min", "4 h", "1 h 30 min", "2 d"
    ("" for none)."""
    if value is None:
        return ""
    days, rest = divmod(int(value), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (mins, "min")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n) or "0 min"
