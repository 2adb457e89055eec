"""Staff sign-in, with a limit on failed attempts for each account."""

from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from .. import crypto, ratelimit

SCOPE = "login"


def _account_key(username: str) -> str:
    # The cache sees only a keyed hash of the account name, like every rate-limit key.
    return crypto.keyed_digest((username or "").strip().lower(), "login-account")[:32]


class StaffLoginView(auth_views.LoginView):
    """After five failed attempts an account waits out the window, whoever is trying.

    Counting by account (not by address) means one shared station network cannot lock
    everyone out, and spreading guesses over many addresses does not help an attacker.
    """

    def post(self, request, *args, **kwargs):
        key = _account_key(request.POST.get("username", ""))
        if ratelimit.exceeded(SCOPE, key):
            # Unbound, so no password is checked while the account waits; the name stays.
            form = self.get_form_class()(
                request, initial={"username": request.POST.get("username", "")}
            )
            locked_out = _(
                "Too many failed attempts for this account. Please wait 15 minutes and "
                "try again, or ask your program admin for a new set-password link."
            )
            return self.render_to_response(
                self.get_context_data(form=form, locked_out=locked_out), status=429
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.allow(SCOPE, _account_key(self.request.POST.get("username", "")))
        return super().form_invalid(form)
