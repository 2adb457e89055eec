"""The program audit trail: one function writes every sensitive action."""

from __future__ import annotations

from ..models import AuditEntry, Program


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
