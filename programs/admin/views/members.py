"""People and roles: adding a person by email, and taking a role away (never the last admin)."""

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.log_actions import log

from ... import permissions
from ...models import (
    Membership,
    Role,
)
from ...services import members
from ..forms import (
    MembershipAddForm,
    apply_errors,
)
from .base import (
    BreadcrumbsMixin,
    ScopedDeleteView,
    ScopedViewSet,
    program_filter,
)

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
            members.membership_revoke(membership=self.object, actor=self.request.user)


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
