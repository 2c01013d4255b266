"""Pages of a list whose total is already known, without a COUNT query.

Django's `Paginator` counts the rows of every list it pages: one query per list per
view. Where a stored summary already holds the total (a transition's summary row),
`KnownTotalPage` reads one row more than the page instead, so whether a next page
exists is always exact, and takes the number of pages from the known total. If that
total is off (a row changed around the services, until the summary is recomputed),
only the "of N" label is; paging through the list still reaches every row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


class KnownTotalPage(Generic[M]):
    """One page of `queryset`; the same attributes `components/page_links.html` reads
    from a Django `Page` (number, has_next, paginator.num_pages, ...)."""

    def __init__(self, queryset: QuerySet[M], *, number: Any, per_page: int, total: int) -> None:
        self.per_page = per_page
        self.number = _page_number(number)
        rows = self._read(queryset)
        if not rows and self.number > 1:
            # Past the end (an old link): show the last page, as Paginator.get_page does.
            self.number = max(1, -(-total // per_page))
            rows = self._read(queryset)
        self.has_next = len(rows) > per_page
        self.object_list: list[M] = rows[:per_page]
        if self.has_next:
            self.num_pages = max(-(-total // per_page), self.number + 1)
        else:
            self.num_pages = self.number

    def _read(self, queryset: QuerySet[M]) -> list[M]:
        start = (self.number - 1) * self.per_page
        return list(queryset[start : start + self.per_page + 1])

    @property
    def paginator(self) -> KnownTotalPage[M]:
        return self  # page_links.html reads page.paginator.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def __iter__(self) -> Iterator[M]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _page_number(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)
