"""Audit rows are written by services inside the same transaction as the change."""

from typing import Any

from accounts.models import AuditEvent


def record(
    *, user, actor, action: str, target: Any, detail: dict[str, Any] | None = None
) -> AuditEvent:
    return AuditEvent.objects.create(
        user=user,
        actor=actor,
        action=action,
        target_type=type(target).__name__,
        target_id=str(getattr(target, "pk", "") or ""),
        detail=detail or {},
    )
