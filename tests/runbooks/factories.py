"""Factories for the runbooks, one per model, built like `tests/support/factories.py`.

They write rows directly (no services, no refusals), then refresh the transition's
summary as the services would. Related rows default to the same transition:
`ScenarioFactory(project=p)` makes its runbook in `p`. A scenario is complete by
default (symptoms, normal, problem, resolution): pass blanks to make a gap.
"""

import datetime as dt

import factory
from django.db.models import Max
from django.utils import timezone

from apps.runbooks.models import Outcome, Runbook, RunbookStatus, Scenario, Walkthrough
from tests.factories import ProjectFactory, SummaryRefreshed


def _next_position(runbook: Runbook) -> int:
    last = Scenario.objects.filter(runbook=runbook).aggregate(n=Max("position"))["n"]
    return (last or 0) + 1


class RunbookFactory(SummaryRefreshed):
    """A published runbook of the whole service, owned by the transition's lead."""

    class Meta:
        model = Runbook
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Runbook {n}")
    owner = factory.SelfAttribute("project.lead")
    review_by = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    status = RunbookStatus.PUBLISHED
    summary = "The payments service: an API in front of the ledger."


class ScenarioFactory(SummaryRefreshed):
    class Meta:
        model = Scenario
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    runbook = factory.SubFactory(RunbookFactory, project=factory.SelfAttribute("..project"))
    position = factory.LazyAttribute(lambda o: _next_position(o.runbook))
    title = factory.Sequence(lambda n: f"Scenario {n}")
    component = None
    symptoms = "Checkout answers **HTTP 502**."
    normal = "p99 latency under 300 ms; error rate below 0.1%."
    problem = "Error rate above 5% for 5 minutes."
    first_checks = "1. Open the *Payments* dashboard."
    diagnosis = "Read the API's logs for `upstream timed out`."
    resolution = "1. Restart the API pods.\n2. Watch the error rate fall."
    rollback = "Roll back to the previous release."
    alert_names = ""


class WalkthroughFactory(SummaryRefreshed):
    """A tabletop that worked, held today, recorded by the transition's lead."""

    class Meta:
        model = Walkthrough
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    scenario = factory.SubFactory(ScenarioFactory, project=factory.SelfAttribute("..project"))
    held_on = factory.LazyFunction(timezone.localdate)
    outcome = Outcome.WORKED
    recorded_by = factory.SelfAttribute("project.lead")
    recorded_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def participants(obj, create, extracted, **kwargs):
        if create:
            obj.participants.set(extracted or [obj.recorded_by])
