"""Block Kit for /announce: the form, the preview, and what the author is told afterwards.

The preview carries only the announcement's id in private_metadata (its text lives in the state
store from the first submit on), so a 3,000-character body never meets Slack's 3,000-byte limit there.
"""

from __future__ import annotations

import json
from typing import Any

from bot.announce.draft import BODY_MAX, TITLE_MAX
from bot.announce.render import post_blocks
from bot.announce.service import Outcome
from bot.announce.summary import status
from bot.slack import mrkdwn
from bot.slack.blocks import input_block, plain
from bot.state.models import Announcement

FORM = "announce_form"
PREVIEW = "announce_preview"
RETRY = "announce_retry"
WITHDRAW = "announce_withdraw"


def form_view(channels: dict[str, str], origin: str | None) -> dict[str, Any]:
    options = [{"text": plain(f"#{name}"), "value": cid} for cid, name in channels.items()][:100]
    return {
        "type": "modal",
        "callback_id": FORM,
        "private_metadata": json.dumps({"origin": origin}),
        "title": plain("New announcement"),
        "submit": plain("Preview"),
        "close": plain("Cancel"),
        "blocks": [
            input_block("title", "Title", {"type": "plain_text_input", "max_length": TITLE_MAX}),
            input_block(
                "body",
                "Announcement",
                {"type": "plain_text_input", "multiline": True, "max_length": BODY_MAX},
            ),
            input_block("channels", "Post in", {"type": "multi_static_select", "options": options}),
            input_block(
                "link", "Link", {"type": "url_text_input"}, optional=True, hint="Where to read more or apply"
            ),
            input_block(
                "expires",
                "Stop citing it after",
                {"type": "datepicker"},
                optional=True,
                hint="After this date partnerbot no longer cites it in answers; the record stays",
            ),
        ],
    }


def read_form(values: dict[str, Any]) -> dict[str, object]:
    """The submitted form as the fields of a Draft (missing optional fields as None)."""

    def value(block: str) -> Any:
        element = values.get(block, {}).get("value", {})
        kind = element.get("type")
        if kind == "multi_static_select":
            return [o["value"] for o in element.get("selected_options") or []]
        if kind == "datepicker":
            return element.get("selected_date")
        return element.get("value")

    return {b: value(b) for b in ("title", "body", "channels", "link", "expires")}


def preview_view(row: Announcement, channels: dict[str, str], origin: str | None) -> dict[str, Any]:
    where = ", ".join(f"#{channels.get(p.channel, p.channel)}" for p in row.posts)
    return {
        "type": "modal",
        "callback_id": PREVIEW,
        "private_metadata": json.dumps({"id": row.id, "origin": origin}),
        "title": plain("Preview"),
        "submit": plain("Post"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Will be posted in {where}:"}]},
            {"type": "divider"},
            *post_blocks(row),
        ],
    }


def result_blocks(outcome: Outcome, channels: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
    """What the author sees privately once posting is done: where it went, what failed, what next."""
    row = outcome.announcement
    names = {p.channel: f"#{channels.get(p.channel, p.channel)}" for p in row.posts}
    posted = ", ".join(names[c] for c in outcome.posted) or "no channel"
    text = f"Announcement {row.id} “{mrkdwn.escape(row.title)}” posted in {posted}."
    if outcome.failed:
        failed = ", ".join(f"{names.get(c, c)} ({e})" for c, e in outcome.failed.items())
        text += f" Not posted in {failed}: Retry posts only there."
    buttons: list[dict[str, Any]] = []
    if outcome.failed:
        buttons.append({"type": "button", "text": plain("Retry"), "action_id": RETRY, "value": str(row.id)})
    buttons.append(withdraw_button(row.id))
    return text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "elements": buttons},
    ]


def withdraw_button(announcement_id: int) -> dict[str, Any]:
    """Withdraw, confirmed first: under an author's result and in the Home tab's listing."""
    return {
        "type": "button",
        "text": plain("Withdraw"),
        "action_id": WITHDRAW,
        "value": str(announcement_id),
        "style": "danger",
        "confirm": {
            "title": plain("Withdraw this announcement?"),
            "text": plain("Its posts are deleted and partnerbot stops citing it. The record is kept."),
            "confirm": plain("Withdraw"),
            "deny": plain("Keep it"),
        },
    }


def field_errors(fields: dict[str, str]) -> dict[str, str]:
    """Draft errors as Slack's response_action=errors wants them: by block id, shown under the field."""
    known = {"title", "body", "channels", "link", "expires"}
    errors = {k: v[:150] for k, v in fields.items() if k in known}
    if not errors and fields:
        errors["body"] = "; ".join(fields.values())[:150]
    return errors


def listing_line(row: Announcement) -> str:
    """One announcement of a listing (`/announce list`, the Home tab's), its title and author escaped."""
    return f"*{row.id}* {status(row)} · {mrkdwn.escape(row.title)} · by {mrkdwn.escape(row.author_name)}"


def notice_view(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(title[:24]),
        "close": plain("Close"),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }
