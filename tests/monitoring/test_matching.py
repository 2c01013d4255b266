"""Matching notifications to alerts, and the pairs that prove an alert: pure tables."""

import datetime as dt

import pytest

from apps.monitoring.matching import (
    EventFact,
    MatcherError,
    Pair,
    matches,
    normalise_matchers,
    parse_matchers,
    proven_pairs,
)

T0 = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("matchers", "key", "labels", "expected"),
    [
        ("", "PaymentsApiDown", {}, True),
        ("", "paymentsapidown", {}, False),  # names are exact, as Prometheus's are
        ("", "Other", {}, False),
        ("service=payments", "PaymentsApiDown", {"service": "payments"}, True),
        ("service=payments", "PaymentsApiDown", {"service": "ledger"}, False),
        ("service=payments", "PaymentsApiDown", {}, False),
        ("env!=staging", "PaymentsApiDown", {"env": "prod"}, True),
        ("env!=staging", "PaymentsApiDown", {}, True),  # absent is empty, not "staging"
        ("env!=staging", "PaymentsApiDown", {"env": "staging"}, False),
        ("instance=~web-.*", "PaymentsApiDown", {"instance": "web-1"}, True),
        ("instance=~web-.*", "PaymentsApiDown", {"instance": "db-web-1"}, False),  # anchored
        ("instance!~web-.*", "PaymentsApiDown", {"instance": "db-1"}, True),
        ("instance!~web-.*", "PaymentsApiDown", {"instance": "web-2"}, False),
        (
            "service=payments\nenv=prod",
            "PaymentsApiDown",
            {"service": "payments", "env": "prod"},
            True,
        ),
        ("service=payments\nenv=prod", "PaymentsApiDown", {"service": "payments"}, False),
        ('service="payments"', "PaymentsApiDown", {"service": "payments"}, True),
        ("env=", "PaymentsApiDown", {}, True),  # empty matches absent, as in Prometheus
    ],
)
def test_a_notification_matches_by_name_and_every_matcher(matchers, key, labels, expected):
    assert matches("PaymentsApiDown", parse_matchers(matchers), key, labels) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("service", "Line 1 (“service”) is not a matcher"),
        ("\n1abc=x", "Line 2 (“1abc=x”): “1abc” is not a label name"),
        ("=payments", "“” is not a label name"),
        ("instance=~web-(", "the regular expression is invalid"),
        ("env=prod\nenv=staging", "Label env is matched twice"),
        ("\n".join(f"l{i}=x" for i in range(21)), "At most 20 matchers, not 21"),
    ],
)
def test_a_matcher_that_cannot_be_read_is_refused_naming_the_line(text, message):
    with pytest.raises(MatcherError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_matchers(text)


def test_matchers_are_normalised_so_the_same_set_is_the_same_text():
    assert normalise_matchers("  env = prod \n\nservice=payments\n") == "env=prod\nservice=payments"
    assert normalise_matchers("service=payments\nenv=prod") == normalise_matchers(
        "env=prod\nservice=payments"
    )
    assert normalise_matchers("") == ""


def _event(pk, state, minutes, dedup="fp1", episode="e1"):
    return EventFact(pk, dedup, episode, state, T0 + dt.timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("events", "pairs"),
    [
        ([], []),
        ([_event(1, "firing", 0)], []),
        ([_event(1, "resolved", 0)], []),  # resolved without having fired proves nothing
        (
            [_event(1, "firing", 0), _event(2, "resolved", 3)],
            [Pair(1, 2, T0 + dt.timedelta(minutes=3))],
        ),
        # Resolved received before the firing one (out of order): not proof.
        ([_event(2, "resolved", 0), _event(1, "firing", 3)], []),
        # Another fingerprint, or another episode of the same alert, does not pair.
        ([_event(1, "firing", 0), _event(2, "resolved", 3, dedup="fp2")], []),
        ([_event(1, "firing", 0), _event(2, "resolved", 3, episode="e2")], []),
        # Two episodes, each fired and resolved: two pairs, oldest first.
        (
            [
                _event(3, "firing", 10, episode="e2"),
                _event(4, "resolved", 12, episode="e2"),
                _event(1, "firing", 0),
                _event(2, "resolved", 3),
            ],
            [Pair(1, 2, T0 + dt.timedelta(minutes=3)), Pair(3, 4, T0 + dt.timedelta(minutes=12))],
        ),
    ],
)
def test_an_alert_is_proven_by_a_firing_then_resolved_pair_of_one_episode(events, pairs):
    assert proven_pairs(events) == pairs
