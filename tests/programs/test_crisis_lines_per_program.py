"""Each program's requester pages and public API show that program's crisis lines only.

With a prefetched ParentalKey manager, `.filter()` dropped the parent filter and every
program's lines appeared on every program's pages (django-modelcluster #170, #103).
"""

import re
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from programs.models import HelpResource
from programs.selectors import help_resources, program_get_public
from tests.factories import make_program
from tests.programs.test_intake_flow import (
    look_up,
    new_request,
    open_form,
    request_url,
    send_request,
    status_url,
    text,
)

pytestmark = pytest.mark.django_db

B_LINE = "Riverside Nurses Line B-7731"
B_PHONE = "0800 773 1000"
A_LINE = "Station Crew Line A-4410"


@pytest.fixture
def two_programs(db, settings):
    settings.TOOLKIT_RATE_LIMITS = {
        scope: {"client": (1000, 3600), "global": (1000, 3600)} for scope in ("intake", "lookup")
    }
    a = make_program("alpha-fire")
    b = make_program("beta-hospital", template="healthcare")
    HelpResource.objects.create(program=a, name=A_LINE, kind="crisis", phone="0800 441 0000")
    HelpResource.objects.create(program=a, name="Alpha EAP A-4411", kind="eap")
    HelpResource.objects.create(program=b, name=B_LINE, kind="crisis", phone=B_PHONE)
    HelpResource.objects.create(program=b, name="Beta EAP B-7732", kind="eap")
    return a, b


def assert_only_a(page: str):
    assert A_LINE in page
    assert B_LINE not in page
    assert B_PHONE not in page
    assert "B-7732" not in page


def test_request_steps_show_only_this_programs_crisis_lines(client, two_programs):
    a, _b = two_programs
    assert_only_a(text(client.get(request_url(a))))
    assert_only_a(text(client.post(request_url(a), {"step": "limits", "acknowledged": "on"})))
    open_form(client, a)


def test_a_crisis_receipt_and_the_status_page_show_only_this_programs_lines(client, two_programs):
    a, _b = two_programs
    receipt = send_request(client, a, message="I am not safe tonight.")
    assert receipt.status_code == 200
    assert_only_a(text(receipt))
    code, _request = new_request(client, a)
    assert_only_a(text(look_up(client, a, code)))
    assert_only_a(text(client.get(status_url(a))))


def test_the_public_api_lists_only_this_programs_lines(two_programs):
    a, _b = two_programs
    api = APIClient()
    resources = api.get(f"/api/v1/programs/{a.slug}/resources/")
    assert_only_a(resources.content.decode())
    form = api.get(f"/api/v1/programs/{a.slug}/intake-form/").json()
    names = [line["name"] for line in form["crisis_lines"]]
    assert A_LINE in names and B_LINE not in names
    assert len(names) == len(set(names)) == len(a.crisis_lines())
    receipt = api.post(
        f"/api/v1/programs/{a.slug}/requests/", {"message": "I am not safe."}, format="json"
    ).json()
    assert [line["name"] for line in receipt["crisis_lines"]] == names


def test_selectors_on_a_prefetched_program_keep_to_that_program(two_programs):
    a, b = two_programs
    program = program_get_public(slug=a.slug)
    expected = list(
        HelpResource.objects.filter(program=a, kind="crisis").order_by("sort_order", "pk")
    )
    assert program.crisis_lines() == expected
    assert help_resources(program=program, crisis_only=True) == expected
    assert all(r.program_id == a.pk for r in help_resources(program=program))
    others = help_resources(program=program, exclude_crisis=True)
    assert others and all(r.program_id == a.pk and r.kind != "crisis" for r in others)
    assert b.pk not in {r.program_id for r in help_resources(program=program)}


def test_no_code_filters_a_parental_key_manager():
    """Filtering a prefetched modelcluster manager returns every program's rows, so the
    code queries the child model by program instead (or reads a to_attr prefetch list)."""
    from django.conf import settings
    from modelcluster.fields import ParentalKey

    from programs.models import Program

    managers = [
        rel.get_accessor_name()
        for rel in Program._meta.related_objects
        if isinstance(rel.field, ParentalKey)
    ]
    assert set(managers) >= {"help_resources", "units", "training_requirements"}
    names = "|".join(managers)
    pattern = re.compile(rf"\.({names})\.(?!all\(\)|create\()\w+\(")
    base = Path(settings.BASE_DIR)
    offending = [
        f"{path.relative_to(base)}:{number}: {line.strip()}"
        for app in ("programs", "api", "cms", "toolkit", "templates")
        for path in (base / app).rglob("*")
        if path.suffix in (".py", ".html", ".txt") and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offending == []
