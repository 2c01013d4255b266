"""`{% load markdown %}` then `{{ text|markdown }}`: Markdown a person typed, rendered
and sanitised by `apps.core.markdown` (raw HTML escaped, an allow-list of tags, no
style or event attributes, links only to http, https, mailto or this site)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from apps.core import markdown as core_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """Not `is_safe`: the input is treated as untrusted text whatever its type; the
    output is safe because the sanitiser made it so."""
    return core_markdown.render(str(text or ""))
