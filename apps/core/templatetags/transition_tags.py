import datetime as dt

from django import template

register = template.Library()


@register.filter
def days_until(day: dt.date | None, today: dt.date) -> int | None:
    """Whole days from `today` to `day`: positive ahead, negative past, None if unset."""
    return None if day is None else (day - today).days


@register.filter
def absolute(value: int | None) -> int | None:
    """abs() for templates: "3 days ago" from -3."""
    return None if value is None else abs(value)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, name: str, value: object) -> str:
    """The current query string with one parameter set: links that keep the filters."""
    query = context["request"].GET.copy()
    query[name] = str(value)
    return str(query.urlencode())
