"""From a Slack message to a delivered answer: which messages are questions, and the one path each
takes (claim → read the thread → `Asked` → `deliver`). The listeners only route events here.
"""

from __future__ import annotations

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.context import SlackBot
from bot.slack.delivery import Asked, InThread, claim, deliver
from bot.slack.questions import clean, looks_like_question, mentions, safe_read_thread
from retrieval.conversation import Turn


def answer_mention(bot: SlackBot, event: dict, client: WebClient, context: BoltContext) -> None:
    """@partnerbot: answered in the thread of the question, follow-ups read from that thread."""
    channel, ts = event.get("channel", ""), event.get("ts", "")
    rule = bot.policy.rule(channel)
    if not rule.enabled or not claim(bot, client, channel, ts):
        return
    root = event.get("thread_ts") or ts
    history: list[Turn] = []
    if root != ts:
        thread = safe_read_thread(client, channel, root, ts, context.bot_user_id, context.bot_id)
        history = thread.turns if thread else []
    _ask(bot, client, context, event, "mention", history, InThread(ts, root, rule.reply == "private"))


def answer_message(bot: SlackBot, event: dict, client: WebClient, context: BoltContext) -> None:
    """A plain message: every DM; a reply in a thread the bot answered in; and, in channels set to
    `answer: questions`, a top-level question. A mention is answered as one (Slack sends both)."""
    channel, ts = event.get("channel", ""), event.get("ts", "")
    is_dm = event.get("channel_type") == "im"
    if not is_dm and mentions(event.get("text", ""), context.bot_user_id):
        answer_mention(bot, event, client, context)
        return
    rule = bot.policy.rule(channel)
    if not rule.enabled:
        return
    root = event.get("thread_ts") or ts
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
    elif rule.answer == "questions" and looks_like_question(
        clean(event.get("text", ""), context.bot_user_id)
    ):
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
    )


def _ask(
    bot: SlackBot,
    client: WebClient,
    context: BoltContext,
    event: dict,
    surface: str,
    history: list[Turn],
    where: InThread,
) -> None:
    asked = Asked(
        question=clean(event.get("text", ""), context.bot_user_id),
        channel=event.get("channel", ""),
        channel_type=event.get("channel_type") or "channel",
        user=event.get("user"),
        surface=surface,
        history=history,
    )
    deliver(bot, client, asked, where)
