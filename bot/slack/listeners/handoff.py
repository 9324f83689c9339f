"""Ask a person: the question, the bot's reply and a link to the thread, posted to the front door.

Shown only when PARTNERBOT_HANDOFF_CHANNEL is set. The hand-off is recorded in the question log
before it is posted (so two clicks post once) and unrecorded when Slack refuses the post (so the
asker can try again). Every outcome is told to the clicker, privately.

The post is for everyone in that channel: it shows the sources they may read, with links signed for
them, and leaves out the reply itself when it cites a document some of them may not read.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from datetime import date

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.slack import mrkdwn
from bot.slack.blocks import HANDOFF, MAX_SOURCES, Block, context, section, source_block
from bot.slack.client import SLACK_ERRORS, describe, error_code
from bot.slack.context import SlackBot
from bot.state.log import Logged
from retrieval.access import Access

log = logging.getLogger(__name__)
_SLACK_ID = re.compile(r"^[A-Z0-9]{2,20}$")  # user and channel ids: safe inside <@…> and <#…>
QUESTION_CHARS, REPLY_CHARS = 500, 1200
LEFT_OUT = "_Left out here: it cites documents not everyone in this channel may read._"


def register(app: App, bot: SlackBot) -> None:
    def ack_click(ack: Ack) -> None:
        ack()

    def hand_off(body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
        try:
            told = _hand_off(bot, client, context, body, action.get("value"))
        except Exception:
            log.exception("handing off question %r failed", action.get("value"))
            told = _sorry(bot, "an internal error (it is in the bot's log)")
        respond(text=told, response_type="ephemeral", replace_original=False)

    app.action(HANDOFF)(ack=ack_click, lazy=[hand_off])


def _hand_off(bot: SlackBot, client: WebClient, context: BoltContext, body: dict, value: str | None) -> str:
    """Pass the question on; returns what to tell the clicker."""
    target = bot.settings.handoff_channel
    if not target:  # the setting was removed since the answer was posted
        return f"Passing questions on is switched off: please ask {bot.settings.front_door}."
    try:
        question_id = int(value or 0)
    except ValueError:
        question_id = 0
    try:
        row = bot.services.logged(question_id)
        if row is None:
            log.warning("hand-off of question id %r, which is not in the question log", value)
            return _sorry(bot, "I no longer have that question")
        if row.handed_off_at is not None or not bot.services.hand_off(row.id):
            return f"That question was already passed on to {bot.settings.front_door}."
    except SQLAlchemyError as exc:
        log.error("hand-off of question %r: the state store is unavailable (%s)", value, type(exc).__name__)
        return _sorry(bot, "my records are unavailable just now")
    user = _id((body.get("user") or {}).get("id"))
    everyone = bot.rights.of_channel(target, context)  # what everyone in the front-door channel may read
    hidden = bot.rights.hidden(row.sources, everyone)
    reply = LEFT_OUT if hidden else _reply(bot, row, body)
    sources = _sources(bot, row, everyone, hidden)
    text, blocks = handoff_message(row, user, _where(body), _permalink(client, body), reply, sources)
    try:
        client.chat_postMessage(channel=target, text=text, blocks=blocks, unfurl_links=False)
    except SLACK_ERRORS as exc:
        error = describe(exc)
        log.error("handing off question %s to %s failed: %s", row.id, target, error)
        try:
            bot.services.hand_off_failed(row.id)
        except SQLAlchemyError:
            log.error("question %s stays marked as handed off, though it was not posted", row.id)
        hint = " (the bot must be a member of that channel)" if error_code(exc) == "not_in_channel" else ""
        return _sorry(bot, f"Slack refused the post to the front door: {mrkdwn.escape(error)}{hint}")
    log.info("question %s handed off to %s", row.id, target)
    return (
        f"Passed on: your question and my answer went to {bot.settings.front_door}, "
        "and a person there will get back to you."
    )


def _sorry(bot: SlackBot, why: str) -> str:
    return f"Sorry, I couldn't pass this on ({why}). Please ask {bot.settings.front_door} directly."


def handoff_message(
    row: Logged, user: str | None, where: str, link: str | None, reply: str, sources: Sequence[Block]
) -> tuple[str, list[Block]]:
    """The post in the front-door channel. `user` a checked id, `where`, `link` and `reply` safe
    mrkdwn, `sources` blocks (`_sources`); the question is escaped here."""
    who = f"<@{user}>" if user else "A partner"
    question = mrkdwn.escape(mrkdwn.shorten(row.question, QUESTION_CHARS))
    thread = mrkdwn.link(link, "Open the thread") if link else "no link to the thread"
    blocks = [
        section(f"🙋 *{who} would like a person to answer this* ({where})"),
        section(f"*Question*\n{question}"),
        section(f"*partnerbot's reply*{'' if row.answered else ' (the documents had no answer)'}\n{reply}"),
        *sources,
        context(f"{thread} · question {row.id} of the question log"),
    ]
    text = f"{who} would like a person to answer: {mrkdwn.escape(mrkdwn.shorten(row.question, 150))}"
    return text, blocks


def _reply(bot: SlackBot, row: Logged, body: dict) -> str:
    """The bot's reply as the asker saw it, escaped and shortened: from this process's memory, else
    the text of the message the button is on (already escaped once: undone, then escaped again)."""
    answer = bot.answers.get(row.id)
    if answer is not None:
        return mrkdwn.escape(mrkdwn.shorten(answer.answer, REPLY_CHARS))
    shown = (body.get("message") or {}).get("text")
    if isinstance(shown, str) and shown.strip():
        return mrkdwn.escape(mrkdwn.shorten(html.unescape(shown), REPLY_CHARS))
    return "_Not kept since the bot restarted: see the thread._"


def _sources(bot: SlackBot, row: Logged, everyone: Access, hidden: Sequence[str]) -> list[Block]:
    """The reply's sources `everyone` in the channel may read, linked for them (known while this
    process holds the answer), and how many were left out."""
    answer = bot.answers.get(row.id)
    shown = [s for s in answer.sources[:MAX_SOURCES] if s.doc_id not in hidden] if answer else []
    found: list[Block] = []
    if answer and shown:
        signed = bot.services.links.sign(answer.model_copy(update={"sources": shown}), everyone)
        heading = "*Sources*" if answer.answered else "*Nearest sources*"
        found = [context(heading), *(source_block(s, date.today()) for s in signed.sources)]
    if hidden:
        found.append(context(f"_Left out: {len(hidden)} source(s) not everyone in this channel may read._"))
    return found


def _where(body: dict) -> str:
    container = body.get("container") or {}
    channel = _id((body.get("channel") or {}).get("id") or container.get("channel_id"))
    place = "a direct message" if not channel or channel.startswith("D") else f"<#{channel}>"
    return f"asked privately in {place}" if container.get("is_ephemeral") else f"in {place}"


def _permalink(client: WebClient, body: dict) -> str | None:
    """A link to the answer the button is on; for a private (ephemeral) answer, to its thread if any."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    if container.get("is_ephemeral"):
        ts = container.get("thread_ts")
    else:
        ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    if not channel or not ts or ts == "0":
        return None
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SLACK_ERRORS as exc:
        log.warning("no permalink for %s/%s (%s): handing off without it", channel, ts, describe(exc))
        return None
    return link if isinstance(link, str) else None


def _id(value: object) -> str | None:
    return value if isinstance(value, str) and _SLACK_ID.match(value) else None
