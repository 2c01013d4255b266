"""The tags a list repeats on every row (Python rather than an included template)."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from apps.core.templatetags import transition_tags

TODAY = dt.date(2030, 6, 15)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (None, ""),
        (TODAY, "today"),
        (TODAY + dt.timedelta(days=1), "in 1 day"),
        (TODAY + dt.timedelta(days=12), "in 12 days"),
        (TODAY - dt.timedelta(days=1), "1 day ago"),
        (TODAY - dt.timedelta(days=3), "3 days ago"),
    ],
)
def test_days_to_says_how_far_a_date_is(day, text):
    assert transition_tags.days_to(day, TODAY) == text


@pytest.mark.parametrize(
    ("phase", "css"),
    [
        ("planning", "text-bg-secondary"),
        ("bau", "text-bg-success"),
        ("cancelled", "text-bg-dark"),
        ("anything else", "text-bg-dark"),
    ],
)
def test_the_phase_badge_has_the_phases_colour(phase, css):
    assert transition_tags.phase_badge(phase, "<Label>") == (
        f'<span class="badge {css}">&lt;Label&gt;</span>'
    )


def render(source: str, **context) -> str:
    return Template("{% load transition_tags %}" + source).render(Context(context))


def test_a_sort_link_reverses_the_current_sort_and_keeps_the_filters():
    html = render('{% sort_link "name" "Name" %}', sort="name", query="phase=all&lead=3")
    assert 'href="?phase=all&amp;lead=3&amp;sort=-name"' in html
    assert "bi-caret-down-fill" in html
    html = render('{% sort_link "name" "Name" %}', sort="-name", query="")
    assert 'href="?sort=name"' in html
    assert "bi-caret-up-fill" in html
    html = render('{% sort_link "lead" label %}', sort="name", query="", label="<Lead>")
    assert html.endswith('href="?sort=lead">&lt;Lead&gt;</a>')


def test_query_with_sets_one_parameter_and_drops_the_named_ones():
    request = RequestFactory().get("/", {"tasks": "open", "tasks_page": "3", "criteria": "signed"})
    html = render("{% query_with 'tasks' 'done' 'tasks_page' %}", request=request)
    assert html == "tasks=done&amp;criteria=signed"


@pytest.mark.parametrize(
    ("selected", "html"),
    [
        ("b", '<option value="a">A &amp; co</option><option value="b" selected>B</option>'),
        (None, '<option value="a">A &amp; co</option><option value="b">B</option>'),
        ("", '<option value="a">A &amp; co</option><option value="b">B</option>'),
    ],
)
def test_options_marks_the_selected_value_and_escapes_labels(selected, html):
    template = Template("{% load transition_tags %}{% options choices selected %}")
    context = Context({"choices": [("a", "A & co"), ("b", "B")], "selected": selected})
    assert template.render(context) == html


def test_options_compares_values_as_text():
    """A form's bound value is text; a choice's value may be a number."""
    assert transition_tags.options([(1, "One"), (2, "Two")], "2") == (
        '<option value="1">One</option><option value="2" selected>Two</option>'
    )
