"""👍 / 👎 on an answer: stored with the question and its sources, acknowledged to the voter only."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond

from bot.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP
from bot.slack.context import SlackBot

log = logging.getLogger(__name__)


def register(app: App, bot: SlackBot) -> None:
    def ack_click(ack: Ack) -> None:
        ack()

    def store(body: dict, action: dict, respond: Respond) -> None:
        helpful = action.get("action_id") == FEEDBACK_UP
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        user = (body.get("user") or {}).get("id")
        try:
            question_id = int(action.get("value") or 0) or None
        except ValueError:
            question_id = None
        if not bot.services.vote(question_id, helpful=helpful, channel=channel, user_id=user):
            log.warning("vote on an answer whose question id %r is not in the log", action.get("value"))
        thanks = (
            "Thanks, noted that this answer helped."
            if helpful
            else (
                f"Thanks, noted that this answer did not help. A person can: ask {bot.settings.front_door}."
            )
        )
        respond(text=thanks, response_type="ephemeral", replace_original=False)

    for action_id in (FEEDBACK_UP, FEEDBACK_DOWN):
        app.action(action_id)(ack=ack_click, lazy=[store])
