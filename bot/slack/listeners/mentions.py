"""@partnerbot in a channel: the answer goes in the thread of the question (`asking.answer_mention`)."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack.asking import answer_mention
from bot.slack.context import SlackBot


def register(app: App, bot: SlackBot) -> None:
    def ack_event(ack: Ack) -> None:
        ack()

    def on_mention(event: dict, client: WebClient, context: BoltContext) -> None:
        answer_mention(bot, event, client, context)

    app.event("app_mention")(ack=ack_event, lazy=[on_mention])
