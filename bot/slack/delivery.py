"""Where a Slack message becomes an Answer in Slack: claim it, show progress, answer, replace.

Runs after the ack (a lazy listener), so retrieval never holds Slack's 3-second window. Every
failure ends in a message to the asker or, when Slack refuses even that, an error in the log: no
question is dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.slack import blocks, mrkdwn
from bot.slack.blocks import Block
from bot.slack.client import SLACK_ERRORS, describe, error_code
from bot.slack.context import SlackBot
from bot.slack.streaming import AnswerStream
from config.errors import PartnerbotError, QuestionError, RateLimited
from retrieval.access import Access
from retrieval.answer import Answer
from retrieval.conversation import Turn

log = logging.getLogger(__name__)
CLAIM = "eyes"
STATUS = "is looking through the cluster's documents…"  # Slack shows it after the app's name


@dataclass(frozen=True)
class Asked:
    """One question and who asked it, from where: what answering and the question log need."""

    question: str
    channel: str
    channel_type: str | None
    user: str | None
    surface: str  # mention, dm, thread, channel, command, share, assistant
    access: Access  # whom the answer is for: the asker, or everyone in the channel it is posted in
    history: Sequence[Turn] = ()
    team: str | None = None  # the asker's workspace: a stream names its recipient


@dataclass(frozen=True)
class InThread:
    """Where a message's answer goes: the thread of `root`, in public or only to the asker."""

    ts: str  # the message asked
    root: str
    private: bool = False
    stream: bool = False  # stream the answer (assistant threads; mentions when configured)
    status: bool = False  # an assistant thread: Slack's "thinking" status instead of a progress message


@dataclass(frozen=True)
class Reply:
    """What the asker is shown: the answer with its sources and buttons, or a notice saying why not."""

    text: str  # the notification and screen-reader text
    blocks: list[Block]
    answer: Answer | None = None
    question_id: int | None = None
    tail: list[Block] = field(default_factory=list)  # what follows the text: sources, buttons


def claim(bot: SlackBot, client: WebClient, channel: str, ts: str) -> bool:
    """Take a message once: in this process by (channel, ts), across replicas by the 👀 reaction."""
    if not bot.seen.add(channel, ts):
        return False
    try:
        client.reactions_add(channel=channel, timestamp=ts, name=CLAIM)
    except SLACK_ERRORS as exc:
        if error_code(exc) == "already_reacted":
            log.info("message %s/%s already taken by another worker", channel, ts)
            return False
        log.warning("reactions.add failed (%s); answering anyway", describe(exc))
    return True


def reply_to(
    bot: SlackBot, asked: Asked, *, share: bool, on_text: Callable[[str], None] | None = None
) -> Reply:
    """Answer through the services and render it; a failure becomes a notice the asker can act on.
    `on_text` is given a chat model's reply as it is written (`AnswerStream.push`)."""
    try:
        answer, question_id = bot.services.answer(
            asked.question,
            surface=asked.surface,
            access=asked.access,
            history=list(asked.history),
            channel=asked.channel,
            channel_type=asked.channel_type,
            user_id=asked.user,
            on_text=on_text,
        )
    except QuestionError as exc:
        return _notice(f"I can't take that question: {mrkdwn.escape(str(exc))}.")
    except RateLimited as exc:
        return _notice(f"Sorry, {mrkdwn.escape(str(exc))}.")
    except PartnerbotError as exc:
        log.error("answering failed: %s", exc)
        return _notice(failure_text(bot, mrkdwn.escape(str(exc))))
    except Exception:
        log.exception("answering %r failed", asked.question[:200])
        return _notice(failure_text(bot, "an internal error (it is in the bot's log)"))
    bot.answers.put(question_id, answer)
    tail = blocks.answer_tail(
        answer,
        question_id=question_id,
        front_door=bot.settings.front_door,
        share=share,
        handoff=bool(bot.settings.handoff_channel),
    )
    return Reply(blocks.fallback_text(answer), blocks.answer_blocks(answer, tail), answer, question_id, tail)


def _notice(text: str) -> Reply:
    return Reply(text, blocks.notice_blocks(text))


def failure_text(bot: SlackBot, why: str) -> str:
    return f"Sorry, I couldn't answer that: {why}. Please try again, or ask {bot.settings.front_door}."


def deliver(bot: SlackBot, client: WebClient, asked: Asked, where: InThread) -> None:
    """Progress at once, then the answer in its place (or, when private, only to the asker).

    Progress is Slack's status line in an assistant thread, else a message the answer replaces; a
    streamed answer needs no message to replace, the 👀 reaction marks it as taken.
    """
    stream = None
    if where.stream and not where.private:
        stream = AnswerStream(client, asked.channel, where.root, asked.user, asked.team)
    progress_ts = None
    if not where.private and not (where.status and _show_status(client, asked, where)) and not stream:
        progress_ts = _progress(client, asked, where)
    reply = reply_to(bot, asked, share=where.private, on_text=stream.push if stream else None)
    try:
        if stream:
            stream.finish(reply.answer, reply.text, reply.blocks, reply.tail)
        else:
            _send(client, asked, where, progress_ts, reply)
    except SLACK_ERRORS as exc:
        error = describe(exc)
        log.error("could not deliver the answer to %s/%s: %s", asked.channel, where.ts, error)
        _tell(
            client,
            asked,
            where,
            f"Sorry, I found an answer but Slack would not take it ({error}). Please ask again.",
        )
        return
    bot.threads.add(asked.channel, where.root)


def _progress(client: WebClient, asked: Asked, where: InThread) -> str | None:
    try:
        return client.chat_postMessage(channel=asked.channel, thread_ts=where.root, text=blocks.PROGRESS)[
            "ts"
        ]
    except SLACK_ERRORS as exc:
        log.warning("progress message failed (%s)", describe(exc))
        return None


def _show_status(client: WebClient, asked: Asked, where: InThread) -> bool:
    """The assistant thread's status line (Slack clears it when the answer lands); False when
    Slack refused it."""
    try:
        client.assistant_threads_setStatus(channel_id=asked.channel, thread_ts=where.root, status=STATUS)
        return True
    except SLACK_ERRORS as exc:
        log.warning("assistant.threads.setStatus failed (%s)", describe(exc))
        return False


def _send(client: WebClient, asked: Asked, where: InThread, progress_ts: str | None, reply: Reply) -> None:
    text, body = reply.text, reply.blocks
    if where.private:
        client.chat_postEphemeral(
            channel=asked.channel, user=asked.user or "", thread_ts=where.root, text=text, blocks=body
        )
    elif progress_ts:
        client.chat_update(channel=asked.channel, ts=progress_ts, text=text, blocks=body)
    else:
        client.chat_postMessage(channel=asked.channel, thread_ts=where.root, text=text, blocks=body)


def note(client: WebClient, channel: str, user: str | None, text: str, thread_ts: str | None = None) -> None:
    """A short private note (a refusal saying why) to `user`; a failure is only logged: the note
    is a courtesy, nothing is lost without it."""
    if not user:
        return
    try:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)
    except SLACK_ERRORS as exc:
        log.warning("a private note to %s in %s failed (%s)", user, channel, describe(exc))


def _tell(client: WebClient, asked: Asked, where: InThread, text: str) -> None:
    """Last resort: a short plain message to the asker, by whichever way Slack still accepts."""
    attempts = []
    if not where.private:
        attempts.append(
            lambda: client.chat_postMessage(channel=asked.channel, thread_ts=where.root, text=text)
        )
    if user := asked.user:
        attempts.append(
            lambda: client.chat_postEphemeral(
                channel=asked.channel, user=user, thread_ts=where.root, text=text
            )
        )
    for attempt in attempts:
        try:
            attempt()
            return
        except SLACK_ERRORS as exc:
            log.error("telling the user failed too: %s", describe(exc))
    log.error("question %r from %s in %s was not answered", asked.question[:200], asked.user, asked.channel)
