"""Every public page of a program's section: it renders, and crisis lines are one tap away."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page

from cms.models import (
    ArticlePage,
    HomePage,
    NewsletterIssuePage,
    ProgramPage,
    ResourcePage,
    TrainingIndexPage,
    TrainingModulePage,
)
from programs.services.members import editors_group_name, moderators_group_name

pytestmark = pytest.mark.django_db


def _section_pages(program):
    landing = ProgramPage.objects.get(program=program)
    return [landing, *landing.get_descendants().live().specific()]


def test_every_page_of_a_new_program_renders_with_its_crisis_lines(client, program):
    pages = _section_pages(program)
    assert {type(p) for p in pages} >= {ProgramPage, ArticlePage, ResourcePage, NewsletterIssuePage}
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        assert 'href="tel:988"' in html, page.url
        assert "Leave this site quickly" in html


def test_program_landing_page_links_to_the_request_and_status_pages(client, program):
    html = client.get(ProgramPage.objects.get(program=program).url).content.decode()
    assert f"/p/{program.slug}/request/" in html
    assert f"/p/{program.slug}/status/" in html


def test_home_page_lists_every_program(client, program, other_program):
    html = client.get(HomePage.objects.get().url).content.decode()
    assert program.name in html and other_program.name in html


def test_crisis_lines_follow_the_programs_settings(client, program):
    line = program.help_resources.get(phone="988")
    line.phone = "0800 555 0199"
    line.save()
    html = client.get(ProgramPage.objects.get(program=program).url).content.decode()
    assert 'href="tel:08005550199"' in html
    assert 'href="tel:988"' not in html


def test_training_module_page_points_back_to_marking_it_complete(client, program):
    index = TrainingIndexPage.objects.descendant_of(ProgramPage.objects.get(program=program)).get()
    module = index.add_child(instance=TrainingModulePage(title="Listening well", slug="listening"))
    html = client.get(module.url).content.decode()
    assert "/caseload/training/" in html


@pytest.mark.parametrize("group_name", [editors_group_name, moderators_group_name])
def test_bootstrap_gives_the_programs_groups_rights_on_its_section_only(
    program, other_program, group_name
):
    group = Group.objects.get(name=group_name(program))
    pages = set(group.page_permissions.values_list("page_id", flat=True))
    assert pages == {ProgramPage.objects.get(program=program).pk}
    other_landing = ProgramPage.objects.get(program=other_program)
    assert other_landing.pk not in pages
    assert Page.objects.filter(pk__in=pages).count() == 1
