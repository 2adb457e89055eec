"""The program admin in Wagtail: programs, people, the roster and training records.

Permission policies are registered first, before Wagtail can fall back to its
model-permission policy for these models. Support requests, messages, notes and case
events are deliberately absent from every admin.
"""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from programs.admin.policies import POLICIES

for _model, _policy in POLICIES.items():
    register_permission_policy(_model, _policy)

from programs.admin.views import PeerSupportGroup  # noqa: E402


@hooks.register("register_admin_viewset")
def register_peer_support_admin():
    return PeerSupportGroup()


@hooks.register("register_log_actions")
def register_second_factor_log_action(actions):
    from django.utils.translation import gettext_lazy as _

    actions.register_action(
        "programs.second_factor_reset", _("Reset second factor"), _("Second factor reset")
    )
    actions.register_action("programs.program_opened", _("Open program"), _("Program opened"))
    actions.register_action("programs.program_closed", _("Close program"), _("Program closed"))
    actions.register_action(
        "programs.crisis_lines_reviewed", _("Review crisis lines"), _("Crisis lines reviewed")
    )
    actions.register_action(
        "programs.confidentiality_reviewed",
        _("Review confidentiality text"),
        _("Confidentiality text reviewed"),
    )


@hooks.register("construct_homepage_panels")
def add_launch_checklists(request, panels):
    from programs.admin.launch import LaunchChecklistPanel

    panel = LaunchChecklistPanel.for_user(request.user)
    if panel is not None:
        panels.insert(0, panel)
