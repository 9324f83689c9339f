"""Announcement records: written before anything is posted, updated post by post.

Each target channel is a row whose status moves pending → posting → posted (or failed); a worker
claims a row with one conditional UPDATE, so two deliveries of the same submission never post twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from bot.state.db import Database, changed
from bot.state.models import Announcement, AnnouncementPost, AnnouncementStatus, PostStatus, now

STALE_CLAIM = timedelta(minutes=2)  # a "posting" row older than this was left by a crashed worker


def create(
    db: Database,
    *,
    key: str,
    source: str,
    author_id: str | None,
    author_name: str,
    title: str,
    body: str,
    link: str | None,
    expires: date | None,
    channels: list[str],
    status: AnnouncementStatus = AnnouncementStatus.PENDING,
) -> tuple[Announcement, bool]:
    """The record and its per-channel rows, or the existing record for the same key (created=False)."""
    existing = get_by_key(db, key)
    if existing:
        return existing, False
    try:
        with db.session() as session:
            row = Announcement(
                key=key,
                source=source,
                author_id=author_id,
                author_name=author_name,
                title=title,
                body=body,
                link=link,
                expires=expires,
                status=status,
                posts=[AnnouncementPost(channel=c, status=PostStatus.PENDING, attempts=0) for c in channels],
            )
            session.add(row)
    except IntegrityError:  # the same submission arrived twice at once: the other one won
        existing = get_by_key(db, key)
        if existing is None:
            raise
        return existing, False
    created = get(db, row.id)
    assert created is not None  # just written in this call
    return created, True


def get(db: Database, announcement_id: int) -> Announcement | None:
    with db.session() as session:
        query = select(Announcement).options(selectinload(Announcement.posts))
        return session.scalars(query.where(Announcement.id == announcement_id)).first()


def get_by_key(db: Database, key: str) -> Announcement | None:
    with db.session() as session:
        query = select(Announcement).options(selectinload(Announcement.posts))
        return session.scalars(query.where(Announcement.key == key)).first()


def listing(db: Database, *, limit: int = 100) -> list[Announcement]:
    with db.session() as session:
        query = select(Announcement).options(selectinload(Announcement.posts))
        return list(session.scalars(query.order_by(Announcement.id.desc()).limit(limit)))


def unfinished(db: Database) -> list[int]:
    """Announcements with a channel still to post to (after a crash or a failed call)."""
    with db.session() as session:
        query = select(Announcement.id).where(
            Announcement.status.in_(
                (AnnouncementStatus.PENDING, AnnouncementStatus.PARTIAL, AnnouncementStatus.FAILED)
            )
        )
        return list(session.scalars(query.order_by(Announcement.id)))


def claim(db: Database, post_id: int) -> int | None:
    """Take a post row for posting and say how many attempts came before this one (None: another
    worker has it, or it is done).

    0 means Slack has never been asked for this post. More means an earlier attempt may have
    reached Slack (it died mid-post, or its answer was lost), so the caller must look before posting.
    One UPDATE … RETURNING both claims and reads the count, so of two workers one wins, and the
    count is the one this claim replaced.
    """
    stale = datetime.now(UTC) - STALE_CLAIM
    with db.session() as session:
        attempts = session.execute(
            update(AnnouncementPost)
            .where(AnnouncementPost.id == post_id)
            .where(
                AnnouncementPost.status.in_((PostStatus.PENDING, PostStatus.FAILED))
                | ((AnnouncementPost.status == PostStatus.POSTING) & (AnnouncementPost.updated_at < stale))
            )
            .values(status=PostStatus.POSTING, attempts=AnnouncementPost.attempts + 1, updated_at=now())
            .returning(AnnouncementPost.attempts)
        ).scalar_one_or_none()
        return None if attempts is None else attempts - 1


def set_post(db: Database, post_id: int, **values: object) -> None:
    """Update a post's row: its `status` (a PostStatus), ts, permalink or error."""
    with db.session() as session:
        session.execute(
            update(AnnouncementPost).where(AnnouncementPost.id == post_id).values(**values, updated_at=now())
        )


def set_status(
    db: Database,
    announcement_id: int,
    status: AnnouncementStatus,
    *,
    only_from: AnnouncementStatus | None = None,
    **values: object,
) -> bool:
    """Change the status (only if it is `only_from`, when given); True if the row changed."""
    query = update(Announcement).where(Announcement.id == announcement_id)
    if only_from:
        query = query.where(Announcement.status == only_from)
    with db.session() as session:
        return changed(session.execute(query.values(status=status, **values))) == 1


def refresh_status(db: Database, announcement_id: int) -> None:
    """Set the status from the channel rows in one statement, so that of two workers finishing at once
    the last one to write sees the other's posts (a computed-then-written status could go stale)."""
    rows = select(func.count()).where(AnnouncementPost.announcement_id == announcement_id)
    total = rows.scalar_subquery()
    posted = rows.where(AnnouncementPost.status == PostStatus.POSTED).scalar_subquery()
    busy = rows.where(AnnouncementPost.status.in_((PostStatus.PENDING, PostStatus.POSTING))).scalar_subquery()
    status = case(
        (posted == total, AnnouncementStatus.PUBLISHED),
        (posted > 0, AnnouncementStatus.PARTIAL),
        (busy > 0, AnnouncementStatus.PENDING),
        else_=AnnouncementStatus.FAILED,
    )
    with db.session() as session:
        session.execute(
            update(Announcement)
            .where(
                Announcement.id == announcement_id,
                Announcement.status.not_in((AnnouncementStatus.WITHDRAWN, AnnouncementStatus.DRAFT)),
            )
            .values(status=status)
        )
