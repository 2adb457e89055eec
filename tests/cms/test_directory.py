"""A program's directory of help: filters, crisis lines first, and no other program's help."""

import datetime
import html as html_module
import re

import pytest

from cms.models import ProgramPage, ResourceIndexPage
from programs.models import HelpResource, Language

pytestmark = pytest.mark.django_db


def _url(program, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return f"/p/{program.slug}/help/" + (f"?{query}" if query else "")


def _names(response) -> list[str]:
    html = response.content.decode()
    section = html.split('id="results-heading"', 1)[1]
    found = re.findall(r"<li id=\"resource-\d+\"[^>]*>\s*<h3>([^<]+)</h3>", section)
    return [html_module.unescape(name) for name in found]


@pytest.fixture
def directory(program):
    """City Fire's own help, added after its crisis lines, in a deliberately mixed order."""
    spanish = Language.objects.get_or_create(code="es", defaults={"name": "Spanish"})[0]
    english = Language.objects.get_or_create(code="en", defaults={"name": "English"})[0]
    made = {}
    for name, kind, region, languages in [
        ("North peer group", HelpResource.Kind.PEER_GROUP, "North County", [english]),
        ("South peer group", HelpResource.Kind.PEER_GROUP, "South County", [spanish]),
        ("Station EAP", HelpResource.Kind.EAP, "", [english, spanish]),
        ("Responder forum", HelpResource.Kind.ONLINE, "", []),
    ]:
        resource = HelpResource.objects.create(
            program=program,
            name=name,
            kind=kind,
            region=region,
            phone="0800 555 0100",
            hours="Mon–Fri 9–5",
            description=f"{name} description",
            checked_on=datetime.date(2026, 11, 2),
            sort_order=-10,  # before the crisis lines in the editor's order
        )
        resource.languages.set(languages)
        resource.save()  # a ParentalManyToManyField is written when its object is saved
        made[name] = resource
    return made


def test_the_directory_lists_every_resource_with_crisis_lines_first(client, program, directory):
    response = client.get(_url(program))
    assert response.status_code == 200
    names = _names(response)
    crisis = [r.name for r in program.help_resource_list() if r.kind == HelpResource.Kind.CRISIS]
    assert crisis, "the prebuilt program has crisis lines"
    assert names[: len(crisis)] == crisis
    assert set(directory) <= set(names[len(crisis) :])


def test_each_entry_has_its_phone_link_hours_description_check_date_and_anchor(
    client, program, directory
):
    html = client.get(_url(program)).content.decode()
    entry = directory["Station EAP"]
    block = html.split(f'id="resource-{entry.pk}"', 1)[1].split("</li>\n    <li", 1)[0]
    assert 'href="tel:08005550100"' in block
    assert "Mon–Fri 9–5" in block
    assert "Station EAP description" in block
    assert "Last checked 2 November 2026" in block
    assert "English, Spanish" in block


def test_filter_by_kind_shows_only_that_kind(client, program, directory):
    assert _names(client.get(_url(program, kind="peer_group"))) == [
        "North peer group",
        "South peer group",
    ]


def test_filter_by_region_keeps_what_serves_everywhere(client, program, directory):
    names = _names(client.get(_url(program, region="South County")))
    assert "South peer group" in names and "Station EAP" in names
    assert "North peer group" not in names
    # Crisis lines have no region: they serve everywhere, and come first.
    assert names[0] == program.crisis_lines()[0].name


def test_filter_by_language(client, program, directory):
    names = _names(client.get(_url(program, language="es")))
    assert names == ["South peer group", "Station EAP"]


def test_filters_combine(client, program, directory):
    names = _names(client.get(_url(program, kind="peer_group", language="en")))
    assert names == ["North peer group"]


def test_an_unknown_filter_value_shows_everything_and_says_why(client, program, directory):
    response = client.get(_url(program, kind="nonsense"))
    assert response.status_code == 200
    assert "Please check your answers" in response.content.decode()
    assert len(_names(response)) == len(program.help_resource_list())


def test_the_filters_are_a_labelled_plain_get_form(client, program, directory):
    html = client.get(_url(program)).content.decode()
    form = html.split('<form method="get"', 1)[1].split("</form>", 1)[0]
    assert "<script" not in html
    for name in ("kind", "region", "language"):
        assert f'<label for="id_{name}">' in form
        assert f'name="{name}"' in form
    # Only the regions and languages this program's resources have.
    assert "North County" in form and "Spanish" in form


def test_another_programs_resources_are_never_shown_or_offered(
    client, program, other_program, directory
):
    HelpResource.objects.create(
        program=other_program,
        name="River ward peer group",
        kind=HelpResource.Kind.PEER_GROUP,
        region="River Valley",
    )
    for url in (_url(program), _url(program, kind="peer_group"), _url(program, region="")):
        html = client.get(url).content.decode()
        assert "River ward peer group" not in html
        assert "River Valley" not in html
    other = _names(client.get(_url(other_program)))
    assert "River ward peer group" in other
    assert not set(directory) & set(other)
    # A region of the other program is not a choice here.
    response = client.get(_url(program, region="River Valley"))
    assert "River ward peer group" not in response.content.decode()


def test_a_program_getting_ready_shows_its_directory_to_nobody_outside(client, program):
    program.state = program.State.GETTING_READY
    program.save()
    assert client.get(_url(program)).status_code == 404


def test_the_landing_and_resources_pages_link_to_the_directory(client, program):
    landing = ProgramPage.objects.get(program=program)
    resources = ResourceIndexPage.objects.child_of(landing).get()
    for page in (landing, resources):
        assert f'href="/p/{program.slug}/help/"' in client.get(page.url).content.decode()


def test_the_directory_runs_at_most_ten_queries(
    client, program, directory, django_assert_max_num_queries
):
    client.get(_url(program, kind="peer_group", region="North County", language="en"))
    with django_assert_max_num_queries(10):
        response = client.get(
            _url(program, kind="peer_group", region="North County", language="en")
        )
    assert _names(response) == ["North peer group"]
