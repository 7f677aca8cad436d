"""factory_boy factories for Agora's models."""

import factory
from django.contrib.auth import get_user_model

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

    title = factory.Sequence(lambda n: f"Brief number {n}")
    slug = factory.Sequence(lambda n: f"brief-number-{n}")
    summary = factory.Sequence(lambda n: f"Summary {n}: ministers met to talk about trade and energy.")
    commentary = "The meeting matters more for what it signals than for what it settles."
    question = factory.Sequence(lambda n: f"Question {n}: will the talks change anything?")
    content_hash = factory.LazyAttribute(lambda b: content_hash(b.summary, b.question))
