"""`{% transition_tabs project access tab %}`: the tab bar of a transition's pages."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from apps.projects.access import ProjectAccess
from apps.projects.models import Project
from apps.projects.tabs import TABS

register = template.Library()


@register.simple_tag
def transition_tabs(project: Project, access: ProjectAccess, current: str) -> SafeString:
    """Each tab `access` may see, the current one marked for sight and for screen readers."""
    items = format_html_join(
        "",
        '<li class="nav-item"><a class="nav-link{}" href="{}"{}>{}</a></li>',
        (
            (
                " active" if tab.key == current else "",
                reverse(tab.url_name, args=[project.pk]),
                mark_safe(' aria-current="page"') if tab.key == current else "",
                tab.label,
            )
            for tab in TABS
            if tab.visible(access)
        ),
    )
    return format_html('<ul class="nav nav-tabs mb-3">{}</ul>', items)
