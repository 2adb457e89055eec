"""The API: check the shape of the input, call a service or a selector, choose what to show.

Every rule lives in programs/services, programs/selectors and programs/permissions; these
views only call them. Cases the caller may not see are a 404. Every read or write of a case
is audit-logged with via="api". One module per screen; api/urls.py names them from here.
"""

from .actions import (
    CaseAcceptView,
    CaseCloseView,
    CaseDeclineView,
    CaseHandoverView,
    CaseReferView,
    CaseStatusView,
)
from .audit import AuditView
from .caseload import CaseDetailView, CaseloadView, CaseMessagesView, CaseNotesView
from .coordinator import CaseAssignView, QueueView
from .plans import CasePlanView, RequestCopyView, RequestPlanView  # issue 15
from .programs import ProgramListView, ReportView
from .public import IntakeFormView, ResourcesView
from .requester import (
    ProgramRequestsView,
    RequestLookupView,
    RequestMessagesView,
    RequestWithdrawView,
)
from .roster import RosterEntryView, RosterView
from .tokens import TokenDetailView, TokenListView

__all__ = [
    "AuditView",
    # issue 15: safety plan and the requester's copy
    "CasePlanView",
    "RequestCopyView",
    "RequestPlanView",
    "CaseAcceptView",
    "CaseCloseView",
    "CaseDeclineView",
    "CaseHandoverView",
    "CaseReferView",
    "CaseStatusView",
    "CaseAssignView",
    "CaseDetailView",
    "CaseMessagesView",
    "CaseNotesView",
    "CaseloadView",
    "IntakeFormView",
    "ProgramListView",
    "ProgramRequestsView",
    "QueueView",
    "ReportView",
    "RequestLookupView",
    "RequestMessagesView",
    "RequestWithdrawView",
    "ResourcesView",
    "RosterEntryView",
    "RosterView",
    "TokenDetailView",
    "TokenListView",
]
