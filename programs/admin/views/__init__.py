"""Wagtail admin views for programs, members, the roster and the training ledger.

Every view narrows its rows to the programs where the person holds the needed permission
(programs.permissions via the policies), so another program's objects are neither listed
nor found: opening one by its address gives a 404.
"""

from django.utils.translation import gettext_lazy
from wagtail.admin.viewsets.base import ViewSetGroup

from .members import MembershipViewSet
from .programs import ProgramViewSet
from .roster import RosterViewSet
from .roster_csv import RosterCsvViewSet
from .training import TrainingCompletionViewSet

__all__ = ["PeerSupportGroup"]


class PeerSupportGroup(ViewSetGroup):
    menu_label = gettext_lazy("Peer support")
    menu_icon = "group"
    menu_order = 150
    items = (
        ProgramViewSet,
        MembershipViewSet,
        RosterViewSet,
        TrainingCompletionViewSet,
        RosterCsvViewSet,
    )
