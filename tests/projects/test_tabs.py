"""The transition's tab bar comes from the TABS registry, each tab by its app's own rule."""

import re

import pytest
from django.urls import reverse

from apps.projects.tabs import TABS

pytestmark = pytest.mark.django_db


def tab_links(html: str) -> list[str]:
    """The labels in the page's tab bar (the user menu has links of its own)."""
    bar = re.search(r'<ul class="nav nav-tabs mb-3">(.*?)</ul>', html, re.DOTALL)
    assert bar is not None
    return [tab.label for tab in TABS if f">{tab.label}</a></li>" in bar.group(1)]


def test_a_lead_sees_every_tab_and_the_current_one_is_marked(client_as, lead, project):
    html = client_as(lead).get(reverse("projects:members", args=[project.pk])).content.decode()
    assert tab_links(html) == [
        "Overview",
        "Support",
        "Runbooks",
        "Monitoring",
        "Members",
        "Activity",
        "Reminders",
    ]
    members = reverse("projects:members", args=[project.pk])
    assert f'class="nav-link active" href="{members}" aria-current="page">Members' in html


@pytest.mark.parametrize("role", ["contributor", "ops", "viewer"])
def test_the_reminder_history_tab_is_the_lead_s(request, client_as, project, role):
    member = request.getfixturevalue(role)
    html = client_as(member).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert tab_links(html) == [
        "Overview",
        "Support",
        "Runbooks",
        "Monitoring",
        "Members",
        "Activity",
    ]
