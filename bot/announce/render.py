"""An announcement as a Slack post: the title, the body, the link, and who posted it."""

from __future__ import annotations

from typing import Any

from bot.slack.mrkdwn import escape, link
from bot.state.models import Announcement

METADATA_EVENT = "partnerbot_announcement"  # the event_type of every announcement post's metadata


def post_metadata(row: Announcement) -> dict[str, Any]:
    """Slack message metadata naming the announcement: what finds a post whose answer was lost."""
    return {"event_type": METADATA_EVENT, "event_payload": {"announcement_id": row.id}}


def author(row: Announcement) -> str:
    return f"<@{row.author_id}>" if row.author_id else escape(row.author_name)


def post_blocks(row: Announcement) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": row.title, "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": escape(row.body), "verbatim": True}},
    ]
    if row.link:
        more = link(row.link, "More information")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": more, "verbatim": True}})
    footer = f"Posted by {author(row)} for the communications group"
    if row.expires:
        footer += f" · open until {row.expires.strftime('%-d %B %Y')}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer, "verbatim": True}]})
    return blocks


def post_text(row: Announcement) -> str:
    """The notification and screen-reader text of the post: escaped too, or a title could ping."""
    return f"{escape(row.title)}: announcement from {escape(row.author_name)}"


def document_body(row: Announcement) -> str:
    """What is indexed: the body, the link and the closing date, so questions about them find it."""
    parts = [row.body]
    if row.link:
        parts.append(f"More information: {row.link}")
    if row.expires:
        parts.append(f"Open until {row.expires.strftime('%-d %B %Y')}.")
    parts.append(f"Announced by {row.author_name} for the communications group.")
    return "\n\n".join(parts)
