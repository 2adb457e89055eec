"""The program audit trail: one function writes every sensitive action."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import AuditEntry, CaseAccess, Program
from ..selectors_audit import case_ref_normalise


def audit_record(
    *, program: Program, actor, action: str, target: str = "", data: dict | None = None
) -> AuditEntry:
    """Write one audit row. `target` and `data` must never carry a request's content."""
    return AuditEntry.objects.create(
        program=program,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target=target[:200],
        data=data or {},
    )


def case_label(case) -> str:
    """A case as staff see it: the first eight characters of its id."""
    return f"#{str(case.pk)[:8]}"


def audit_purge_expired(*, now=None) -> int:
    """Delete audit rows (AuditEntry and CaseAccess) older than each program's audit
    retention; the purge itself is recorded, by count, in the program's trail."""
    now = now or timezone.now()
    removed = 0
    for program in Program.objects.only("pk", "audit_retention_days"):
        cutoff = now - timedelta(days=program.audit_retention_days)
        with transaction.atomic():
            entries, _ = AuditEntry.objects.filter(program=program, at__lt=cutoff).delete()
            accesses, _ = CaseAccess.objects.filter(program=program, at__lt=cutoff).delete()
            if entries or accesses:
                audit_record(
                    program=program,
                    actor=None,
                    action=AuditEntry.Action.PURGE,
                    target="audit",
                    data={"audit_entries": entries, "case_accesses": accesses},
                )
        removed += entries + accesses
    return removed


def audit_read_record(
    *, program: Program, actor, case_ref: str, page: int, filters: dict, via: str
) -> AuditEntry:
    """Reading the audit trail is itself audited: which page, which filters, which case
    number looked up (web and API alike)."""
    return audit_record(
        program=program,
        actor=actor,
        action=AuditEntry.Action.AUDIT_VIEW,
        target=f"#{case_ref_normalise(case_ref)}" if case_ref else "",
        data={
            "via": via,
            "page": page,
            **{k: str(v) for k, v in filters.items() if v and k not in ("case", "page")},
        },
    )
