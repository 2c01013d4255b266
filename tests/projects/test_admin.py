"""The admin cannot rewrite evidence nor go around the transition's rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.projects import services
from apps.projects.models import AcceptanceCriterion, Membership, Phase, Project, Role, SignOff
from tests import factories
from tests.projects.db_state import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(User.objects.create_superuser("root@example.com", "pw"))
    return client


@pytest.fixture
def signed(project, ops):
    criterion = factories.CriterionFactory(project=project, statement="Runbook accepted by ops.")
    return factories.SignOffFactory(criterion=criterion, signed_by=ops, comment="Walked through.")


def _value(value: Any) -> str:
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def admin_form_data(response, **changes: Any) -> dict[str, Any]:
    """What the admin's change page posts back as rendered, with `changes` typed in."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(inline.formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field.widget, MultiWidget):
                parts = value if isinstance(value, list) else field.widget.decompress(value)
                for i, part in enumerate(parts):
                    if part is not None:
                        data[f"{bound.html_name}_{i}"] = _value(part)
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, (list, tuple)):
                data[bound.html_name] = [_value(v) for v in value]
            elif value is not None:
                data[bound.html_name] = _value(value)
    data.update(changes)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Sign-offs ------------------------------------------------------------------------------


def test_a_sign_off_cannot_be_changed_in_the_admin(admin_client_, signed, outsider):
    url = reverse("admin:projects_signoff_change", args=[signed.pk])
    page = admin_client_.get(url)
    assert page.status_code == 200
    assert 'name="comment"' not in page.content.decode()  # shown, not editable
    before = snapshot()
    response = admin_client_.post(
        url,
        {
            "criterion": signed.criterion_id,
            "signed_by": outsider.pk,
            "signed_at_0": "2026-01-01",
            "signed_at_1": "10:00:00",
            "comment": "Rewritten",
            "statement_snapshot": "Something else",
        },
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_a_sign_off_cannot_be_added_or_deleted_in_the_admin(admin_client_, signed, ops):
    before = snapshot()
    assert admin_client_.get(reverse("admin:projects_signoff_add")).status_code == 403
    delete_url = reverse("admin:projects_signoff_delete", args=[signed.pk])
    assert admin_client_.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = admin_client_.post(
        reverse("admin:projects_signoff_changelist"),
        {"action": "delete_selected", "_selected_action": [signed.pk], "post": "yes"},
    )
    assert bulk.status_code in {200, 302, 403}
    assert snapshot() == before


def test_a_sign_off_cannot_be_reverted_to_an_earlier_version_in_the_admin(
    admin_client_, signed, ops
):
    first_version = signed.history.earliest("history_date")
    services.signoff_revoke(signoff=signed, by=ops, reason="Alert never fired.", now=timezone.now())
    before = snapshot()
    url = reverse(
        "admin:projects_signoff_simple_history", args=[signed.pk, first_version.history_id]
    )
    response = admin_client_.post(url, {"comment": "Walked through."})
    assert response.status_code == 403
    assert snapshot() == before
    assert not SignOff.objects.get(pk=signed.pk).is_active


# Criteria -------------------------------------------------------------------------------


def test_editing_a_signed_statement_in_the_admin_voids_the_sign_off(admin_client_, signed):
    url = reverse("admin:projects_acceptancecriterion_change", args=[signed.criterion_id])
    data = admin_form_data(admin_client_.get(url), statement="Runbook rehearsed by ops.")
    response = admin_client_.post(url, data)
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.voided_at is not None
    assert signed.statement_snapshot == "Runbook accepted by ops."


def test_a_criterion_with_sign_offs_cannot_be_deleted_in_the_admin(admin_client_, signed):
    criterion = signed.criterion
    before = snapshot()
    response = admin_client_.post(
        reverse("admin:projects_acceptancecriterion_delete", args=[criterion.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert any("kept as evidence" in m for m in _messages(response))
    bulk = admin_client_.post(
        reverse("admin:projects_acceptancecriterion_changelist"),
        {"action": "delete_selected", "_selected_action": [criterion.pk], "post": "yes"},
    )
    assert bulk.status_code in {200, 302}
    assert snapshot() == before


def test_an_edit_in_the_admin_of_a_closed_transition_is_refused_with_the_reason(
    admin_client_, project, signed
):
    url = reverse("admin:projects_acceptancecriterion_change", args=[signed.criterion_id])
    data = admin_form_data(admin_client_.get(url), verification="Rewritten after BAU.")
    Project.objects.filter(pk=project.pk).update(phase=Phase.BAU)
    before = snapshot()
    response = admin_client_.post(url, data)
    assert response.status_code == 302
    assert "This transition is BAU: it can no longer change." in _messages(response)
    assert snapshot() == before


# Transitions ----------------------------------------------------------------------------


def test_the_admin_cannot_set_the_phase_around_the_rules(admin_client_, project):
    factories.CriterionFactory(project=project)  # unsigned: BAU is not allowed
    url = reverse("admin:projects_project_change", args=[project.pk])
    page = admin_client_.get(url)
    data = admin_form_data(page, phase=Phase.BAU, description="Edited in the admin.")
    response = admin_client_.post(url, data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING
    assert project.description == "Edited in the admin."


def test_the_admin_moves_phases_through_the_rules_and_reports_refusals(admin_client_, project):
    factories.CriterionFactory(project=project)
    changelist = reverse("admin:projects_project_changelist")
    before = snapshot()
    refused = admin_client_.post(
        changelist, {"action": "move_to_bau", "_selected_action": [project.pk]}, follow=True
    )
    html = refused.content.decode()
    assert "Payments platform" in html
    assert "cannot move to BAU" in html
    assert snapshot() == before
    admin_client_.post(
        changelist, {"action": "move_to_readiness", "_selected_action": [project.pk]}
    )
    assert Project.objects.get(pk=project.pk).phase == Phase.READINESS


def test_the_admin_membership_inline_is_read_only(admin_client_, project, contributor):
    url = reverse("admin:projects_project_change", args=[project.pk])
    page = admin_client_.get(url)
    data = admin_form_data(page)
    # Try to turn every member into a lead, and to add one.
    for key in list(data):
        if key.startswith("memberships-") and key.endswith("-role"):
            data[key] = Role.LEAD
    before = list(Membership.objects.order_by("pk").values_list("user_id", "role"))
    admin_client_.post(url, data)
    assert list(Membership.objects.order_by("pk").values_list("user_id", "role")) == before
    assert Membership.objects.get(project=project, user=contributor).role == Role.CONTRIBUTOR


def test_naming_a_new_lead_in_the_admin_makes_them_a_lead_member(admin_client_, project):
    new_lead = factories.UserFactory()
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = admin_client_.post(url, admin_form_data(admin_client_.get(url), lead=new_lead.pk))
    assert response.status_code == 302
    assert Membership.objects.get(project=project, user=new_lead).role == Role.LEAD


def test_a_transition_with_sign_offs_cannot_be_deleted_in_the_admin(admin_client_, project, signed):
    before = snapshot()
    response = admin_client_.post(
        reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert any("cancel it instead" in m for m in _messages(response))
    admin_client_.post(
        reverse("admin:projects_project_changelist"),
        {"action": "delete_selected", "_selected_action": [project.pk], "post": "yes"},
    )
    assert snapshot() == before
    assert AcceptanceCriterion.objects.filter(pk=signed.criterion_id).exists()


def test_a_transition_without_sign_offs_can_still_be_deleted_in_the_admin(admin_client_, project):
    factories.TaskFactory(project=project)
    admin_client_.post(reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"})
    assert not Project.objects.filter(pk=project.pk).exists()


def test_a_transition_added_in_the_admin_gets_its_lead_as_a_member(admin_client_, lead):
    ops_lead = factories.UserFactory()
    url = reverse("admin:projects_project_add")
    data = admin_form_data(
        admin_client_.get(url),
        name="Added in the admin",
        lead=lead.pk,
        ops_lead=ops_lead.pk,
        hypercare_days="14",
    )
    response = admin_client_.post(url, data)
    assert response.status_code == 302
    project = Project.objects.get(name="Added in the admin")
    roles = dict(project.memberships.values_list("user_id", "role"))
    assert roles[lead.pk] == Role.LEAD
    assert roles[ops_lead.pk] == Role.OPS
    assert project.phase == Phase.PLANNING
