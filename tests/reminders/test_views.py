"""The Reminders page, the unsubscribe link and a transition's reminder history."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from apps.reminders import unsubscribe
from apps.reminders.models import DigestLog, DigestStatus, Frequency, ReminderPreference
from tests import factories
from tests.reminders.conftest import NOW, TODAY, days

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_my_page_shows_what_my_next_digest_lists(client_as, project, contributor):
    factories.TaskFactory(project=project, owner=contributor, title="Write it", due_date=days(-1))
    page = client_as(contributor).get(reverse("reminders:mine"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Reminders for Payments platform: 1 overdue" in body
    assert "Write it" in body
    assert "checked" in body


def test_my_page_says_when_nothing_is_due(client_as, contributor):
    page = client_as(contributor).get(reverse("reminders:mine"))
    assert 'data-testid="nothing-due"' in page.content.decode()


def test_my_page_never_shows_items_of_a_transition_i_am_not_in(client_as, contributor, outsider):
    factories.TaskFactory(owner=outsider, title="Secret work", due_date=days(-1))
    page = client_as(contributor).get(reverse("reminders:mine"))
    assert "Secret work" not in page.content.decode()


def test_i_choose_weekly_and_the_page_says_it_is_held(client_as, project, contributor):
    factories.TaskFactory(project=project, owner=contributor, due_date=days(1))
    client = client_as(contributor)
    answer = client.post(reverse("reminders:mine"), {"frequency": "weekly"})
    assert answer.status_code == 302
    assert ReminderPreference.objects.get(user=contributor).frequency == Frequency.WEEKLY
    assert "a digest once a week, on Mondays" in client.get(answer["Location"]).content.decode()
    assert (
        "weekly digest, sent on Mondays" in client.get(reverse("reminders:mine")).content.decode()
    )


def test_a_bad_choice_is_refused_and_changes_nothing(client_as, contributor):
    answer = client_as(contributor).post(reverse("reminders:mine"), {"frequency": "hourly"})
    assert answer.status_code == 400
    assert "not one of the available choices" in answer.content.decode()
    assert not ReminderPreference.objects.exists()


def test_my_page_shows_a_failed_digest_and_its_error(client_as, contributor):
    DigestLog.objects.create(
        recipient=contributor, digest_date=TODAY, status=DigestStatus.FAILED, claimed_at=NOW,
        attempts=3, last_error="SMTPRecipientsRefused: mailbox full",
    )  # fmt: skip
    body = client_as(contributor).get(reverse("reminders:mine")).content.decode()
    assert "Not delivered" in body
    assert "mailbox full" in body


@pytest.mark.parametrize("n", [3, 30])
def test_my_page_costs_the_same_queries_whatever_the_number_of_items(
    client_as, django_assert_max_num_queries, project, contributor, n
):
    client = client_as(contributor)
    for _ in range(n):
        factories.TaskFactory(project=project, owner=contributor, due_date=days(-1))
        factories.CriterionFactory(project=project, due_date=days(1))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("reminders:mine")).status_code == 200


def test_the_unsubscribe_link_asks_then_stops_the_reminders_without_signing_in(contributor):
    url = reverse("reminders:unsubscribe", args=[unsubscribe.token_for(contributor.pk)])
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200
    assert contributor.email in page.content.decode()
    assert not ReminderPreference.objects.exists()  # a GET (a link scanner) changes nothing
    done = client.post(url)
    assert done.status_code == 200
    assert 'data-testid="unsubscribed"' in done.content.decode()
    assert ReminderPreference.objects.get(user=contributor).frequency == Frequency.OFF


@pytest.mark.parametrize(
    "token",
    [
        "1:forged",
        # Signed by this site with the right salt, but not a person's id.
        "NOT_AN_ID",
        "not-a-token",
        # A value signed by this site for another purpose (another salt) is not a token.
        "SIGNED_ELSEWHERE",
    ],
)
def test_a_forged_or_altered_link_is_refused_with_a_clear_message(contributor, token):
    from django.core import signing

    if token == "SIGNED_ELSEWHERE":
        token = signing.dumps(contributor.pk)
    if token == "NOT_AN_ID":
        token = signing.dumps("everyone", salt=unsubscribe.SALT)
    url = reverse("reminders:unsubscribe", args=[token])
    for answer in (Client().get(url), Client().post(url)):
        assert answer.status_code == 400
        assert "This unsubscribe link is not valid" in answer.content.decode()
    assert not ReminderPreference.objects.exists()


def test_one_person_s_link_cannot_be_turned_into_another_s(contributor, ops):
    token = unsubscribe.token_for(contributor.pk)
    _value, signature = token.rsplit(":", 1)
    altered = unsubscribe.token_for(ops.pk).rsplit(":", 1)[0] + ":" + signature
    assert Client().post(reverse("reminders:unsubscribe", args=[altered])).status_code == 400
    assert not ReminderPreference.objects.filter(user=ops).exists()


def test_a_link_for_a_deleted_account_is_404(contributor):
    url = reverse("reminders:unsubscribe", args=[unsubscribe.token_for(contributor.pk + 1000)])
    assert Client().post(url).status_code == 404


def test_the_lead_sees_failed_and_escalated_digests_of_the_transition(
    client_as, project, lead, ops
):
    log = DigestLog.objects.create(
        recipient=ops, digest_date=TODAY, status=DigestStatus.FAILED, claimed_at=NOW,
        attempts=1, last_error="SMTPServerDisconnected", next_attempt_at=NOW,
        subject="Reminders for Payments platform: 1 overdue", escalated_keys=["task:1"],
    )  # fmt: skip
    log.projects.add(project)
    other = DigestLog.objects.create(
        recipient=lead, digest_date=TODAY, status=DigestStatus.SENT, claimed_at=NOW, sent_at=NOW,
        subject="Reminders for Elsewhere: 1 overdue",
    )  # fmt: skip
    other.projects.add(factories.ProjectFactory(lead=lead))
    body = client_as(lead).get(reverse("reminders:project-history", args=[project.pk])).content
    body = body.decode()
    assert "Failed, will retry" in body
    assert "SMTPServerDisconnected" in body
    assert "Elsewhere" not in body


@pytest.mark.parametrize("n", [3, 30])
def test_the_history_costs_the_same_queries_whatever_its_length(
    client_as, django_assert_max_num_queries, project, lead, n
):
    for _ in range(n):
        log = DigestLog.objects.create(
            recipient=factories.UserFactory(), digest_date=TODAY, status=DigestStatus.SENT,
            claimed_at=NOW, sent_at=NOW,
        )  # fmt: skip
        log.projects.add(project)
    client = client_as(lead)
    with django_assert_max_num_queries(8):
        assert (
            client.get(reverse("reminders:project-history", args=[project.pk])).status_code == 200
        )
