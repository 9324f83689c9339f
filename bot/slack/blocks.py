"""Answer → Block Kit: the text, numbered linked sources (at most 5), 👍/👎 and, when private, Share.

Everything that came from a user or a document goes through `mrkdwn.escape`; the only links are the
ones built here from the answer's own source URLs.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from bot.slack import mrkdwn
from retrieval.answer import Answer, Source

MAX_SOURCES = 5
MAX_BLOCKS = 50
OLD_AFTER_DAYS = 2 * 365  # older documents say how old they are
FEEDBACK_UP = "partnerbot_feedback_up"
FEEDBACK_DOWN = "partnerbot_feedback_down"
SHARE = "partnerbot_share"
HANDOFF = "partnerbot_handoff"  # "Ask a person": shown only when PARTNERBOT_HANDOFF_CHANNEL is set
ACTIONS_BLOCK = "answer_actions"
PROGRESS = "Looking through the cluster's documents…"
STORE_UNAVAILABLE = "The bot's records cannot be read just now: nothing was done. Please try again soon."
_MARKER = re.compile(r"\[(\d{1,2})\]")

Block = dict[str, Any]


def section(text: str) -> Block:
    """Cut to Slack's limit: a title escaped (`&` → `&amp;`) can outgrow the length it was cut to."""
    text = mrkdwn.shorten(text, mrkdwn.SECTION_LIMIT)
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text, "verbatim": True}]}


def plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def input_block(block_id: str, label: str, element: Block, optional: bool = False, hint: str = "") -> Block:
    """A modal's input; its value is read back as `values[block_id]["value"]`."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {**element, "action_id": "value"},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def text_blocks(text: str) -> list[Block]:
    """Already-safe mrkdwn as as many sections as the 3,000-character limit needs."""
    return [section(piece) for piece in mrkdwn.split(text)]


def dated(published: str | None, today: date) -> str:
    """ "23 Sep 2019 (6 years old)" for old documents, "26 Jan 2025" for recent ones."""
    if not published:
        return "undated"
    try:
        when = date.fromisoformat(published[:10])
    except ValueError:
        return mrkdwn.escape(published)
    shown = f"{when.day} {when:%b %Y}"
    age = (today - when).days
    if age > OLD_AFTER_DAYS:
        return f"{shown} (_{age // 365} years old_)"
    return shown


def source_block(source: Source, today: date) -> Block:
    details = [mrkdwn.escape(source.organisation)] if source.organisation else []
    details.append(dated(source.published, today))
    if mrkdwn.safe_url(source.source_url):
        details.append(mrkdwn.link(source.source_url, "original"))
    line = f"*[{source.n}]* {mrkdwn.link(source.url, source.title)} · " + " · ".join(details)
    return context(line)


def answer_mrkdwn(answer: Answer) -> str:
    """The answer text, escaped, with each [n] marker linking to its source's passage."""
    urls = {s.n: s.url for s in answer.sources[:MAX_SOURCES]}

    def marker(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return mrkdwn.link(urls[n], f"[{n}]") if n in urls else match.group(0)

    return _MARKER.sub(marker, mrkdwn.from_markdown(answer.answer))


def answer_markdown(answer: Answer) -> str:
    """The answer text for a stream (Slack reads it as Markdown): inert like mrkdwn, Markdown's own
    marks escaped too, each [n] marker a link to its source's passage."""
    urls = {s.n: mrkdwn.safe_url(s.url) for s in answer.sources[:MAX_SOURCES]}
    parts = _MARKER.split(answer.answer)  # text, marker number, text, …
    for i in range(1, len(parts), 2):
        url = urls.get(int(parts[i]))
        marker = f"\\[{parts[i]}\\]"
        parts[i] = f"[{marker}]({url.replace(')', '%29')})" if url else marker
    return "".join(p if i % 2 else mrkdwn.escape_markdown(p) for i, p in enumerate(parts))


def feedback_buttons(question_id: int | None, share: bool, handoff: bool = False) -> Block:
    value = str(question_id or 0)  # never empty (Slack refuses that); 0: no logged question
    elements: list[Block] = [
        button("👍 Helpful", FEEDBACK_UP, value),
        button("👎 Not helpful", FEEDBACK_DOWN, value),
    ]
    if share:
        elements.append(button("Share in channel", SHARE, json.dumps({"q": question_id}), style="primary"))
    if handoff and question_id:  # without a logged question there is nothing to hand over
        elements.append(button("🙋 Ask a person", HANDOFF, value))
    return {"type": "actions", "block_id": ACTIONS_BLOCK, "elements": elements}


def button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def answer_blocks(answer: Answer, tail: list[Block]) -> list[Block]:
    """The whole reply: the answer's text, then `tail` (`answer_tail`), within Slack's 50 blocks."""
    body = text_blocks(answer_mrkdwn(answer))
    room = MAX_BLOCKS - len(tail)
    if len(body) > room:
        body = [*body[: room - 1], section("_…the answer is longer than Slack allows; see the sources._")]
    return body + tail


def answer_tail(
    answer: Answer,
    *,
    question_id: int | None,
    front_door: str,
    share: bool = False,
    shared_by: str | None = None,
    today: date | None = None,
    handoff: bool = False,
) -> list[Block]:
    """What follows the answer's text: its sources, the front door when it refers, the buttons. A
    streamed answer ends with these (the text came as markdown). `front_door` is the deployment's
    own (trusted) mrkdwn; `shared_by` a user id."""
    today = today or date.today()
    sources = answer.sources[:MAX_SOURCES]
    tail: list[Block] = []
    if sources:
        tail.append(context("*Sources*" if answer.answered else "*Nearest sources*"))
        tail.extend(source_block(s, today) for s in sources)
    if answer.refer:
        tail.append(section(f"For help from a person, ask {front_door}."))
    tail.append(feedback_buttons(question_id, share, handoff))
    if shared_by:
        tail.append(
            context(
                f"Shared by <@{shared_by}> · asked: “{mrkdwn.escape(mrkdwn.shorten(answer.question, 150))}”"
            )
        )
    return tail


def fallback_text(answer: Answer) -> str:
    """The notification / screen-reader text of the message: the answer alone, shortened."""
    return mrkdwn.escape(mrkdwn.shorten(answer.answer, 2900))


def notice_blocks(text: str) -> list[Block]:
    """A plain notice (errors, refusals) as safe blocks; `text` must already be escaped."""
    return text_blocks(text)
