"""Crisis lines by country: the shipped directory, bootstrap by country, and stale lines."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cms.models import ProgramPage
from programs import crisis_directory
from programs.models import HelpResource, Organisation, Program

REQUIRED = ["US", "CA", "GB", "IE", "AU", "NZ", "FR", "DE", "NL", crisis_directory.FALLBACK]


def _bootstrap(slug, country):
    call_command(
        "bootstrap_program",
        "--template",
        "workplace",
        "--name",
        f"Program {slug}",
        "--slug",
        slug,
        "--admin-email",
        f"lead-{slug}@example.org",
        "--country",
        country,
        stdout=StringIO(),
    )


def test_every_shipped_line_says_what_to_dial_where_it_came_from_and_when_checked():
    directory = crisis_directory.load()
    assert directory.version
    lines = directory.all_lines()
    assert lines
    for line in lines:
        assert line.number or line.text, line
        assert line.source.startswith("https://"), line
        assert isinstance(line.checked_on, datetime.date), line
    # Only a text-only service (Ireland's Text 50808) may have no number to dial.
    assert [line.name for line in lines if not line.number] == ["Text 50808"]


def test_every_required_country_and_the_fallback_are_shipped():
    codes = crisis_directory.load().codes()
    assert set(REQUIRED) <= set(codes)
    numbers = {c: {line.number for line in crisis_directory.load().lines_for(c)} for c in codes}
    assert {"911", "988"} <= numbers["US"]
    assert {"116 123", "111", "999"} <= numbers["GB"]
    assert {"13 11 14", "000"} <= numbers["AU"]
    assert {"0800 111 0 111", "0800 111 0 222", "112"} <= numbers["DE"]


def test_a_file_with_a_line_missing_its_source_is_refused_with_the_line_named():
    data = json.loads(crisis_directory.DEFAULT_PATH.read_text(encoding="utf-8"))
    data["countries"]["GB"]["lines"][1]["source"] = ""
    with pytest.raises(Exception, match="GB line 2: no https source"):
        crisis_directory.parse(data)


@pytest.mark.django_db
def test_bootstrap_with_gb_shows_gb_lines_on_the_landing_page_and_not_988(client):
    _bootstrap("gb-team", "gb")
    program = Program.objects.get(slug="gb-team")
    assert program.country == "GB"
    assert [line.phone for line in program.crisis_lines()] == ["999", "116 123", "111"]
    samaritans = program.help_resources.get(phone="116 123")
    assert samaritans.source == "https://www.samaritans.org/"
    assert samaritans.checked_on is not None
    # Getting ready: its pages are for its staff until it opens.
    client.force_login(program.memberships.get(role="admin").user)
    html = client.get(ProgramPage.objects.get(program=program).url).content.decode()
    assert 'href="tel:116123"' in html
    assert 'href="tel:999"' in html
    assert 'href="tel:988"' not in html


@pytest.mark.django_db
def test_unknown_country_is_a_clear_error_and_creates_nothing():
    before = (Program.objects.count(), Organisation.objects.count(), HelpResource.objects.count())
    with pytest.raises(CommandError) as error:
        _bootstrap("zz-team", "ZZ")
    assert "Unknown country 'ZZ'" in str(error.value)
    assert "GB" in str(error.value) and "US" in str(error.value)
    assert not Program.objects.filter(slug="zz-team").exists()
    after = (Program.objects.count(), Organisation.objects.count(), HelpResource.objects.count())
    assert after == before


@pytest.mark.django_db
def test_stale_lists_an_old_program_line_and_not_a_fresh_one():
    _bootstrap("nz-team", "NZ")
    program = Program.objects.get(slug="nz-team")
    out = StringIO()
    call_command("crisis_lines_stale", stdout=out)
    assert out.getvalue().strip() == "all lines checked within 12 months"

    HelpResource.objects.create(
        program=program,
        name="Union helpline",
        kind=HelpResource.Kind.COMMUNITY,
        phone="0800 000 001",
        checked_on=datetime.date.today() - datetime.timedelta(days=400),
    )
    HelpResource.objects.create(
        program=program,
        name="Chaplaincy",
        kind=HelpResource.Kind.COMMUNITY,
        phone="0800 000 002",
        checked_on=datetime.date.today() - datetime.timedelta(days=30),
    )
    out = StringIO()
    call_command("crisis_lines_stale", stdout=out)
    assert "Union helpline" in out.getvalue()
    assert "Chaplaincy" not in out.getvalue()
    assert "1737" not in out.getvalue()

    HelpResource.objects.create(
        program=program,
        name="Station crisis line",
        kind=HelpResource.Kind.CRISIS,
        phone="0800 000 003",
    )
    HelpResource.objects.create(
        program=program, name="Staff EAP", kind=HelpResource.Kind.EAP, phone="0800 000 004"
    )
    out = StringIO()
    call_command("crisis_lines_stale", stdout=out)
    assert "Station crisis line 0800 000 003 (never checked)" in out.getvalue()
    assert "Staff EAP" not in out.getvalue()  # not a crisis line, and no check on record


@pytest.mark.django_db
def test_stale_lists_an_old_shipped_line(settings, tmp_path):
    data = json.loads(crisis_directory.DEFAULT_PATH.read_text(encoding="utf-8"))
    data["countries"]["NZ"]["lines"][1]["checked_on"] = "2020-01-01"
    path = tmp_path / "crisis_lines.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    settings.CRISIS_LINES_FILE = str(path)
    out = StringIO()
    call_command("crisis_lines_stale", stdout=out)
    assert "shipped NZ: 1737 Need to talk? 1737 (checked 2020-01-01" in out.getvalue()
    assert "shipped GB" not in out.getvalue()
