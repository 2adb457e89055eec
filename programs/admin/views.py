"""Wagtail admin views for programs, members, the roster and the training ledger.

Every view narrows its rows to the programs where the person holds the needed permission
(programs.permissions via the policies), so another program's objects are neither listed
nor found: opening one by its address gives a 404.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    Panel,
    TabbedInterface,
)
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminDateInput
from wagtail.log_actions import log

from .. import permissions
from ..models import (
    Channel,
    Membership,
    Program,
    Role,
    SupporterProfile,
    TrainingCompletion,
)
from ..services import members, roster, roster_csv, setup
from .forms import (
    MembershipAddForm,
    ProgramCreateForm,
    RosterCsvConfirmForm,
    RosterCsvForm,
    RosterForm,
    TrainingCompletionForm,
    apply_errors,
)
from .policies import program_ids

# Scoping ---------------------------------------------------------------------------------


class ScopedMixin:
    """Rows come only from the programs where the user may take one of `scope_actions`."""

    scope_actions = ("view", "change", "delete")
    select_related: tuple[str, ...] = ()

    def scoped_queryset(self):
        queryset = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, self.scope_actions
        )
        return queryset.select_related(*self.select_related) if self.select_related else queryset


class ScopedIndexView(ScopedMixin, generic.IndexView):
    def get_base_queryset(self):
        return self.scoped_queryset()


class ScopedEditView(ScopedMixin, generic.EditView):
    def get_queryset(self):
        return self.scoped_queryset()


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    def get_queryset(self):
        return self.scoped_queryset()


class ScopedHistoryView(ScopedMixin, HistoryView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ScopedUsageView(ScopedMixin, UsageView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


def program_filter(lookup: str, perm: str):
    """A program filter whose choices are only the user's own programs."""

    def programs(request):
        if request is None:
            return Program.objects.none()
        return Program.objects.filter(pk__in=program_ids(request.user, perm))

    return django_filters.ModelChoiceFilter(
        field_name=lookup, queryset=programs, label=gettext_lazy("Program")
    )


class ScopedViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    search_backend_name = None
    # No reference-index rows: nothing else points at these, and saves stay cheap.
    add_to_reference_index = False
    select_related: tuple[str, ...] = ()

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(select_related=self.select_related, **kwargs)


class BreadcrumbsMixin:
    """Custom admin pages show where they are, like Wagtail's own views."""

    index_url_name = None
    index_label = ""

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.index_url_name:
            items.append({"url": reverse(self.index_url_name), "label": self.index_label})
        return items + [{"url": "", "label": self.get_page_title()}]


# Programs --------------------------------------------------------------------------------


class ProgramCreateView(
    BreadcrumbsMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView
):
    """Superusers only: the same turnkey set-up as `manage.py bootstrap_program`."""

    model = Program
    permission_required = "add"
    form_class = ProgramCreateForm
    template_name = "programs/admin/program_create.html"
    page_title = gettext_lazy("New program")
    header_icon = "site"
    index_label = gettext_lazy("Programs")

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            result = setup.program_bootstrap(
                template=data["template"],
                name=data["name"],
                slug=data["slug"],
                admin_email=data["admin_email"],
                organisation_name=data["organisation"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        log(instance=result.program, action="wagtail.create", user=self.request.user)
        return TemplateResponse(
            self.request,
            "programs/admin/program_created.html",
            {
                **self.get_context_data(form=form),
                "program": result.program,
                "changes": result.changes,
                "admin_user": result.admin,
                "invited": result.admin_invited,
                "index_url": reverse(self.index_url_name),
            },
        )


class ProgramViewSet(ScopedViewSet):
    model = Program
    name = "program_settings"
    icon = "site"
    menu_label = gettext_lazy("Programs")
    add_to_admin_menu = False
    list_display = [
        "name",
        "organisation",
        Column("kind", label=gettext_lazy("Type"), accessor="get_kind_display"),
        "is_open",
    ]
    select_related = ("organisation",)
    search_fields = ["name", "slug"]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    MultiFieldPanel(
                        [
                            FieldPanel("name"),
                            FieldPanel("slug", read_only=True),
                            FieldPanel("kind", read_only=True),
                            FieldPanel("is_open"),
                            FieldPanel("auto_assign"),
                        ],
                        heading=gettext_lazy("Program"),
                    ),
                    MultiFieldPanel(
                        [FieldPanel(f"offers_{c}") for c in Channel.values],
                        heading=gettext_lazy("Ways to get in touch"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                            FieldPanel("unit_label"),
                            FieldPanel("confidentiality_limits"),
                            FieldPanel("crisis_phrases"),
                            FieldPanel("intake_limit_per_hour"),
                            FieldPanel("expected_reply_time"),
                            FieldPanel("staffed_hours"),
                        ],
                        heading=gettext_lazy("Requests"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldPanel("default_caseload_cap"),
                            FieldPanel("retention_days"),
                            FieldPanel("requester_idle_days"),
                            FieldPanel("report_threshold"),
                        ],
                        heading=gettext_lazy("Caseloads, records and reports"),
                    ),
                ],
                heading=gettext_lazy("Settings"),
            ),
            ObjectList(
                [InlinePanel("units", label=gettext_lazy("Unit"))],
                heading=gettext_lazy("Units"),
            ),
            ObjectList(
                [InlinePanel("help_resources", label=gettext_lazy("Crisis line or help"))],
                heading=gettext_lazy("Crisis lines and help"),
            ),
            ObjectList(
                [InlinePanel("training_requirements", label=gettext_lazy("Requirement"))],
                heading=gettext_lazy("Training"),
            ),
        ]
    )

    @property
    def add_view(self):
        return ProgramCreateView.as_view(index_url_name=self.get_url_name("index"))


# Members ---------------------------------------------------------------------------------


class MembershipFilterSet(WagtailFilterSet):
    program = program_filter("program", permissions.ADMINISTER)
    role = django_filters.ChoiceFilter(choices=Role.choices, label=gettext_lazy("Role"))

    class Meta:
        model = Membership
        fields = []


class MembershipAddView(
    BreadcrumbsMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView
):
    """Add a person by email with a role; a new person is emailed a set-password link."""

    model = Membership
    permission_required = "add"
    form_class = MembershipAddForm
    template_name = "programs/admin/member_add.html"
    page_title = gettext_lazy("Add a person")
    header_icon = "user"
    index_label = gettext_lazy("People and roles")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        program = form.cleaned_data["program"]
        permissions.require(self.request.user, permissions.ADMINISTER, program)
        try:
            result = members.member_add(
                program=program,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=self.request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        if result.granted:
            log(instance=result.membership, action="wagtail.create", user=self.request.user)
        return TemplateResponse(
            self.request,
            "programs/admin/member_added.html",
            {
                **self.get_context_data(form=form),
                "membership": result.membership,
                "created": result.created,
                "granted": result.granted,
                "invited": result.invited,
                "notified": result.notified,
                "index_url": reverse(self.index_url_name),
                "add_url": self.request.path,
            },
        )


class MembershipDeleteView(ScopedDeleteView):
    page_title = gettext_lazy("Remove role")

    @property
    def confirmation_message(self):
        return _("Remove the role %(role)s in %(program)s from %(email)s?") % {
            "role": self.object.get_role_display(),
            "program": self.object.program,
            "email": self.object.user.email,
        }

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return redirect(self.index_url_name)

    def delete_action(self):
        with transaction.atomic():  # a refused removal leaves no log entry
            log(instance=self.object, action="wagtail.delete", user=self.request.user)
            members.membership_revoke(membership=self.object)


class MembershipViewSet(ScopedViewSet):
    model = Membership
    name = "people"
    icon = "user"
    menu_label = gettext_lazy("People and roles")
    add_to_admin_menu = False
    list_display = [
        Column("user", label=gettext_lazy("Person")),
        Column("role", label=gettext_lazy("Role"), accessor="get_role_display"),
        "program",
        DateColumn("created_at", label=gettext_lazy("Since")),
    ]
    select_related = ("user", "program")
    search_fields = ["user__email"]
    filterset_class = MembershipFilterSet
    delete_view_class = MembershipDeleteView
    form_fields = ["program", "user", "role"]  # unused: adding has its own view, editing none

    @property
    def add_view(self):
        return MembershipAddView.as_view(index_url_name=self.get_url_name("index"))


# Roster ----------------------------------------------------------------------------------


class StatusHistoryPanel(Panel):
    """Who moved this supporter between statuses, and when; and the training on record."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "programs/admin/status_history_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            profile = self.instance
            context["changes"] = profile.status_changes.select_related("decided_by")[:50]
            context["completions"] = profile.completions.select_related(
                "requirement", "recorded_by"
            )[:50]
            context["record_training_url"] = reverse("training:add") + f"?supporter={profile.pk}"
            return context


class RosterFilterSet(WagtailFilterSet):
    program = program_filter("program", permissions.MANAGE_ROSTER)
    status = django_filters.ChoiceFilter(
        choices=SupporterProfile.Status.choices, label=gettext_lazy("Status")
    )

    class Meta:
        model = SupporterProfile
        fields = []


class RosterEditView(ScopedEditView):
    """Saves the profile and any status move together, or neither."""

    def form_valid(self, form):
        self.form = form
        new_status = form.cleaned_data.get("new_status")
        try:
            with transaction.atomic():
                self.object = self.save_instance()
                if new_status:
                    roster.supporter_status_set(
                        supporter=self.object,
                        status=new_status,
                        actor=self.request.user,
                        reason=form.cleaned_data.get("status_reason", ""),
                    )
        except ValidationError as exc:
            apply_errors(form, exc, {"status": "new_status"})
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


class RosterViewSet(ScopedViewSet):
    model = SupporterProfile
    name = "roster"
    icon = "group"
    menu_label = gettext_lazy("Supporter roster")
    add_to_admin_menu = False
    list_display = [
        "display_name",
        Column("user", label=gettext_lazy("Email")),
        "program",
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
        "unit",
    ]
    select_related = ("user", "program", "unit")
    search_fields = ["display_name", "user__email"]
    filterset_class = RosterFilterSet
    edit_view_class = RosterEditView
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("display_name"),
                    FieldPanel("status", read_only=True),
                    FieldPanel("new_status"),
                    FieldPanel("status_reason"),
                ],
                heading=gettext_lazy("Name and status"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("unit"),
                    FieldPanel("languages", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("lived_experience", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("gender"),
                    FieldPanel("availability"),
                    FieldPanel("max_active_cases"),
                    FieldPanel("confidentiality_limits"),
                ],
                heading=gettext_lazy("Matching"),
            ),
            MultiFieldPanel(
                [FieldPanel(f"offers_{c}") for c in Channel.values],
                heading=gettext_lazy("Ways this supporter meets people"),
            ),
            StatusHistoryPanel(heading=gettext_lazy("Status history and training")),
        ],
        base_form_class=RosterForm,
    )


# Training records --------------------------------------------------------------------------


class CalendarDateColumn(Column):
    """A calendar date as a date. Wagtail's DateColumn says "Just now" for any future day."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return date_format(value, "DATE_FORMAT") if value else _("Never")


class TrainingFilterSet(WagtailFilterSet):
    program = program_filter("supporter__program", permissions.MANAGE_ROSTER)

    class Meta:
        model = TrainingCompletion
        fields = []


class TrainingIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().order_by("-completed_on", "-pk")


class TrainingCreateView(generic.CreateView):
    """Coordinators record a certificate through the roster service."""

    select_related: tuple[str, ...] = ()

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("supporter", "").isdigit():
            initial["supporter"] = int(self.request.GET["supporter"])
        return initial

    def form_valid(self, form):
        self.form = form
        data = form.cleaned_data
        try:
            with transaction.atomic():
                self.object = roster.training_completion_record(
                    supporter=data["supporter"],
                    requirement=data["requirement"],
                    completed_on=data["completed_on"],
                    reference=data.get("reference", ""),
                    actor=self.request.user,
                )
                log(instance=self.object, action="wagtail.create", user=self.request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error("supporter", _("You may not record training for this supporter."))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Recorded %(req)s for %(name)s.")
            % {"req": self.object.requirement.name, "name": self.object.supporter.display_name},
        )
        return redirect(self.index_url_name)


class TrainingCompletionViewSet(ScopedViewSet):
    model = TrainingCompletion
    name = "training"
    icon = "tasks"
    menu_label = gettext_lazy("Training records")
    add_to_admin_menu = False
    list_display = [
        Column("supporter", label=gettext_lazy("Supporter")),
        Column("requirement", label=gettext_lazy("Requirement")),
        CalendarDateColumn("completed_on", label=gettext_lazy("Completed")),
        CalendarDateColumn("expires_on", label=gettext_lazy("Expires")),
        Column("recorded_by", label=gettext_lazy("Recorded by")),
    ]
    select_related = ("supporter__program", "requirement", "recorded_by")
    search_fields = ["supporter__display_name", "requirement__name"]
    filterset_class = TrainingFilterSet
    index_view_class = TrainingIndexView
    add_view_class = TrainingCreateView
    edit_handler = ObjectList(
        [
            FieldPanel("supporter"),
            FieldPanel("requirement"),
            FieldPanel("completed_on", widget=AdminDateInput),
            FieldPanel("reference"),
        ],
        base_form_class=TrainingCompletionForm,
    )


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


class RosterCsvViewSet(ViewSet):
    name = "roster_csv"
    icon = "table"
    menu_label = gettext_lazy("Roster import and export")
    add_to_admin_menu = False

    @cached_property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        class RosterCsvMenuItem(MenuItem):
            def is_shown(self, request):
                return bool(program_ids(request.user, permissions.MANAGE_ROSTER))

        return RosterCsvMenuItem

    def get_urlpatterns(self):
        return [
            path("", RosterCsvView.as_view(), name="index"),
            path("import/", RosterCsvImportView.as_view(), name="import"),
            path("export/<int:program_id>/", roster_csv_export, name="export"),
        ]

    @property
    def menu_url(self):
        return reverse(self.get_url_name("index"))


class PeerSupportGroup(ViewSetGroup):
    menu_label = gettext_lazy("Peer support")
    menu_icon = "group"
    menu_order = 150
    items = (
        ProgramViewSet,
        MembershipViewSet,
        RosterViewSet,
        TrainingCompletionViewSet,
        RosterCsvViewSet,
    )
