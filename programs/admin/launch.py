"""The launch checklist in the admin: a panel on the dashboard for each program the user
administers, and the program's launch screen with the Open, Close and Confirm buttons.

The rules are in programs/launch.py and the writes in programs/services/launch.py; this
module only shows them and posts to them.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import launch, permissions
from ..models import Program
from ..services import launch as launch_services
from .views.base import BreadcrumbsMixin

LAUNCH_URL = "program_settings:launch"


def _fix_url(key: str, program: Program) -> str:
    """Where the admin goes to do what an item asks."""
    if key == launch.COORDINATOR:
        return reverse("people:add")
    if key == launch.SUPPORTERS:
        return reverse("roster:index")
    if key in (launch.CRISIS_LINES, launch.CONFIDENTIALITY):
        return reverse(LAUNCH_URL, args=[program.pk])
    return reverse("program_settings:edit", args=[program.pk])


def checklist_rows(program: Program) -> list[dict]:
    return [
        {"item": item, "url": _fix_url(item.key, program)} for item in launch.checklist(program)
    ]


class LaunchChecklistPanel(Component):
    """Shown first on the dashboard of a program admin: each of their programs' state, and
    for those not yet open, what is still missing."""

    template_name = "programs/admin/launch_panel.html"
    order = 50

    def __init__(self, programs):
        self.programs = programs

    @classmethod
    def for_user(cls, user):
        programs = list(permissions.programs_for(user, permissions.ADMINISTER).order_by("name"))
        return cls(programs) if programs else None

    def get_context_data(self, parent_context=None):
        return {
            "rows": [
                {
                    "program": program,
                    "items": checklist_rows(program) if not program.accepts_requests else [],
                    "url": reverse(LAUNCH_URL, args=[program.pk]),
                }
                for program in self.programs
            ]
        }


class LaunchView(BreadcrumbsMixin, WagtailAdminTemplateMixin, TemplateView):
    """The program's state, its checklist, and the buttons that change them (POST only).

    Only an admin of this program: anyone else gets a 404, as for every program screen."""

    template_name = "programs/admin/launch.html"
    page_title = gettext_lazy("Launch")
    header_icon = "site"
    index_url_name = "program_settings:index"
    index_label = gettext_lazy("Programs")
    ACTIONS = ("open", "close", "confirm_crisis_lines", "confirm_confidentiality")

    def dispatch(self, request, pk, *args, **kwargs):
        self.program = get_object_or_404(
            permissions.programs_for(request.user, permissions.ADMINISTER), pk=pk
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.program.name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = checklist_rows(self.program)
        context.update(
            program=self.program,
            rows=rows,
            complete=all(row["item"].done for row in rows),
            edit_url=reverse("program_settings:edit", args=[self.program.pk]),
            history_url=reverse("program_settings:history", args=[self.program.pk]),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action not in self.ACTIONS:
            raise Http404
        try:
            if action == "open":
                launch_services.program_open(program=self.program, actor=request.user)
                messages.success(request, _("%(p)s is open.") % {"p": self.program.name})
            elif action == "close":
                launch_services.program_close(program=self.program, actor=request.user)
                messages.success(
                    request,
                    _("%(p)s is closed: no new requests. Existing requesters can still reply.")
                    % {"p": self.program.name},
                )
            else:
                what = action.removeprefix("confirm_")
                launch_services.program_confirm(program=self.program, actor=request.user, what=what)
                messages.success(request, _("Thank you: recorded as reviewed."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return self.render_to_response(self.get_context_data(), status=400)
        return HttpResponseRedirect(reverse(LAUNCH_URL, args=[self.program.pk]))
