"""Every CSV export neutralises every cell a spreadsheet would run as a formula."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from programs.exports import FORMULA_START, csv_text, neutralise
from programs.models import Unit
from tests.factories import make_active_supporter

pytestmark = pytest.mark.django_db

HOSTILE_EMAILS = ["=cmd@example.org", "+sum@example.org", "-two@example.org"]


def test_neutralise_prefixes_a_quote_to_each_formula_start_and_nothing_else():
    for start in FORMULA_START:
        assert neutralise(f"{start}1+1") == f"'{start}1+1"
    assert neutralise("plain") == "plain"
    assert neutralise("") == ""
    assert neutralise(None) == ""
    assert neutralise(3) == "3"
    assert csv_text(["=h"], [["@x", "ok"]]) == "'=h\r\n'@x,ok\r\n"


@pytest.fixture
def hostile_roster(program):
    unit = Unit.objects.create(program=program, name="+Station 9")
    for n, email in enumerate(HOSTILE_EMAILS):
        make_active_supporter(
            program,
            email=email,
            unit=unit,
            display_name=f'=HYPERLINK("http://evil.example/{n}")',
            gender="-1+2",
            availability="@SUM(A1)\tweekends",
        )


def assert_neutralised(text: str):
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > len(HOSTILE_EMAILS)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
    cells = {cell for row in rows for cell in row}
    for email in HOSTILE_EMAILS:
        assert "'" + email in cells
    assert "'+Station 9" in cells and "'-1+2" in cells


def test_the_admin_roster_export_neutralises_every_column(
    client, program, coordinator, hostile_roster
):
    client.force_login(coordinator)
    response = client.get(reverse("roster_csv:export", args=[program.pk]))
    assert response.status_code == 200
    assert_neutralised(response.content.decode())


def test_the_roster_command_export_neutralises_every_column(program, hostile_roster, tmp_path):
    target = tmp_path / "roster.csv"
    call_command(
        "roster_csv", "export", program.slug, "--output", str(target), stdout=io.StringIO()
    )
    assert_neutralised(target.read_text())


def test_a_neutralised_export_imports_back_as_the_same_people(
    client, program, coordinator, hostile_roster
):
    client.force_login(coordinator)
    exported = client.get(reverse("roster_csv:export", args=[program.pk])).content.decode()
    people = get_user_model().objects.count()
    response = client.post(
        reverse("roster_csv:import"), {"program": program.pk, "csv_text": exported}
    )
    assert response.context["report"].ok, response.context["report"].rows
    assert get_user_model().objects.count() == people
    assert {r.outcome for r in response.context["report"].rows} == {"update"}
