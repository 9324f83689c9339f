"""The audit log of the communications group's commands (announcements, documents): every attempt,
allowed or refused."""

from __future__ import annotations

from sqlalchemy import select

from bot.state.db import Database
from bot.state.models import AuditEntry


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
