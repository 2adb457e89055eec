"""Wagtail's user screens, with one rule added: two accounts never share an email, in any case.

The database refuses a second account with the same email (a unique index on LOWER(email));
these forms say so as a field error instead of letting the save fail with a server error.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet


class _UniqueEmail:
    def clean_email(self):
        email = self.cleaned_data["email"]
        others = get_user_model().objects.filter(email__iexact=email.strip())
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Another account already uses this email address."))
        return email


class StaffUserCreationForm(_UniqueEmail, UserCreationForm):
    pass


class StaffUserEditForm(_UniqueEmail, UserEditForm):
    pass


class StaffUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return StaffUserEditForm if for_update else StaffUserCreationForm
