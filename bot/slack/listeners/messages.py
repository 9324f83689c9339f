"""Plain messages: DMs, follow-ups in threads the bot answered in and, where configured, top-level
questions (`asking.answer_message`). Edits, joins and other bots are filtered out before
(`bot/slack/filters.py`).
"""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack.asking import answer_message
from bot.slack.context import SlackBot


def register(app: App, bot: SlackBot) -> None:
    def ack_event(ack: Ack) -> None:
        ack()

    def on_message(event: dict, client: WebClient, context: BoltContext) -> None:
        answer_message(bot, event, client, context)

    app.event("message")(ack=ack_event, lazy=[on_message])
