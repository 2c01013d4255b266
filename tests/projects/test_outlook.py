"""The portfolio's risk signal: late, at risk, on track, live, closed, unscheduled."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.projects.models import Phase, Task
from apps.projects.outlook import AT_RISK_WITHIN_DAYS, outlook
from tests import factories

TODAY = dt.date(2026, 11, 28)
GATES_FAIL = "and the go-live gates do not pass."


@pytest.mark.parametrize(
    ("phase", "days", "ready", "level", "sentence"),
    [
        (Phase.READINESS, -3, True, "late", "Go-live was due 3 days ago; the transition is still in Readiness."),  # noqa: E501
        (Phase.PLANNING, -1, False, "late", "Go-live was due yesterday; the transition is still in Planning."),  # noqa: E501
        (Phase.READINESS, 0, False, "at_risk", f"Go-live is today {GATES_FAIL}"),
        (Phase.READINESS, 1, False, "at_risk", f"Go-live is tomorrow {GATES_FAIL}"),
        (Phase.READINESS, AT_RISK_WITHIN_DAYS, False, "at_risk", f"Go-live is in {AT_RISK_WITHIN_DAYS} days {GATES_FAIL}"),  # noqa: E501
        (Phase.READINESS, AT_RISK_WITHIN_DAYS + 1, False, "on_track", "On track."),
        (Phase.READINESS, 2, True, "on_track", "On track."),
        (Phase.HYPERCARE, -10, False, "live", "Live, in hypercare."),
        (Phase.BAU, -30, True, "closed", "Closed: read only."),
        (Phase.CANCELLED, 5, False, "closed", "Closed: read only."),
        (Phase.READINESS, None, False, "unscheduled", "No go-live date is set."),
    ],
)  # fmt: skip
def test_outlook(phase, days, ready, level, sentence):
    go_live = None if days is None else TODAY + dt.timedelta(days=days)
    result = outlook(phase=phase, go_live_date=go_live, ready=ready, today=TODAY)
    assert (result.level, result.sentence) == (level, sentence)
    assert bool(result.badge) == (level in ("late", "at_risk"))


@pytest.mark.django_db
def test_the_dashboard_marks_late_and_at_risk_transitions_and_blocked_tasks(client_as):
    today = timezone.localdate()
    user = factories.UserFactory()
    late = factories.ProjectFactory(name="Late one", go_live_date=today - dt.timedelta(days=2))
    soon = factories.ProjectFactory(name="Soon one", go_live_date=today + dt.timedelta(days=3))
    calm = factories.ProjectFactory(name="Calm one", go_live_date=today + dt.timedelta(days=60))
    for project in (late, soon, calm):
        factories.MembershipFactory(project=project, user=user, role="viewer")
        factories.CriterionFactory(project=project)  # unsigned: the gates do not pass
    factories.TaskFactory(project=soon, status=Task.Status.BLOCKED)
    factories.TaskFactory(project=soon, due_date=today - dt.timedelta(days=1))
    response = client_as(user).get(reverse("projects:dashboard"), {"sort": "go_live"})
    rows = {row["name"]: row for row in response.context["page"].object_list}
    assert rows["Late one"]["outlook"].level == "late"
    assert rows["Soon one"]["outlook"].level == "at_risk"
    assert rows["Calm one"]["outlook"].level == "on_track"
    html = response.content.decode()
    assert html.count('data-testid="outlook"') == 2
    assert rows["Late one"]["outlook"].sentence.startswith("Go-live was due 2 days ago")
    assert rows["Late one"]["outlook"].sentence in html
    assert "1 blocked" in html
    assert "1 overdue" in html
    # Progress is shown as a bar that reads out as words.
    assert 'aria-label="Tasks done: 0 of 2"' in html
    assert 'aria-label="Criteria signed: 0 of 1"' in html
