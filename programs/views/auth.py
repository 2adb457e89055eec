"""Staff sign-in: one door (allauth's), with a limit on failed attempts for each account.

Every other login route in the stack (Wagtail's admin and front-end logins, the browsable
API's) redirects here, so the per-account limit and the second factor hold everywhere.
"""

from allauth.account import views as allauth_views
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from privacy import crypto, ratelimit

from .. import permissions, security
from ..services import second_factor


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


def to_sign_in(request, *args, **kwargs):
    """An old login route: send the person to the one sign-in door, keeping ?next."""
    target = reverse("login")
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target += "?" + urlencode({"next": next_url})
    return HttpResponseRedirect(target)


@login_required
def second_factors(request, slug):
    """A coordinator's or admin's list of colleagues, with a reset for a lost phone."""
    program = get_object_or_404(
        permissions.programs_for(request.user, permissions.MANAGE_ROSTER), slug=slug
    )
    if request.method == "POST":
        person = get_object_or_404(get_user_model(), pk=request.POST.get("person") or 0)
        try:
            second_factor.second_factor_reset(person=person, program=program, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text or _("You may not reset this person's second factor."))
        else:
            messages.success(
                request,
                _("%(email)s will set up a new authenticator app at their next sign-in.")
                % {"email": person.email},
            )
        return redirect("second_factors", slug=program.slug)
    people = (
        get_user_model()
        .objects.filter(memberships__program=program)
        .exclude(pk=request.user.pk)
        .distinct()
        .order_by("email")
    )
    enrolled = set(
        Authenticator.objects.filter(user__in=people, type__in=security.SECOND_FACTORS).values_list(
            "user_id", flat=True
        )
    )
    rows = [(person, person.pk in enrolled) for person in people]
    return render(request, "account/second_factors.html", {"program": program, "rows": rows})
