from django import template

register = template.Library()


@register.filter
def absolute(value: int | None) -> int | None:
    """abs() for templates: "3 days ago" from -3."""
    return None if value is None else abs(value)
