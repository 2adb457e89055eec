"""Small builders for tests. Programs and roles go through the real services."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from programs.models import (
    Language,
    Program,
    Role,
    SupporterProfile,
    Topic,
    TrainingCompletion,
)
from programs.services import intake, members, setup


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    password = factory.django.Password("correct horse battery staple")


def make_program(slug="city-fire", template="first-responder", admin_email=None, **changes):
    result = setup.program_bootstrap(
        template=template,
        name=slug.replace("-", " ").title(),
        slug=slug,
        admin_email=admin_email or f"admin@{slug}.example.org",
        organisation_name=f"{slug} organisation",
    )
    program = result.program
    # Test programs have no roster, so they could not pass the launch checklist: most tests
    # want a program that takes requests, so open it in the data (tests/programs/test_launch.py
    # opens programs through the service).
    changes.setdefault("state", Program.State.OPEN)
    if changes:
        Program.objects.filter(pk=program.pk).update(**changes)
        program.refresh_from_db()
    return program


def program_prebuilt(slug, template="first-responder"):
    """The program the session built once (see conftest's django_db_setup), or a new one after a
    transactional test flushed the database."""
    return Program.objects.filter(slug=slug).first() or make_program(slug, template=template)


def make_member(program, role, email=None, password="correct horse battery staple"):
    user, _created = members.user_get_or_create(
        email=email or f"{role}-{timezone.now().timestamp()}@example.org"
    )
    user.set_password(password)
    user.save()
    members.membership_grant(program=program, user=user, role=role)
    return user


def make_active_supporter(program, email=None, topics=(), languages=("en",), unit=None, **fields):
    """A supporter who can take requests: active, fully trained, offering every channel."""
    user = make_member(program, Role.SUPPORTER, email=email)
    profile = SupporterProfile.objects.get(program=program, user=user)
    profile.status = SupporterProfile.Status.ACTIVE
    profile.unit = unit
    for channel in ("messages", "phone", "email", "video", "in_person"):
        setattr(profile, f"offers_{channel}", True)
    for key, value in fields.items():
        setattr(profile, key, value)
    profile.save()
    profile.lived_experience.set(Topic.objects.filter(slug__in=topics))
    profile.languages.set(Language.objects.filter(code__in=languages))
    train_fully(profile)
    return profile


def train_fully(profile, expires_in_days=365):
    today = timezone.localdate()
    for requirement in profile.program.training_requirements.all():
        TrainingCompletion.objects.update_or_create(
            supporter=profile,
            requirement=requirement,
            defaults={
                "completed_on": today - timedelta(days=30),
                "expires_on": today + timedelta(days=expires_in_days),
            },
        )


def submit_request(program, message="I could use someone to talk to.", **kwargs):
    return intake.case_submit(program=program, message=message, **kwargs)
