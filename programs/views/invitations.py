"""Accepting an invitation: the person chooses their first password."""

from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ..services import members

SESSION_KEY = "_invitation_token"
INTERNAL_TOKEN = "set-password"  # noqa: S105 - a marker, not a secret


@never_cache
@sensitive_post_parameters()
def accept(request, token):
    """The link's token moves into the session at once, so it never sits in a Referer."""
    if token != INTERNAL_TOKEN:
        request.session[SESSION_KEY] = token
        return redirect("invitation_accept", token=INTERNAL_TOKEN)
    invitation = members.invitation_get(token=request.session.get(SESSION_KEY, ""))
    if invitation is None:
        return render(request, "registration/invitation.html", {"invalid": True}, status=404)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        members.invitation_accept(
            invitation=invitation, password=form.cleaned_data["new_password1"]
        )
        request.session.pop(SESSION_KEY, None)
        return render(request, "registration/invitation.html", {"done": True})
    context = {"form": form, "program": invitation.program, "email": invitation.user.email}
    return render(request, "registration/invitation.html", context)
