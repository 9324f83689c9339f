"""@partnerbot in a channel: the answer goes in the thread of the question."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack.context import SlackBot
from bot.slack.delivery import Asked, InThread, claim, deliver
from bot.slack.questions import clean, safe_read_thread
from retrieval.conversation import Turn


def answer_mention(bot: SlackBot, event: dict, client: WebClient, context: BoltContext) -> None:
    """Shared with the `message` listener, which sees the same mention (Slack delivers it twice)."""
    channel, ts = event.get("channel", ""), event.get("ts", "")
    rule = bot.policy.rule(channel)
    if not rule.enabled or not claim(bot, client, channel, ts):
        return
    root = event.get("thread_ts") or ts
    history: list[Turn] = []
    if root != ts:
        thread = safe_read_thread(client, channel, root, ts, context.bot_user_id, context.bot_id)
        history = thread.turns if thread else []
    asked = Asked(
        question=clean(event.get("text", ""), context.bot_user_id),
        channel=channel,
        channel_type=event.get("channel_type") or "channel",
        user=event.get("user"),
        surface="mention",
        history=history,
    )
    deliver(bot, client, asked, InThread(ts, root, private=rule.reply == "private"))


def register(app: App, bot: SlackBot) -> None:
    def ack_event(ack: Ack) -> None:
        ack()

    def on_mention(event: dict, client: WebClient, context: BoltContext) -> None:
        answer_mention(bot, event, client, context)  # other bots are filtered out before (filters.py)

    app.event("app_mention")(ack=ack_event, lazy=[on_mention])
