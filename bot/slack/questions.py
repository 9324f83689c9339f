"""Reading a question out of a Slack message, and the earlier questions of its thread.

Slack encodes mentions, channels and links as `<…>` and escapes `&<>`; the question handed to
retrieval is the readable text (mentions of the bot removed, links reduced to their label).
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from slack_sdk import WebClient

from bot.slack.client import SLACK_ERRORS, describe
from retrieval.conversation import Turn

log = logging.getLogger(__name__)

HISTORY = 5  # earlier turns of a thread handed to retrieval
_SOURCE_LINK = re.compile(r"/sources/([^#|>?/\s]+)")  # the bot's own citation links name the documents
_ENCODED = re.compile(r"<([^<>]*)>")
_ASKS = re.compile(
    r"^\s*(who|what|where|when|why|how|which|whom|whose|is|are|can|could|do|does|did|should|would|will|"
    r"any|anyone)\b",
    re.IGNORECASE,
)


def clean(text: str, bot_user_id: str | None = None) -> str:
    """The readable question: `<@BOT>` dropped, `<@U1>` → @U1, `<#C1|name>` → #name, links → label."""

    def readable(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if bot_user_id and target == f"@{bot_user_id}":
            return ""
        if target.startswith(("@", "#")):
            return (label and target[0] + label.lstrip("@#")) or target
        if target.startswith("!"):
            return ""  # <!channel>, <!here>, <!subteam^…>: never part of a question
        return label or target

    return " ".join(html.unescape(_ENCODED.sub(readable, text or "")).split())


def mentions(text: str, bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and f"<@{bot_user_id}" in (text or "")


def looks_like_question(text: str) -> bool:
    return "?" in text or bool(_ASKS.match(text))


@dataclass
class Thread:
    bot_took_part: bool
    turns: list[Turn] = field(default_factory=list)  # each earlier question with the bot's reply to it


def read_thread(
    client: WebClient, channel: str, root: str, current_ts: str, bot_user_id: str | None, bot_id: str | None
) -> Thread:
    """The thread as `conversations.replies` returns it: did the bot speak, and the turns before now.

    A turn is a person's question with the bot's reply after it and the documents that reply cited
    (read from its citation links), so a follow-up is answered about what the thread was about.
    """
    response = client.conversations_replies(channel=channel, ts=root, limit=200)
    took_part = False
    turns: list[Turn] = []
    for message in response.get("messages") or []:
        if not _before(message.get("ts", ""), current_ts):
            continue
        if _from_bot(message, bot_user_id, bot_id):
            took_part = True
            if turns and not turns[-1].reply:
                turns[-1] = _with_reply(turns[-1], message)
            continue
        if message.get("subtype") or message.get("bot_id"):
            continue
        text = clean(message.get("text", ""), bot_user_id)
        if text:
            turns.append(Turn(text))
    return Thread(took_part, turns[-HISTORY:])


def _with_reply(turn: Turn, message: dict) -> Turn:
    links = " ".join([message.get("text", ""), str(message.get("blocks") or "")])
    doc_ids = tuple(dict.fromkeys(unquote(m) for m in _SOURCE_LINK.findall(links)))
    return Turn(turn.question, html.unescape(message.get("text", "")), doc_ids)


def safe_read_thread(
    client: WebClient, channel: str, root: str, current_ts: str, bot_user_id: str | None, bot_id: str | None
) -> Thread | None:
    try:
        return read_thread(client, channel, root, current_ts, bot_user_id, bot_id)
    except SLACK_ERRORS as exc:
        log.error("conversations.replies failed for %s/%s: %s", channel, root, describe(exc))
        return None


def _from_bot(message: dict, bot_user_id: str | None, bot_id: str | None) -> bool:
    return bool(
        (bot_user_id and message.get("user") == bot_user_id) or (bot_id and message.get("bot_id") == bot_id)
    )


def _before(ts: str, current: str) -> bool:
    try:
        return float(ts) < float(current)
    except ValueError:
        return False
