"""Staff sign-in: one door (allauth's), with a limit on failed attempts for each account.

Every other login route in the stack (Wagtail's admin and front-end logins, the browsable
API's) redirects here, so the per-account limit and the second factor hold everywhere.
"""

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from .. import crypto, ratelimit, security


class StaffLoginView(allauth_views.LoginView):
    """After five failed attempts an account waits out the window, whoever is trying.

    Counting by account (not by address) means one shared station network cannot lock
    everyone out, and spreading guesses over many addresses does not help an attacker.
    A waiting account's password is not checked at all (see StaffAccountAdapter).
    """

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(self.request, "toolkit_login_locked", False):
            response.status_code = 429
        return response


class StaffPasswordResetView(allauth_views.PasswordResetView):
    """Same answer whether or not the account exists; limited per address and per account."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        per_client = ratelimit.allow(security.RESET_SCOPE, getattr(self.request, "client_key", ""))
        per_account = ratelimit.allow(
            security.RESET_SCOPE, crypto.keyed_digest(email, "reset-account")[:32]
        )
        if not (per_client and per_account):
            return self.render_to_response(
                self.get_context_data(form=form, limited=True), status=429
            )
        form.save(self.request)
        return HttpResponseRedirect(self.get_success_url())


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The invitation link: choose a password, then sign in (with a second factor)."""

    post_reset_login = False  # signing in here would skip the second factor

    def get_success_url(self):
        messages.success(self.request, _("Your password is saved. Sign in with it now."))
        return reverse("login")


def to_sign_in(request, *args, **kwargs):
    """An old login route: send the person to the one sign-in door, keeping ?next."""
    target = reverse("login")
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target += "?" + urlencode({"next": next_url})
    return HttpResponseRedirect(target)
