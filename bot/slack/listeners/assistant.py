"""Slack's agent view (bolt's `Assistant`): a new thread is greeted with suggested prompts, a
message in it is answered with a status line and a streamed reply (`asking.answer_assistant`).

Bolt routes every DM thread reply through the `Assistant`; only those Slack marks as assistant
threads (`assistant_thread` in the event) take the assistant path, the others are DM follow-ups.
"""

from __future__ import annotations

import logging

from slack_bolt import App, Assistant, BoltContext
from slack_sdk import WebClient

from bot.slack.asking import answer_assistant, answer_message, greet
from bot.slack.context import SlackBot

log = logging.getLogger(__name__)


def register(app: App, bot: SlackBot) -> None:
    assistant = Assistant()

    @assistant.thread_started
    def on_thread_started(event: dict, client: WebClient) -> None:
        greet(bot, event.get("assistant_thread") or {}, client)

    @assistant.thread_context_changed
    def on_context_changed(event: dict) -> None:
        # the channel the partner is looking at does not change what the documents say: nothing
        # to keep (bolt's default would rewrite the thread's first message on every change)
        log.debug("assistant thread context: %s", (event.get("assistant_thread") or {}).get("context"))

    @assistant.user_message
    def on_message(event: dict, client: WebClient, context: BoltContext) -> None:
        if event.get("assistant_thread"):
            answer_assistant(bot, event, client, context)
        else:
            answer_message(bot, event, client, context)

    app.assistant(assistant)
