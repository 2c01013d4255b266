"""A transition's members: add, change role, remove."""

import pytest
from django.urls import reverse

from apps.projects.models import (
    Membership,
    Phase,
    Project,
    Role,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_adding_an_unknown_email_adds_nobody_and_says_so_without_saying_why(
    client_as, lead, project
):
    response = client_as(lead).post(
        reverse("projects:members", args=[project.pk]),
        {"email": "nobody@example.com", "role": "ops"},
        follow=True,
    )
    assert (
        "If nobody@example.com has an account, they are now a member (Operations)."
        in response.content.decode()
    )
    assert Membership.objects.filter(project=project).count() == 1
    # Whether the address has an account, and the neutral answer:
    # tests/projects/test_directory_exposure.py.


def test_a_lead_adds_a_member_and_changes_their_role(client_as, lead, outsider, project):
    client = client_as(lead)
    client.post(
        reverse("projects:members", args=[project.pk]),
        {"email": "OUTSIDER@example.com", "role": "ops"},
    )
    membership = Membership.objects.get(project=project, user=outsider)
    assert membership.role == Role.OPS
    client.post(
        reverse("projects:member-update", args=[project.pk, membership.pk]), {"role": "viewer"}
    )
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_the_transitions_named_lead_cannot_be_removed(client_as, lead, project):
    co_lead = factories.MembershipFactory(project=project, role=Role.LEAD).user
    membership = Membership.objects.get(project=project, user=lead)
    response = client_as(co_lead).post(
        reverse("projects:member-remove", args=[project.pk, membership.pk]),
        {"confirm": "yes"},
        follow=True,
    )
    # Otherwise the header and the dashboard would name a lead who gets a 404.
    assert "name another lead in the transition&#x27;s settings first" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_lead_cannot_change_members_after_bau(client_as, lead, outsider, project):
    Project.objects.filter(pk=project.pk).update(phase=Phase.BAU)
    response = client_as(lead).post(
        reverse("projects:members", args=[project.pk]), {"email": outsider.email, "role": "ops"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(project=project, user=outsider).exists()
