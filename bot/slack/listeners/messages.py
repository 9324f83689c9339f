"""Plain messages: DMs (every message is a question), follow-ups in threads the bot answered in,
and, in channels set to `answer: questions`, every top-level question. Edits, joins and other bots
are filtered out before this listener (`bot/slack/filters.py`).
"""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack.context import SlackBot
from bot.slack.delivery import Asked, InThread, claim, deliver
from bot.slack.listeners.mentions import answer_mention
from bot.slack.questions import clean, looks_like_question, mentions, safe_read_thread
from retrieval.conversation import Turn


def on_message(bot: SlackBot, event: dict, client: WebClient, context: BoltContext) -> None:
    """Only people's messages arrive here (`filters.OnlyPeople`)."""
    channel, ts = event.get("channel", ""), event.get("ts", "")
    is_dm = event.get("channel_type") == "im"
    if not is_dm and mentions(event.get("text", ""), context.bot_user_id):
        answer_mention(bot, event, client, context)
        return
    rule = bot.policy.rule(channel)
    if not rule.enabled:
        return
    root = event.get("thread_ts") or ts
    question = clean(event.get("text", ""), context.bot_user_id)
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
    elif rule.answer == "questions" and looks_like_question(question):
        surface = "channel"
    else:
        return
    if not claim(bot, client, channel, ts):
        return
    asked = Asked(
        question=question,
        channel=channel,
        channel_type=event.get("channel_type"),
        user=event.get("user"),
        surface=surface,
        history=history,
    )
    deliver(bot, client, asked, InThread(ts, root, private=rule.reply == "private" and not is_dm))


def register(app: App, bot: SlackBot) -> None:
    def ack_event(ack: Ack) -> None:
        ack()

    def handle(event: dict, client: WebClient, context: BoltContext) -> None:
        on_message(bot, event, client, context)

    app.event("message")(ack=ack_event, lazy=[handle])
