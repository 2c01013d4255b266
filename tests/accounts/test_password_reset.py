"""Password reset by email, end to end; the same answer for unknown emails; the policy."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.accounts.conftest import WRONG, events, sign_in, without_tokens

pytestmark = pytest.mark.django_db

NEW = "a-fresh-long-passphrase-7"


def ask_for_a_link(client: Client, email: str):
    return client.post(reverse("accounts:password-reset"), {"email": email})


def link_in(message) -> str:
    [link] = re.findall(r"https?://\S+/accounts/password/reset/\S+/", message.body)
    return link


def test_the_login_page_offers_a_reset(client):
    page = client.get(reverse("accounts:login")).content.decode()

    assert "Forgot your password?" in page
    assert reverse("accounts:password-reset") in page


def test_a_person_resets_a_forgotten_password_by_email(client, ana, auth_lines):
    sent = ask_for_a_link(client, "Ana@Example.com")

    assert sent.status_code == 302
    assert sent["Location"] == reverse("accounts:password-reset-done")
    [message] = mail.outbox
    assert message.to == ["ana@example.com"]
    assert message.subject == "Reset your Transition password"
    link = link_in(message)
    assert link.startswith(settings.BASE_URL + "/accounts/password/reset/")
    assert link in message.alternatives[0][0]  # the HTML part has the same link

    form = client.get(link.removeprefix(settings.BASE_URL), follow=True)
    assert "Choose a new password" in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW})

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password-reset-complete")
    assert sign_in(Client(), "ana@example.com", factories.PASSWORD).status_code == 200
    assert sign_in(Client(), "ana@example.com", NEW).status_code == 302
    assert events(auth_lines())[:2] == ["password_reset_requested", "password_reset_completed"]
    assert auth_lines()[0].startswith('event=password_reset_requested account="Ana@Example.com" ')
    assert auth_lines()[1].startswith('event=password_reset_completed account="ana@example.com" ')


def test_a_reset_link_works_once(client, ana):
    ask_for_a_link(client, "ana@example.com")
    link = link_in(mail.outbox[0]).removeprefix(settings.BASE_URL)
    set_password_url = client.get(link)["Location"]
    client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW})

    again = Client().get(link, follow=True)

    assert "This link no longer works" in again.content.decode()


def test_the_new_password_must_pass_the_validators(client, ana):
    ask_for_a_link(client, "ana@example.com")
    set_password_url = client.get(link_in(mail.outbox[0]).removeprefix(settings.BASE_URL))[
        "Location"
    ]

    short = client.post(
        set_password_url, {"new_password1": "Short-pw-11", "new_password2": "Short-pw-11"}
    )
    common = client.post(
        set_password_url, {"new_password1": "password1234", "new_password2": "password1234"}
    )

    assert "at least 12 characters" in short.content.decode()
    assert "too common" in common.content.decode()
    ana.refresh_from_db()
    assert ana.check_password(factories.PASSWORD)


def test_an_unknown_email_gets_the_same_answer_and_no_email(ana):
    known, unknown = Client(), Client()
    answers = [
        ask_for_a_link(known, "ana@example.com"),
        ask_for_a_link(unknown, "nobody@example.com"),
    ]
    pages = [known.get(answers[0]["Location"]), unknown.get(answers[1]["Location"])]

    assert [(a.status_code, a["Location"]) for a in answers] == [
        (302, reverse("accounts:password-reset-done"))
    ] * 2
    assert without_tokens(pages[0].content) == without_tokens(pages[1].content)
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_an_inactive_account_gets_no_email(ana):
    ana.is_active = False
    ana.save()

    assert ask_for_a_link(Client(), "ana@example.com").status_code == 302
    assert mail.outbox == []


def test_a_reset_ends_the_lockout_of_the_account_but_not_of_another_address(client, ana, frozen):
    for n in range(5):
        sign_in(client, "ana@example.com", WRONG, ip="198.51.100.1")
        sign_in(client, f"guess{n}@example.com", WRONG, ip="198.51.100.77")
    ask_for_a_link(client, "ana@example.com")
    set_password_url = client.get(link_in(mail.outbox[0]).removeprefix(settings.BASE_URL))[
        "Location"
    ]
    client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW})

    assert sign_in(Client(), "ana@example.com", NEW, ip="198.51.100.77").status_code == 429
    assert sign_in(Client(), "ana@example.com", NEW, ip="198.51.100.1").status_code == 302


def test_a_new_password_shorter_than_twelve_characters_is_refused(client, ana):
    client.force_login(ana)
    answer = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "Elevenchars",
            "new_password2": "Elevenchars",
        },
    )

    assert answer.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in (
        answer.content.decode()
    )
    ana.refresh_from_db()
    assert ana.check_password(factories.PASSWORD)
