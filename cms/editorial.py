"""Who writes and who publishes a program's pages.

Each program has an editors group (add and change pages in the program's section, never
publish) and a moderators group (add, change and publish there; the program's admins are
in it). Pages in the section go through the program's own review workflow: one approval
step for its moderators, who get Wagtail's email when something is submitted; the editor
gets one when it is approved or sent back with a comment. The site's own pages (the home
page and anything outside a program's section) keep Wagtail's default workflow.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from programs.services import members

EDITOR_PERMISSIONS = ["add_page", "change_page"]
MODERATOR_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def _grant(group: Group, program_page: Page, codenames: list[str]) -> None:
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=program_page,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )


def review_workflow(program_page: Page) -> Workflow | None:
    link = WorkflowPage.objects.filter(page=program_page).select_related("workflow").first()
    return link.workflow if link else None


@transaction.atomic
def editorial_ensure(*, program, program_page: Page) -> list[str]:
    """Give the program's groups their rights on its section and attach its review workflow.

    Safe to run again: nothing that exists is changed, so a workflow an operator chose for
    the section in the admin stays.
    """
    changes: list[str] = []
    editors, moderators = members.editorial_groups_ensure(program=program)
    _grant(editors, program_page, EDITOR_PERMISSIONS)
    _grant(moderators, program_page, MODERATOR_PERMISSIONS)
    if review_workflow(program_page) is None:
        workflow = Workflow.objects.create(
            name=_("%(program)s review") % {"program": program.name}, active=True
        )
        task = GroupApprovalTask.objects.create(
            name=_("%(program)s moderators approve") % {"program": program.name}
        )
        task.groups.set([moderators])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.create(workflow=workflow, page=program_page)
        changes.append(_("set up the review of the program's pages by its moderators"))
    return changes


def editorial_ensure_all() -> None:
    """For programs made before the review workflow existed (run after every migrate)."""
    from .models import ProgramPage

    for program_page in ProgramPage.objects.select_related("program").exclude(program=None):
        editorial_ensure(program=program_page.program, program_page=program_page)
