"""The roster: each supporter's profile and status history."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    MultiFieldPanel,
    ObjectList,
    Panel,
)
from wagtail.admin.ui.tables import Column

from ... import permissions
from ...models import (
    Channel,
    SupporterProfile,
)
from ...services import roster
from ..forms import (
    RosterForm,
    apply_errors,
)
from .base import (
    ScopedEditView,
    ScopedViewSet,
    program_filter,
)

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
