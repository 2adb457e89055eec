"""Training records: completions entered by coordinators."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.widgets import AdminDateInput
from wagtail.log_actions import log

from ... import permissions
from ...models import (
    TrainingCompletion,
)
from ...services import roster
from ..forms import (
    TrainingCompletionForm,
    apply_errors,
)
from .base import ScopedIndexView, ScopedViewSet, program_filter

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
