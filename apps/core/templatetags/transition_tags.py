"""Template tags for pieces every page repeats.

The pieces a list repeats on every row (the phase badge, "in 3 days") are Python
tags rather than `{% include %}`d templates: an include costs a template lookup
and a new context per row, which on a 50-row page is a large part of the page's time.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from apps.core import text

register = template.Library()

PHASE_BADGE_CLASSES = {
    "planning": "text-bg-secondary",
    "readiness": "text-bg-info",
    "hypercare": "text-bg-warning",
    "bau": "text-bg-success",
}


@register.simple_tag
def phase_badge(phase: str, label: str) -> SafeString:
    """A transition's phase as a coloured badge (cancelled and unknown phases are dark)."""
    css = PHASE_BADGE_CLASSES.get(phase, "text-bg-dark")
    return format_html('<span class="badge {}">{}</span>', css, label)


@register.filter
def gate_findings(gates: list[dict[str, Any]] | None) -> str:
    """Every finding of a summary's stored gate results, as one line (a tooltip)."""
    return " ".join(f["sentence"] for gate in gates or () for f in gate.get("findings", ()))


@register.simple_tag
def days_to(day: dt.date | None, today: dt.date) -> str:
    """ "in 3 days", "today", "2 days ago"; empty when there is no date."""
    if day is None:
        return ""
    days = (day - today).days
    if days == 0:
        return "today"
    unit = "day" if abs(days) == 1 else "days"
    return f"in {days} {unit}" if days > 0 else f"{-days} {unit} ago"


@register.simple_tag(takes_context=True)
def sort_link(context: template.Context, key: str, label: str) -> SafeString:
    """A column heading that sorts by `key`, and by `-key` when already sorted by it.

    Reads `sort` (the current sort key) and `query` (the other parameters, encoded).
    """
    sort, query = context.get("sort", ""), context.get("query", "")
    target = f"-{key}" if sort == key else key
    href = f"?{query}&sort={target}" if query else f"?sort={target}"
    caret = ""
    if sort == key:
        caret = mark_safe(' <i class="bi bi-caret-down-fill small"></i>')
    elif sort == f"-{key}":
        caret = mark_safe(' <i class="bi bi-caret-up-fill small"></i>')
    return format_html(
        '<a class="link-body-emphasis text-decoration-none" href="{}">{}{}</a>', href, label, caret
    )


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, name: str, value: object, *drop: str) -> str:
    """The current query string with one parameter set: links that keep the filters.

    Parameters named in `drop` are removed (switching a list's view starts it at page 1).
    """
    query = context["request"].GET.copy()
    for other in drop:
        query.pop(other, None)
    query[name] = str(value)
    return str(query.urlencode())


@register.simple_tag
def progress(done: int, total: int, what: str) -> SafeString:
    """ "12/20" with a thin bar beside it, read out as "Tasks done: 12 of 20".

    A <progress> element rather than Bootstrap's .progress: that one sets its width in
    a style attribute, which the Content-Security-Policy refuses. No bar for 0 of 0.
    """
    if not total:
        return format_html('<span class="text-body-secondary">{}/{}</span>', done, total)
    return format_html(
        '<span class="progress-cell"><span>{}/{}</span>'
        '<progress class="progress-thin" value="{}" max="{}" aria-label="{}: {} of {}"></progress>'
        "</span>",
        done,
        total,
        done,
        total,
        what,
        done,
        total,
    )


@register.simple_tag
def time_ago(when: dt.datetime, now: dt.datetime) -> SafeString:
    """A moment as "2 hours ago" in a <time> element, the exact local time (the site's
    TIME_ZONE) on hover; older than a month, its date."""
    local = timezone.localtime(when)
    exact = f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', when.isoformat(), exact, ago(when, now)
    )


def ago(when: dt.datetime, now: dt.datetime) -> str:
    """ "just now", "5 minutes ago", "2 hours ago", "yesterday", "3 days ago", "3 May 2025"."""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"  # also a moment a little ahead of this server's clock
    if seconds < 3600:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'' if minutes == 1 else 's'} ago"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"{hours} hour{'' if hours == 1 else 's'} ago"
    days = (timezone.localdate(now) - timezone.localdate(when)).days
    if days <= 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    local = timezone.localtime(when)
    return f"{local.day} {local:%b %Y}"


@register.simple_tag
def options(choices: Iterable[tuple[Any, Any]], selected: object) -> SafeString:
    """The <option>s of `choices` ((value, label) pairs), the one equal to `selected`
    marked selected: what every hand-written <select> repeats, in one tag rather than
    a template loop per row (a list of 25 status selects renders 100 options)."""
    chosen = "" if selected is None else str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == chosen else "", label)
            for value, label in choices
        ),
    )


@register.filter
def minutes(value: int | None) -> str:
    """A duration in minutes as people say it (`apps.core.text.minutes`)."""
    return text.minutes(None if value == "" else value)
