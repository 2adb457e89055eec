"""Publishing a program's pages: its editor submits, its moderators approve or send back.

Driven through the Wagtail admin's own views, as a person in a browser would.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Page, TaskState, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms import editorial
from cms.models import ArticleIndexPage, ArticlePage, HomePage, ProgramPage
from programs.models import Membership, Program, Role
from programs.services import members
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(admin):
    return admin  # a program's admins moderate its pages by default


@pytest.fixture
def writer(program):
    return make_member(program, Role.EDITOR, email="writer@example.org")


@pytest.fixture
def other_writer(other_program):
    return make_member(other_program, Role.EDITOR, email="river-writer@example.org")


def articles(program) -> ArticleIndexPage:
    return ArticleIndexPage.objects.descendant_of(ProgramPage.objects.get(program=program)).get()


def article_form(title, **extra):
    return nested_form_data(
        {
            "title": title,
            "slug": "back-on-shift",
            "date": "2026-11-30",
            "summary": "What a first shift back is like.",
            "body": streamfield([("paragraph", rich_text("<p>It gets easier.</p>"))]),
            **extra,
        }
    )


def draft(client, user, program, title="Back on shift") -> ArticlePage:
    client.force_login(user)
    url = reverse("wagtailadmin_pages:add", args=("cms", "articlepage", articles(program).pk))
    response = client.post(url, article_form(title))
    assert response.status_code == 302, response.content.decode()[:2000]
    return ArticlePage.objects.get(draft_title=title)


def submit(client, page, title=None):
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    return client.post(url, article_form(title or page.draft_title, **{"action-submit": "Submit"}))


def task_state(page) -> TaskState:
    return TaskState.objects.get(
        workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS
    )


def act(client, page, action, comment=""):
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state(page).pk))
    return client.post(url, {"comment": comment})


def refused(response) -> bool:
    """Wagtail answers 403, or sends the person back to the dashboard with a message."""
    return response.status_code in (403, 404) or (
        response.status_code == 302 and response["Location"] in ("/admin/", "/admin/login/")
    )


def sent_to(user):
    return [m for m in mail.outbox if user.email in m.to]


# The journey


def test_an_editors_article_is_reviewed_by_the_programs_moderator_and_published(
    client, program, writer, moderator, other_program_admin
):
    page = draft(client, writer, program)
    assert not page.live

    response = submit(client, page)
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_state.workflow == editorial.review_workflow(
        ProgramPage.objects.get(program=program)
    )
    [notice] = sent_to(moderator)
    assert "Back on shift" in notice.subject
    assert not sent_to(other_program_admin)  # B's moderators hear nothing of A's pages

    client.force_login(moderator)
    assert "Back on shift" in client.get(reverse("wagtailadmin_home")).content.decode()
    response = act(client, page, "approve", comment="Lovely, thank you.")
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.current_workflow_state is None
    client.logout()
    public = client.get(page.url)
    assert public.status_code == 200 and "It gets easier." in public.content.decode()
    [approved] = sent_to(writer)
    assert "Back on shift" in approved.subject and "approved" in approved.subject.lower()


def test_a_moderator_sends_an_article_back_with_a_comment_the_editor_reads(
    client, program, writer, moderator
):
    page = draft(client, writer, program)
    submit(client, page)
    client.force_login(moderator)
    act(client, page, "reject", comment="Please add where to get help.")
    page.refresh_from_db()
    assert not page.live
    [sent_back] = sent_to(writer)
    assert "Please add where to get help." in sent_back.body
    # The editor can change it and submit again.
    client.force_login(writer)
    assert submit(client, page, title="Back on shift, again").status_code == 302
    page.refresh_from_db()
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert len(sent_to(moderator)) == 2  # told of the first submission, then again


def test_an_editor_cannot_publish_without_review(client, program, writer):
    page = draft(client, writer, program)
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    client.post(url, article_form(page.draft_title, **{"action-publish": "Publish"}))
    page.refresh_from_db()
    assert not page.live


# Another program's people


def test_another_programs_editor_cannot_open_edit_or_submit_the_page(
    client, program, writer, other_writer
):
    page = draft(client, writer, program)
    client.force_login(other_writer)
    # The explorer sends them to their own program's section instead.
    own = ProgramPage.objects.get(program=other_writer.memberships.get().program)
    explore = client.get(reverse("wagtailadmin_explore", args=(articles(program).pk,)))
    assert explore["Location"] == reverse("wagtailadmin_explore", args=(own.pk,))
    for name, args in [
        ("wagtailadmin_pages:edit", (page.pk,)),
        ("wagtailadmin_pages:add", ("cms", "articlepage", articles(program).pk)),
        ("wagtailadmin_pages:delete", (page.pk,)),
    ]:
        assert refused(client.get(reverse(name, args=args))), name
    response = submit(client, page, title="Hijacked")
    assert refused(response)
    page.refresh_from_db()
    assert page.draft_title == "Back on shift"
    assert not WorkflowState.objects.filter(object_id=str(page.pk)).exists()
    # The refusal says why, on the dashboard.
    followed = client.get(response["Location"]) if response.status_code == 302 else response
    assert "permission" in followed.content.decode().lower()


def test_another_programs_moderator_cannot_approve_or_reject(
    client, program, writer, moderator, other_program_admin
):
    page = draft(client, writer, program)
    submit(client, page)
    client.force_login(other_program_admin)
    for action in ("approve", "reject"):
        assert refused(act(client, page, action, comment="not mine")), action
    page.refresh_from_db()
    assert not page.live
    assert task_state(page).status == TaskState.STATUS_IN_PROGRESS
    assert refused(client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))))


def test_a_program_editor_cannot_touch_the_sites_own_pages(client, program, writer):
    client.force_login(writer)
    home = HomePage.objects.get()
    assert refused(client.get(reverse("wagtailadmin_pages:edit", args=(home.pk,))))
    # The explorer starts at the editor's own section.
    explorer = client.get(reverse("wagtailadmin_explore_root"))
    own = ProgramPage.objects.get(program=program)
    assert explorer["Location"] == reverse("wagtailadmin_explore", args=(own.pk,))


def test_a_coordinator_or_supporter_has_no_page_rights(program, coordinator, supporter):
    page = articles(program)
    for user in (coordinator, supporter):
        perms = page.permissions_for_user(user)
        assert not perms.can_edit() and not perms.can_add_subpage()


# Groups follow roles


def test_roles_put_people_in_the_programs_editors_and_moderators_groups(program, writer, moderator):
    editors = Group.objects.get(name=members.editors_group_name(program))
    moderators = Group.objects.get(name=members.moderators_group_name(program))
    assert list(editors.user_set.all()) == [writer]
    assert moderator in moderators.user_set.all()
    assert writer not in moderators.user_set.all()

    members.membership_revoke(membership=Membership.objects.get(user=writer, program=program))
    assert not editors.user_set.filter(pk=writer.pk).exists()
    members.membership_revoke(membership=Membership.objects.get(user=moderator, program=program))
    assert not moderators.user_set.filter(pk=moderator.pk).exists()


def test_setting_up_again_changes_nothing_and_restores_a_missing_workflow(program):
    program_page = ProgramPage.objects.get(program=program)
    assert editorial.editorial_ensure(program=program, program_page=program_page) == []
    workflow = editorial.review_workflow(program_page)
    [task] = workflow.tasks.specific()
    assert list(task.groups.values_list("name", flat=True)) == [
        members.moderators_group_name(program)
    ]
    workflow.workflow_pages.all().delete()
    editorial.editorial_ensure_all()
    assert editorial.review_workflow(program_page) is not None
    assert Page.objects.get(pk=program_page.pk).specific.get_workflow() is not None


def test_a_programs_old_content_group_becomes_its_moderators_group(program, admin):
    moderators = Group.objects.get(name=members.moderators_group_name(program))
    moderators.name = f"{program.slug} content"
    moderators.save()
    editorial.editorial_ensure_all()
    moderators.refresh_from_db()
    assert moderators.name == members.moderators_group_name(program)
    assert admin in moderators.user_set.all()
    assert not Group.objects.filter(name=f"{program.slug} content").exists()


def test_the_sites_own_pages_keep_wagtails_default_workflow(program):
    home = HomePage.objects.get()
    program_page = ProgramPage.objects.get(program=program)
    assert home.get_workflow() != program_page.get_workflow()
    assert articles(program).get_workflow() == program_page.get_workflow()


# Landing


def test_an_editor_sees_the_admin_on_their_home_page(client, writer):
    client.force_login(writer)
    html = client.get(reverse("programs:home")).content.decode()
    assert 'href="/admin/"' in html
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


# The demo


@pytest.fixture
def demo(db):
    """The demo loaded into a site without the session's prebuilt programs (as test_demo)."""
    for page in ProgramPage.objects.all():
        page.delete()
    Program.objects.all().delete()
    get_user_model().objects.all().delete()
    call_command("load_demo", "--force", stdout=StringIO())
    mail.outbox.clear()
    users = get_user_model().objects
    return {
        "program": Program.objects.get(slug="northfield-fire"),
        "other": Program.objects.get(slug="brightline"),
        "editor": users.get(email="editor@demo.example.org"),
        "admin": users.get(email="hr@northfield-fire.example.org"),
        "other_admin": users.get(email="people@brightline.example.org"),
    }


def test_the_demo_editor_publishes_an_article_once_the_demo_admin_approves(client, demo):
    editor, admin = demo["editor"], demo["admin"]
    page = draft(client, editor, demo["program"])
    assert submit(client, page).status_code == 302
    assert sent_to(admin) and not sent_to(demo["other_admin"])
    # Brightline's pages are not the demo editor's to change.
    other_page = ProgramPage.objects.get(program=demo["other"])
    assert refused(client.get(reverse("wagtailadmin_pages:edit", args=(other_page.pk,))))

    client.force_login(admin)
    act(client, page, "approve", comment="Thanks, Erin.")
    page.refresh_from_db()
    assert page.live
    client.logout()
    assert client.get(page.url).status_code == 200
    assert sent_to(editor)
