"""The demo that `make run` loads: its contents, loading it twice, and its logins."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from guardian.models import UserObjectPermission
from wagtail.models import Page

from cms.models import NewsletterIssuePage, ProgramPage
from programs import launch
from programs.models import (
    Case,
    CaseEvent,
    Membership,
    Message,
    Program,
    Role,
    SupporterProfile,
    SupporterStatusChange,
    TrainingCompletion,
    Unit,
)

pytestmark = pytest.mark.django_db

PASSWORD = "peer-support-demo"
COUNTED = [
    Program,
    Unit,
    Membership,
    SupporterProfile,
    SupporterStatusChange,
    TrainingCompletion,
    Case,
    Message,
    CaseEvent,
    Page,
    UserObjectPermission,
    get_user_model(),
]


@pytest.fixture(autouse=True)
def bare_site(db):
    """The demo loads into a site with no program yet, as on a fresh clone: the two programs
    the test session builds for everyone else are removed (inside this test's transaction)."""
    for page in ProgramPage.objects.all():
        page.delete()
    Program.objects.all().delete()
    get_user_model().objects.all().delete()


def load() -> str:
    out = StringIO()
    call_command("load_demo", "--force", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_demo_loads_once_and_its_logins_work(client):
    first = load()
    loaded = counts()
    second = load()
    assert "nothing changed" in second
    assert counts() == loaded

    programs = Program.objects.filter(state=Program.State.OPEN).order_by("kind")
    assert [p.kind for p in programs] == ["first-responder", "workplace"]
    for program in programs:
        assert launch.is_complete(program)
        assert Membership.objects.filter(program=program, role=Role.ADMIN).count() == 1
        assert Membership.objects.filter(program=program, role=Role.COORDINATOR).count() == 1
        statuses = list(program.supporters.values_list("status", flat=True))
        assert 4 <= len(statuses) <= 6
        assert statuses.count("active") >= 3
        assert {"paused", "in_training"} <= set(statuses)
        page = ProgramPage.objects.get(program=program)
        assert NewsletterIssuePage.objects.descendant_of(page).count() == 1
        requests = set(program.cases.values_list("status", flat=True))
        assert "queued" in requests and len(requests) >= 3
    harbour = Program.objects.get(slug="harbour-works")
    assert harbour.state == Program.State.GETTING_READY and not harbour.cases.exists()
    items = {item.key: item.done for item in launch.checklist(harbour)}
    assert items[launch.COORDINATOR] and not items[launch.SUPPORTERS]
    assert "harbour-works" in first and "getting ready" in first
    assert not get_user_model().objects.filter(is_superuser=True).exists()
    assert SupporterStatusChange.objects.filter(decided_by__isnull=True).count() == 0

    everyone = get_user_model().objects.all()
    for person in everyone:
        assert person.email in first, person.email
    assert PASSWORD in first

    assert client.login(username="hr@northfield-fire.example.org", password=PASSWORD)
    page = client.get(reverse("program_settings:index")).content.decode()
    assert "Northfield" in page and "Brightline" not in page

    assert client.login(username="wellbeing@brightline.example.org", password=PASSWORD)
    page = client.get(reverse("roster:index")).content.decode()
    assert "Nadia" in page and "Sam" not in page

    assert client.login(username="sam@northfield-fire.example.org", password=PASSWORD)
    assert client.get(reverse("programs:home")).status_code == 200
    assert client.get(reverse("wagtailadmin_home")).status_code == 302

    assert client.login(username="editor@demo.example.org", password=PASSWORD)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_demo_refuses_to_load_without_debug_unless_forced():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=StringIO())
    assert not Program.objects.exists()
