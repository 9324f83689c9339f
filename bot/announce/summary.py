"""An announcement as the API and the CLI show it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.state.models import Announcement, AnnouncementStatus


def status(row: Announcement) -> str:
    """The stored status, shown as 'expired' once the closing date has passed (the record stays)."""
    if (
        row.status in (AnnouncementStatus.PUBLISHED, AnnouncementStatus.PARTIAL)
        and row.expires
        and row.expires < datetime.now(UTC).date()
    ):
        return "expired"
    return row.status


def as_dict(row: Announcement) -> dict[str, object]:
    return {
        "id": row.id,
        "status": status(row),
        "doc_id": row.doc_id,
        "created_at": row.created_at.isoformat(),
        "source": row.source,
        "author": row.author_name,
        "title": row.title,
        "link": row.link,
        "expires": row.expires.isoformat() if row.expires else None,
        "posts": [
            {"channel": p.channel, "status": p.status, "permalink": p.permalink, "error": p.error}
            for p in row.posts
        ],
    }
