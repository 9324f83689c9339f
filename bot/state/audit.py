"""The audit log of the communications group's commands (announcements, documents): every attempt,
allowed or refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from bot.state.db import Database, changed
from bot.state.models import AuditEntry

ROWS_KEPT = 200_000  # the newest rows, whatever their age: a flood of refusals cannot fill the disk


def record(
    db: Database,
    *,
    action: str,
    actor: str,
    source: str,
    allowed: bool,
    reason: str | None = None,
    announcement_id: int | None = None,
    document: str | None = None,
) -> None:
    with db.session() as session:
        session.add(
            AuditEntry(
                action=action,
                actor=actor[:200],
                source=source,
                allowed=allowed,
                reason=reason[:500] if reason else None,
                announcement_id=announcement_id,
                document=document[:200] if document else None,
            )
        )


def entries(db: Database, *, limit: int = 200) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


def prune(db: Database, retention_days: int, rows_kept: int = ROWS_KEPT) -> int:
    """Delete entries older than the retention period (0 keeps them by age) and any beyond the newest
    `rows_kept`; how many went."""
    with db.session() as session:
        gone = 0
        if retention_days > 0:
            cutoff = datetime.now(UTC) - timedelta(days=retention_days)
            gone += changed(session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)))
        oldest_kept = session.scalars(
            select(AuditEntry.id).order_by(AuditEntry.id.desc()).offset(rows_kept - 1).limit(1)
        ).first()
        if oldest_kept is not None:
            gone += changed(session.execute(delete(AuditEntry).where(AuditEntry.id < oldest_kept)))
        return gone
