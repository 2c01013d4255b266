"""Who is told what: the pure rules of apps/reminders/digest.py, no database."""

import datetime as dt

import pytest

from apps.reminders.digest import Facts, Person, plan
from apps.reminders.handoff import HandoffItem
from tests.reminders.conftest import TODAY, days

LEAD, OWNER, OTHER, STRANGER = 1, 2, 3, 4
P, Q = 10, 20


def item(key="task:1", *, project=P, recipient=OWNER, due=None, name=None) -> HandoffItem:
    return HandoffItem(
        key=key,
        project_id=project,
        project_name=name or f"Transition {project}",
        recipient_id=recipient,
        title=f"Do {key}",
        due_date=days(-1) if due is None else due,
        url=f"/p/{project}/#{key}",
        kind="task",
    )


def facts(**overrides) -> Facts:
    values = {
        "leads": {P: LEAD, Q: LEAD},
        "members": frozenset({(P, LEAD), (P, OWNER), (P, OTHER), (Q, LEAD), (Q, OWNER)}),
        "people": {
            LEAD: Person("Lena Lead", "lead@example.com"),
            OWNER: Person("Owen Owner", "owner@example.com"),
            OTHER: Person("Olga Other", "", True),
            STRANGER: Person("Stan Stranger", "stan@example.com"),
        },
        "frequencies": {},
    }
    values.update(overrides)
    return Facts(**values)


def run(items, f=None, today=TODAY):
    return plan(items, f or facts(), today=today, escalate_after=5, due_soon=3)


def by_recipient(result):
    return {d.recipient_id: d for d in result.digests}


def test_an_item_goes_to_its_owner():
    [digest] = run([item()]).digests
    assert digest.recipient_id == OWNER
    [line] = digest.lines
    assert (line.overdue_days, line.escalated, line.note) == (1, False, "")


@pytest.mark.parametrize(
    ("recipient", "note"),
    [
        (None, "nobody is named for it"),
        (OTHER, "Olga Other has no email address"),
        (STRANGER, "Stan Stranger is no longer a member of the transition"),
    ],
)
def test_an_item_nobody_can_receive_goes_to_the_lead_saying_why(recipient, note):
    [digest] = run([item(recipient=recipient)]).digests
    assert digest.recipient_id == LEAD
    assert digest.lines[0].note == note


def test_a_deactivated_owner_is_replaced_by_the_lead():
    people = {**facts().people, OWNER: Person("Owen Owner", "owner@example.com", active=False)}
    [digest] = run([item()], facts(people=people)).digests
    assert digest.recipient_id == LEAD
    assert "deactivated" in digest.lines[0].note


def test_an_item_no_one_can_receive_is_reported_not_dropped():
    people = {**facts().people, LEAD: Person("Lena Lead", "")}
    result = run([item(recipient=None)], facts(people=people))
    assert result.digests == []
    assert [i.key for i in result.undeliverable] == ["task:1"]


def test_items_of_a_transition_not_open_are_never_told():
    assert run([item(project=99)]).digests == []


def test_overdue_more_than_the_limit_escalates_to_the_lead_naming_the_owner():
    result = by_recipient(run([item(due=days(-6)), item("task:2", due=days(-5))]))
    assert [line.item.key for line in result[OWNER].lines] == ["task:1", "task:2"]
    [escalated] = result[LEAD].lines
    assert (escalated.item.key, escalated.escalated, escalated.owner) == (
        "task:1",
        True,
        "Owen Owner",
    )
    assert result[LEAD].escalated_keys == ["task:1"]
    assert result[LEAD].item_keys == []


def test_a_transition_may_set_its_own_escalation_threshold():
    # P escalates after 2 days, Q keeps the site's 5: both items are 3 days overdue.
    items = [item("task:1", project=P, due=days(-3)), item("task:2", project=Q, due=days(-3))]
    result = by_recipient(run(items, facts(escalate_after={P: 2})))
    [escalated] = result[LEAD].lines
    assert (escalated.item.key, escalated.escalate_after) == ("task:1", 2)


def test_the_lead_s_own_overdue_item_is_not_escalated_to_themselves():
    [digest] = run([item(recipient=LEAD, due=days(-30))]).digests
    assert [line.escalated for line in digest.lines] == [False]


def test_a_digest_lists_overdue_first_then_due_soon_grouped_by_transition():
    [digest] = run(
        [
            item("task:1", project=Q, due=days(2), name="Billing"),
            item("task:2", project=P, due=days(0), name="Accounts"),
            item("task:3", project=Q, due=days(-2), name="Billing"),
            item("task:4", project=P, due=days(-1), name="Accounts"),
        ]
    ).digests
    assert [
        (g.project_name, [line.item.key for line in g.lines]) for g in digest.groups(overdue=True)
    ] == [
        ("Accounts", ["task:4"]),
        ("Billing", ["task:3"]),
    ]
    assert [g.project_name for g in digest.groups(overdue=False)] == ["Accounts", "Billing"]
    assert digest.subject == "Reminders for 2 transitions: 2 overdue, 2 due soon"


def test_the_subject_names_the_one_transition():
    [digest] = run([item(name="Payments platform", due=days(1))]).digests
    assert digest.subject == "Reminders for Payments platform: 1 due soon"


def test_the_same_item_rerouted_twice_to_the_lead_is_listed_once():
    items = [item("criterion:1", recipient=OTHER), item("criterion:1", recipient=STRANGER)]
    [digest] = run(items).digests
    assert digest.item_keys == ["criterion:1"]


def test_nothing_to_say_means_no_digest():
    result = run([])
    assert (result.digests, result.held, result.undeliverable) == ([], [], [])


def test_off_sends_nothing_to_that_person_but_still_escalates_to_the_lead():
    result = run([item(due=days(-9))], facts(frequencies={OWNER: "off"}))
    assert [d.recipient_id for d in result.digests] == [LEAD]
    assert [(d.recipient_id, why) for d, why in result.held] == [(OWNER, "reminders are off")]


def test_weekly_waits_for_monday_unless_it_carries_an_escalation():
    weekly = facts(frequencies={OWNER: "weekly", LEAD: "weekly"})
    wednesday = run([item(due=days(-9))], weekly)
    assert [d.recipient_id for d in wednesday.digests] == [LEAD]  # the escalation
    assert [d.recipient_id for d, _ in wednesday.held] == [OWNER]
    monday = days(5)
    assert monday.weekday() == 0
    assert {d.recipient_id for d in run([item(due=days(4))], weekly, today=monday).digests} == {
        OWNER
    }


def test_a_weekly_digest_looks_a_week_ahead_a_daily_one_n_days():
    monday = days(5)
    later = [item("task:1", due=monday + dt.timedelta(days=5))]
    weekly = facts(frequencies={OWNER: "weekly"})
    [digest] = run(later, weekly, today=monday).digests
    assert digest.item_keys == ["task:1"]
    assert run(later, today=monday).digests == []
    assert run(later, today=monday).undeliverable == []
