"""Programs: creating one from a blueprint, and its settings."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from ... import permissions
from ...models import (
    AuditEntry,
    Channel,
    Program,
)
from ...services import setup
from ...services.audit import audit_record
from ..forms import (
    ProgramCreateForm,
    apply_errors,
)
from .base import BreadcrumbsMixin, ScopedEditView, ScopedViewSet

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
                country=data["country"] or "US",
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


class ProgramEditView(ScopedEditView):
    def save_instance(self):
        """Save, and write which settings changed (their names, never values) to the trail."""
        changed = list(self.form.changed_data)
        changed += [
            name
            for name, formset in getattr(self.form, "formsets", {}).items()
            if formset.has_changed()
        ]
        with transaction.atomic():
            instance = super().save_instance()
            if changed:
                audit_record(
                    program=instance,
                    actor=self.request.user,
                    action=AuditEntry.Action.SETTINGS,
                    target=instance.name,
                    data={"fields": sorted(changed)},
                )
        return instance

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if permissions.user_can(self.request.user, permissions.ADMINISTER, self.object):
            buttons.insert(
                0,
                Button(
                    gettext_lazy("Launch checklist, open or close"),
                    url=reverse("program_settings:launch", args=[self.object.pk]),
                    icon_name="tasks",
                    priority=5,
                ),
            )
        return buttons


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
        Column("state", label=gettext_lazy("State"), accessor="get_state_display"),
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
                            FieldPanel("country"),
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
                            FieldPanel("audit_retention_days"),
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

    edit_view_class = ProgramEditView

    def get_urlpatterns(self):
        from ..launch import LaunchView

        return super().get_urlpatterns() + [
            path("launch/<int:pk>/", LaunchView.as_view(), name="launch"),
        ]

    @property
    def add_view(self):
        return ProgramCreateView.as_view(index_url_name=self.get_url_name("index"))
