"""Share in channel: the private answer posted for everyone, then the private copy removed.

The answer was made for the asker alone; in the channel it is for everyone there. It is posted only
when everyone there may read every source it shows, with its links signed again for them: otherwise
the asker is told why, privately, and nothing is posted.
"""

from __future__ import annotations

import json
import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.blocks import SHARE
from bot.slack.client import SLACK_ERRORS, describe, error_code
from bot.slack.context import SlackBot
from bot.slack.delivery import Asked, reply_to
from retrieval.access import Access
from retrieval.answer import Answer

log = logging.getLogger(__name__)
NOT_FOR_EVERYONE = (
    "I can't share this answer here: it cites documents not everyone in this channel may read. "
    "It stays visible to you only."
)


def _answer(
    bot: SlackBot, question_id: int | None, channel: str, user: str | None, audience: Access
) -> tuple[Answer | None, int | None]:
    """The answer the asker saw; when this process no longer holds it, asked again from the log,
    for everyone in the channel."""
    if question_id is None:
        return None, None
    cached = bot.answers.get(question_id)
    if cached is not None:
        return cached, question_id
    row = bot.services.logged(question_id)
    if row is None:
        return None, None
    asked = Asked(row.question, channel, "command", user, surface="share", access=audience)
    again = reply_to(bot, asked, share=True)
    return again.answer, again.question_id


def register(app: App, bot: SlackBot) -> None:
    def ack_click(ack: Ack) -> None:
        ack()

    def share(body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        user = (body.get("user") or {}).get("id")
        thread_ts = (body.get("container") or {}).get("thread_ts")
        if not bot.policy.rule(channel).enabled:
            respond(text="I don't post in this channel.", response_type="ephemeral", replace_original=False)
            return
        try:
            question_id = int(json.loads(action.get("value") or "{}").get("q") or 0) or None
        except (ValueError, AttributeError):
            question_id = None
        asker = bot.rights.of_user(user, (body.get("user") or {}).get("team_id"), context)
        audience = bot.rights.audience(channel, asker.access, context)
        answer, question_id = _answer(bot, question_id, channel, user, audience)
        if answer is None:
            respond(
                text="That answer has expired: please ask again.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        if bot.rights.hidden((s.doc_id for s in answer.sources), audience):
            respond(text=NOT_FOR_EVERYONE, response_type="ephemeral", replace_original=False)
            return
        answer = bot.services.links.sign(answer, audience)
        tail = blocks.answer_tail(
            answer, question_id=question_id, front_door=bot.settings.front_door, shared_by=user
        )
        shown = blocks.answer_blocks(answer, tail)
        try:
            client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=blocks.fallback_text(answer), blocks=shown
            )
        except SLACK_ERRORS as exc:
            error = describe(exc)
            log.error("sharing into %s failed: %s", channel, error)
            hint = (
                " Invite me with /invite first."
                if error_code(exc) in ("not_in_channel", "channel_not_found")
                else ""
            )
            respond(
                text=f"I couldn't post in this channel ({error}).{hint}",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        respond(delete_original=True)

    app.action(SHARE)(ack=ack_click, lazy=[share])
