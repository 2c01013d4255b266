"""KnownTotalPage: pages without a COUNT, exact even when the known total is not."""

import pytest

from apps.accounts.models import Team
from apps.core.paging import KnownTotalPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams():
    Team.objects.bulk_create(Team(name=f"Team {n:02d}") for n in range(7))
    return Team.objects.order_by("name")


def names(page):
    return [team.name for team in page]


def test_pages_read_one_row_more_and_count_nothing(teams, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = KnownTotalPage(teams, number="2", per_page=3, total=7)
    assert names(page) == ["Team 03", "Team 04", "Team 05"]
    assert (page.number, page.has_previous, page.has_next) == (2, True, True)
    assert (page.previous_page_number(), page.next_page_number()) == (1, 3)
    assert page.paginator.num_pages == 3
    assert len(page) == 3


def test_the_last_page_knows_it_is_the_last(teams):
    page = KnownTotalPage(teams, number=3, per_page=3, total=7)
    assert names(page) == ["Team 06"]
    assert not page.has_next
    assert page.paginator.num_pages == 3


def test_a_total_that_is_too_low_still_reaches_every_row(teams):
    seen, number = [], 1
    while True:
        page = KnownTotalPage(teams, number=number, per_page=3, total=2)
        seen += names(page)
        assert page.paginator.num_pages >= page.number
        if not page.has_next:
            break
        number = page.next_page_number()
    assert seen == [f"Team {n:02d}" for n in range(7)]


def test_a_total_that_is_too_high_ends_where_the_rows_end(teams):
    page = KnownTotalPage(teams, number=3, per_page=3, total=30)
    assert not page.has_next
    assert page.paginator.num_pages == 3


@pytest.mark.parametrize("number", [None, "", "x", "0", "-4"])
def test_a_missing_or_bad_number_is_the_first_page(teams, number):
    assert KnownTotalPage(teams, number=number, per_page=3, total=7).number == 1


def test_a_page_past_the_end_shows_the_last_page(teams):
    page = KnownTotalPage(teams, number=99, per_page=3, total=7)
    assert page.number == 3
    assert names(page) == ["Team 06"]


def test_an_empty_list_is_one_empty_page(teams):
    page = KnownTotalPage(teams.none(), number=1, per_page=3, total=0)
    assert (names(page), page.has_next, page.paginator.num_pages) == ([], False, 1)
