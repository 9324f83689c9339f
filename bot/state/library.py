"""Records of the documents the communications group added: written when a document is read and
shown to its adder, updated as it is confirmed, refreshed or removed. A removed record stays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.state.db import Database, changed
from bot.state.models import LibraryDocument, LibraryStatus

ACTIVE = (LibraryStatus.PENDING, LibraryStatus.INDEXED)  # statuses that hold their doc id


def create(db: Database, **fields: object) -> tuple[LibraryDocument, bool]:
    """A new record, or the existing one for the same `key` (created=False): Slack may deliver an
    upload twice, an API client may retry."""
    if existing := by_key(db, str(fields["key"])):
        return existing, False
    try:
        with db.session() as session:
            row = LibraryDocument(**fields)
            session.add(row)
    except IntegrityError:  # the same request arrived twice at once: the other one won
        if existing := by_key(db, str(fields["key"])):
            return existing, False
        raise
    return row, True


def get(db: Database, record_id: int) -> LibraryDocument | None:
    with db.session() as session:
        return session.get(LibraryDocument, record_id)


def by_key(db: Database, key: str) -> LibraryDocument | None:
    with db.session() as session:
        return session.scalars(select(LibraryDocument).where(LibraryDocument.key == key)).first()


def active(db: Database, doc_id: str) -> LibraryDocument | None:
    """The pending or indexed record holding `doc_id`."""
    with db.session() as session:
        query = select(LibraryDocument).where(
            LibraryDocument.doc_id == doc_id, LibraryDocument.status.in_(ACTIVE)
        )
        return session.scalars(query.order_by(LibraryDocument.id.desc())).first()


def listing(db: Database, *, statuses: tuple[str, ...] = (LibraryStatus.INDEXED,)) -> list[LibraryDocument]:
    with db.session() as session:
        query = select(LibraryDocument).where(LibraryDocument.status.in_(statuses))
        return list(session.scalars(query.order_by(LibraryDocument.id.desc())))


def update_record(db: Database, record_id: int, *, only_from: str | None = None, **values: object) -> bool:
    """Change a record (only while its status is `only_from`, when given): True if it changed, so
    two clicks on Confirm index once."""
    query = update(LibraryDocument).where(LibraryDocument.id == record_id)
    if only_from:
        query = query.where(LibraryDocument.status == only_from)
    with db.session() as session:
        return changed(session.execute(query.values(**values))) == 1


def due(db: Database, checked_before: datetime) -> list[int]:
    """Indexed documents added by address and not fetched since `checked_before`."""
    with db.session() as session:
        query = select(LibraryDocument.id).where(
            LibraryDocument.status == LibraryStatus.INDEXED,
            LibraryDocument.url.is_not(None),
            or_(LibraryDocument.checked_at.is_(None), LibraryDocument.checked_at < checked_before),
        )
        return list(session.scalars(query.order_by(LibraryDocument.id)))


def claim(db: Database, record_id: int, checked_before: datetime, at: datetime) -> bool:
    """Take a due refresh; False when another process (a replica, the cron line) took it first."""
    with db.session() as session:
        result = session.execute(
            update(LibraryDocument)
            .where(
                LibraryDocument.id == record_id,
                or_(LibraryDocument.checked_at.is_(None), LibraryDocument.checked_at < checked_before),
            )
            .values(checked_at=at)
        )
        return changed(result) == 1
