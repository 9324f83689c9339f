"""From a Slack message to a delivered answer: which messages are questions, and the one path each
takes (claim → read the thread → whom the answer is for → `Asked` → `deliver`). The listeners only
route events here.
"""

from __future__ import annotations

import logging

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack import mrkdwn
from bot.slack.channels import EXTERNAL_NOTE, ChannelRule
from bot.slack.client import SLACK_ERRORS, describe
from bot.slack.context import SlackBot
from bot.slack.delivery import Asked, InThread, claim, deliver, note
from bot.slack.questions import clean, looks_like_question, mentions, safe_read_thread
from retrieval.conversation import Turn

log = logging.getLogger(__name__)
GREETING = (
    "Hi! I answer questions about the West Yorkshire healthtech cluster from its own documents, "
    "with a link to every passage I use."
)


def answer_mention(bot: SlackBot, event: dict, client: WebClient, context: BoltContext) -> None:
    """@partnerbot: answered in the thread of the question, follow-ups read from that thread."""
    channel, ts = event.get("channel", ""), event.get("ts", "")
    rule = bot.policy.rule(channel)
    if not rule.enabled:
        _switched_off(bot, client, event)
        return
    if not claim(bot, client, channel, ts):
        return
    root = event.get("thread_ts") or ts
    history: list[Turn] = []
    if root != ts:
        thread = safe_read_thread(client, channel, root, ts, context.bot_user_id, context.bot_id)
        history = thread.turns if thread else []
    private = rule.reply == "private"
    where = InThread(ts, root, private, stream=bot.settings.slack_stream_mentions and not private)
    _ask(bot, client, context, event, "mention", history, where, rule)


def answer_assistant(bot: SlackBot, event: dict, client: WebClient, context: BoltContext) -> None:
    """A message in an assistant thread (Slack's agent view): the status line at once, the first
    question titles the thread, the answer is streamed, and the thread is the conversation."""
    channel, ts = event.get("channel", ""), event.get("ts", "")
    rule = bot.policy.rule(channel)
    if not rule.enabled or not claim(bot, client, channel, ts):
        return
    root = event.get("thread_ts") or ts
    thread = safe_read_thread(client, channel, root, ts, context.bot_user_id, context.bot_id)
    history = thread.turns if thread else []
    if thread is not None and not history:
        _title(client, channel, root, clean(event.get("text", ""), context.bot_user_id))
    where = InThread(ts, root, stream=True, status=True)
    _ask(bot, client, context, event, "assistant", history, where, rule)


def greet(bot: SlackBot, thread: dict, client: WebClient) -> None:
    """A new assistant thread: one sentence saying what the bot does, and the suggested prompts."""
    channel, root = thread.get("channel_id", ""), thread.get("thread_ts", "")
    try:
        client.chat_postMessage(channel=channel, thread_ts=root, text=GREETING)
    except SLACK_ERRORS as exc:
        log.warning("greeting the assistant thread %s/%s failed (%s)", channel, root, describe(exc))
    prompts = [{"title": mrkdwn.shorten(p, 75), "message": p} for p in bot.settings.slack_suggested_prompts]
    if not prompts:
        return
    try:
        client.assistant_threads_setSuggestedPrompts(channel_id=channel, thread_ts=root, prompts=prompts)
    except SLACK_ERRORS as exc:
        log.warning("suggested prompts for %s/%s failed (%s)", channel, root, describe(exc))


def _title(client: WebClient, channel: str, root: str, question: str) -> None:
    try:
        client.assistant_threads_setTitle(
            channel_id=channel, thread_ts=root, title=mrkdwn.shorten(question, 60)
        )
    except SLACK_ERRORS as exc:
        log.warning("assistant.threads.setTitle failed (%s)", describe(exc))


def answer_message(bot: SlackBot, event: dict, client: WebClient, context: BoltContext) -> None:
    """A plain message: every DM; a reply in a thread the bot answered in; and, in channels set to
    `answer: questions`, a top-level question. A mention is answered as one (Slack sends both)."""
    channel, ts = event.get("channel", ""), event.get("ts", "")
    is_dm = event.get("channel_type") == "im" or (
        event.get("channel_type") == "mpim" and bot.settings.slack_group_dms
    )
    if not is_dm and mentions(event.get("text", ""), context.bot_user_id):
        answer_mention(bot, event, client, context)
        return
    rule = bot.policy.rule(channel)
    root = event.get("thread_ts") or ts
    asks = root == ts and looks_like_question(clean(event.get("text", ""), context.bot_user_id))
    if not rule.enabled:
        if asks and not is_dm and rule.answer == "questions":
            _switched_off(bot, client, event)
        return
    history: list[Turn] = []
    if root != ts:  # a reply in a thread: a follow-up only where the bot has answered
        thread = safe_read_thread(client, channel, root, ts, context.bot_user_id, context.bot_id)
        if thread is None:
            if not is_dm and (channel, root) not in bot.threads:
                return
        elif not (is_dm or thread.bot_took_part or (channel, root) in bot.threads):
            return
        history = thread.turns if thread else []
        surface = "dm" if is_dm else "thread"
    elif is_dm:
        surface = "dm"
    elif rule.answer == "questions" and asks:
        surface = "channel"
    else:
        return
    if not claim(bot, client, channel, ts):
        return
    _ask(
        bot,
        client,
        context,
        event,
        surface,
        history,
        InThread(ts, root, rule.reply == "private" and not is_dm),
        rule,
    )


def _switched_off(bot: SlackBot, client: WebClient, event: dict) -> None:
    """A question where the bot is switched off: not answered, but the asker is told privately
    where it does answer (once, though Slack delivers a mention twice)."""
    channel, ts = event.get("channel", ""), event.get("ts", "")
    if bot.seen.add(channel, ts):
        note(client, channel, event.get("user"), bot.policy.elsewhere(), event.get("thread_ts") or ts)


def _ask(
    bot: SlackBot,
    client: WebClient,
    context: BoltContext,
    event: dict,
    surface: str,
    history: list[Turn],
    where: InThread,
    rule: ChannelRule,
) -> None:
    """Answer for whom it is shown to: the asker alone when private, else the asker and everyone in
    the channel. Someone from another organisation is answered only where the channel allows."""
    channel, user = event.get("channel", ""), event.get("user")
    team = event.get("user_team") or event.get("team")
    asker = bot.rights.of_user(user, team, context)
    if asker.external and not rule.external:
        note(client, channel, user, EXTERNAL_NOTE, where.root)
        return
    asked = Asked(
        question=clean(event.get("text", ""), context.bot_user_id),
        channel=channel,
        channel_type=event.get("channel_type") or "channel",
        user=user,
        surface=surface,
        access=asker.access if where.private else bot.rights.audience(channel, asker.access, context),
        history=history,
        team=team or context.team_id,
    )
    deliver(bot, client, asked, where)
