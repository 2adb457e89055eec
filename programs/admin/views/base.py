"""Scoping shared by every admin screen: rows only from the programs the person may see."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet

from ...models import (
    Program,
)
from ..policies import program_ids

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
