import datetime as dt

import factory
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.projects import summary
from apps.projects.models import AcceptanceCriterion, Membership, Project, Role, SignOff, Task


class SummaryRefreshed(factory.django.DjangoModelFactory):
    """Recompute the transition's summary row after creating a row, as the services do."""

    class Meta:
        abstract = True

    @factory.post_generation
    def refreshed_summary(obj, create, extracted, **kwargs):
        if create:
            summary.refresh(_project_id(obj))


def _project_id(obj) -> int:
    if isinstance(obj, Project):
        return obj.pk
    if isinstance(obj, SignOff):
        return obj.criterion.project_id
    return obj.project_id


PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = Team.Kind.OPERATIONS


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Transition {n}")
    lead = factory.SubFactory(UserFactory)
    go_live_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))

    @factory.post_generation
    def lead_membership(obj, create, extracted, **kwargs):
        if create:
            Membership.objects.get_or_create(
                project=obj, user=obj.lead, defaults={"role": Role.LEAD}
            )
            summary.refresh(obj.pk)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.CONTRIBUTOR


class TaskFactory(SummaryRefreshed):
    class Meta:
        model = Task
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    owner = factory.SelfAttribute("project.lead")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    area = Task.Area.OTHER


class CriterionFactory(SummaryRefreshed):
    class Meta:
        model = AcceptanceCriterion
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    statement = factory.Sequence(lambda n: f"Criterion {n} holds.")
    verification = "Operations checks the evidence."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))


class SignOffFactory(SummaryRefreshed):
    class Meta:
        model = SignOff
        skip_postgeneration_save = True

    criterion = factory.SubFactory(CriterionFactory)
    signed_by = factory.SubFactory(UserFactory)
    signed_at = factory.LazyFunction(timezone.now)
    statement_snapshot = factory.SelfAttribute("criterion.statement")
