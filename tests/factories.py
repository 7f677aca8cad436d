"""factory_boy factories for Agora's models."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from briefs.importer import content_hash
from briefs.models import Brief, Tag

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"student{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@school.example")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class InstructorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"teacher{n}")
    is_instructor = True


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class BriefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brief
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Brief number {n}")
    slug = factory.Sequence(lambda n: f"brief-number-{n}")
    summary = factory.Sequence(lambda n: f"Summary {n}: ministers met to talk about trade and energy.")
    commentary = "The meeting matters more for what it signals than for what it settles."
    question = factory.Sequence(lambda n: f"Question {n}: will the talks change anything?")
    content_hash = factory.LazyAttribute(lambda b: content_hash(b.summary, b.question))

    @factory.post_generation
    def owners(obj, create, extracted, **kwargs):
        """owners=[...]; by default whoever created it, as the library's actions do."""
        if create:
            owners = extracted if extracted is not None else [obj.created_by] if obj.created_by else []
            obj.owners.add(*owners)


class GroupFactory(factory.django.DjangoModelFactory):
    """A group; pass instructors=[...] and students=[...] to fill it."""

    class Meta:
        model = "classroom.Group"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Period {n}")

    @factory.post_generation
    def instructors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.instructors.add(*extracted)

    @factory.post_generation
    def students(obj, create, extracted, **kwargs):
        from classroom.models import Membership

        for student in extracted or []:
            Membership.objects.create(group=obj, student=student)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An open thread (opened an hour ago, due in a week) with default rules."""

    class Meta:
        model = "classroom.Assignment"

    brief = factory.SubFactory(BriefFactory)
    group = factory.SubFactory(GroupFactory)
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    post_first = False


def make_response(assignment, author, body="A thoughtful answer about the brief.", parent=None):
    """Post through the real action, so versions, seats and HTML are as in production."""
    from classroom.actions import post_response

    return post_response(assignment=assignment, author=author, body=body, parent=parent)
