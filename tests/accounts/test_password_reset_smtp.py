"""Password reset through a real SMTP conversation (aiosmtpd on loopback), not a test outbox."""

import email
import re
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.accounts.conftest import sign_in

pytestmark = pytest.mark.django_db

NEW = "a-fresh-long-passphrase-9"


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def test_a_reset_link_sent_over_smtp_sets_a_new_password(smtp_inbox):
    factories.UserFactory(email="sam@example.com")
    client = Client()

    client.post(reverse("accounts:password-reset"), {"email": "sam@example.com"})

    [message] = smtp_inbox.messages
    assert message["To"] == "sam@example.com"
    assert message["Subject"] == "Reset your Transition password"
    body = message.get_body(preferencelist=("plain",)).get_content()
    [link] = re.findall(r"https?://\S+/accounts/password/reset/\S+/", body)
    form = client.get(link.removeprefix(settings.BASE_URL), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert sign_in(Client(), "sam@example.com", NEW).status_code == 302


def test_an_unknown_address_sends_nothing_over_smtp(smtp_inbox):
    answer = Client().post(reverse("accounts:password-reset"), {"email": "nobody@example.com"})

    assert answer.status_code == 302
    assert smtp_inbox.messages == []
