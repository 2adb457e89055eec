"""Roster import and export as CSV (the work is done by services.roster_csv)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from ... import permissions
from ...models import (
    Channel,
    Program,
    SupporterProfile,
)
from ...services import roster_csv
from ..forms import (
    RosterCsvConfirmForm,
    RosterCsvForm,
)
from ..policies import program_ids
from .base import BreadcrumbsMixin

# Roster CSV ----------------------------------------------------------------------------


class RosterCsvMixin:
    def dispatch(self, request, *args, **kwargs):
        if not program_ids(request.user, permissions.MANAGE_ROSTER):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RosterCsvBase(RosterCsvMixin, BreadcrumbsMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "programs/admin/roster_csv.html"
    page_title = gettext_lazy("Roster import and export")
    header_icon = "table"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = roster_csv.COLUMNS
        context["statuses"] = SupporterProfile.Status.values
        context["channels"] = Channel.values
        return context


class RosterCsvView(RosterCsvBase):
    """Export a roster, or check an import (a dry run), which can then be confirmed."""

    form_class = RosterCsvForm

    def form_valid(self, form):
        program = form.cleaned_data["program"]
        if "export" in self.request.POST:
            return redirect(reverse("roster_csv:export", args=[program.pk]))
        csv_text = form.cleaned_data.get("file")
        if not csv_text:
            form.add_error("file", _("Choose a CSV file to import."))
            return self.form_invalid(form)
        report = roster_csv.roster_import(
            program=program, actor=self.request.user, csv_text=csv_text, dry_run=True
        )
        confirm = RosterCsvConfirmForm(
            user=self.request.user, initial={"program": program.pk, "csv_text": csv_text}
        )
        return self.render_to_response(
            self.get_context_data(form=form, report=report, confirm_form=confirm, program=program)
        )


class RosterCsvImportView(RosterCsvBase):
    """The confirmed import runs for real, and saves nothing if any row fails."""

    form_class = RosterCsvConfirmForm
    http_method_names = ["post"]

    def form_invalid(self, form):
        raise PermissionDenied  # only a tampered form or another program's id gets here

    def form_valid(self, form):
        program = form.cleaned_data["program"]
        report = roster_csv.roster_import(
            program=program,
            actor=self.request.user,
            csv_text=form.cleaned_data["csv_text"],
            dry_run=False,
        )
        return self.render_to_response(
            self.get_context_data(
                form=RosterCsvForm(user=self.request.user, initial={"program": program.pk}),
                report=report,
                program=program,
            )
        )


def roster_csv_export(request, program_id):
    """The roster of one of the user's programs as a CSV download; 404 for any other."""
    program = Program.objects.filter(
        pk=program_id, pk__in=program_ids(request.user, permissions.MANAGE_ROSTER)
    ).first()
    if program is None:
        raise Http404
    response = HttpResponse(
        roster_csv.roster_export(program=program, actor=request.user),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="roster-{slugify(program.slug)}.csv"'
    response["Cache-Control"] = "no-store"
    return response


class RosterCsvMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(program_ids(request.user, permissions.MANAGE_ROSTER))


class RosterCsvViewSet(ViewSet):
    name = "roster_csv"
    icon = "table"
    menu_label = gettext_lazy("Roster import and export")
    add_to_admin_menu = False

    menu_item_class = RosterCsvMenuItem

    def get_urlpatterns(self):
        return [
            path("", RosterCsvView.as_view(), name="index"),
            path("import/", RosterCsvImportView.as_view(), name="import"),
            path("export/<int:program_id>/", roster_csv_export, name="export"),
        ]

    @property
    def menu_url(self):
        return reverse(self.get_url_name("index"))
