import pytest
from django.db import IntegrityError
from django.urls import reverse

from apps.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_person_logs_in_with_their_email_in_any_case(client):
    factories.UserFactory(email="ana@example.com")
    response = client.post(
        reverse("accounts:login"),
        {"username": "Ana@Example.com", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:dashboard")


def test_a_wrong_password_is_refused_with_a_message(client):
    factories.UserFactory(email="ana@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "ana@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert "Please enter a correct email" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_out_needs_a_post(client):
    user = factories.UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_changing_the_password_checks_the_old_one(client):
    user = factories.UserFactory()
    client.force_login(user)
    url = reverse("accounts:password-change")
    bad = client.post(
        url,
        {
            "old_password": "wrong",
            "new_password1": "a-new-long-phrase-42",
            "new_password2": "a-new-long-phrase-42",
        },
    )
    assert bad.status_code == 200
    assert "old password was entered incorrectly" in bad.content.decode()
    good = client.post(
        url,
        {
            "old_password": factories.PASSWORD,
            "new_password1": "a-new-long-phrase-42",
            "new_password2": "a-new-long-phrase-42",
        },
    )
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-phrase-42")


def test_emails_are_unique_whatever_their_case():
    User.objects.create_user("Bob@Example.com", "pw")
    with pytest.raises(IntegrityError):
        User.objects.create_user("bob@example.com", "pw")


def test_staff_can_open_the_admin_pages(client):
    admin = User.objects.create_superuser("root@example.com", "pw")
    project = factories.ProjectFactory()
    factories.TeamFactory()
    client.force_login(admin)
    for url in [
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_team_changelist"),
        reverse("admin:projects_project_changelist"),
        reverse("admin:projects_project_change", args=[project.pk]),
        reverse("admin:projects_task_changelist"),
        reverse("admin:projects_signoff_changelist"),
        reverse("admin:accounts_user_add"),
    ]:
        assert client.get(url).status_code == 200, url
