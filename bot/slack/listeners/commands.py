"""The slash command (`/ask` by default): the answer only the asker sees, from what they may read,
with a Share button."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import blocks, mrkdwn
from bot.slack.channels import EXTERNAL_NOTE
from bot.slack.context import SlackBot
from bot.slack.delivery import Asked, reply_to
from bot.slack.questions import clean

log = logging.getLogger(__name__)


def register(app: App, bot: SlackBot) -> None:
    name = bot.settings.slack_command

    def ack_command(ack: Ack, command: dict) -> None:
        question = clean(command.get("text", ""))
        if not question:
            ack(text=f"Ask a question after the command, e.g. `{name} who helps SMEs get NHS trials?`")
        elif not bot.policy.rule(command.get("channel_id")).enabled:
            ack(text=bot.policy.elsewhere())
        else:
            ack(text=f"{blocks.PROGRESS} (“{mrkdwn.escape(question[:150])}”)")

    def answer(command: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
        question = clean(command.get("text", ""))
        rule = bot.policy.rule(command.get("channel_id"))
        if not question or not rule.enabled:
            return
        # a command names no team of the asker's own: Slack says who they are (users.info)
        asker = bot.rights.of_user(command.get("user_id"), None, context)
        if asker.external and not rule.external:
            reply(respond, client, command, EXTERNAL_NOTE, blocks.notice_blocks(EXTERNAL_NOTE))
            return
        asked = Asked(
            question=question,
            channel=command.get("channel_id", ""),
            channel_type="command",
            user=command.get("user_id"),
            surface="command",
            access=asker.access,
        )
        shown = reply_to(bot, asked, share=True)
        reply(respond, client, command, shown.text, shown.blocks)

    app.command(name)(ack=ack_command, lazy=[answer])


def reply(respond: Respond, client: WebClient, command: dict, text: str, body: list) -> None:
    """Replace the 'looking…' note; if the response URL fails, tell the asker another way."""
    try:
        response = respond(text=text, blocks=body, response_type="ephemeral", replace_original=True)
        if response.status_code == 200:
            return
        problem = f"HTTP {response.status_code}"
    except Exception as exc:  # the response URL is plain HTTP: anything can go wrong
        problem = f"{exc.__class__.__name__}: {exc}"
    log.error("response_url refused the answer for %s: %s", command.get("channel_id"), problem)
    try:
        client.chat_postEphemeral(
            channel=command.get("channel_id", ""),
            user=command.get("user_id", ""),
            text=f"Sorry, I found an answer but Slack would not show it ({problem}). Please ask again.",
        )
    except Exception as exc:
        log.error("telling the user failed too: %s", exc)
