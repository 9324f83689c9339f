"""The events about the app itself, each acknowledged: uninstalled or its bot token revoked, work
stops for the workspace (logged, and `/readyz` says why); the bot joining a channel is logged."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext

from bot.slack.context import SlackBot

log = logging.getLogger(__name__)


def register(app: App, bot: SlackBot) -> None:
    @app.event("app_uninstalled")
    def on_uninstalled(body: dict) -> None:
        _stop(bot, f"the app was uninstalled from workspace {body.get('team_id') or '?'}")

    @app.event("tokens_revoked")
    def on_tokens_revoked(event: dict, body: dict) -> None:
        if (event.get("tokens") or {}).get("bot"):  # user tokens: the app holds none
            _stop(bot, f"the bot token of workspace {body.get('team_id') or '?'} was revoked")

    @app.event("member_joined_channel")
    def on_member_joined(event: dict, context: BoltContext) -> None:
        if event.get("user") == context.bot_user_id:
            log.info("added to channel %s by %s", event.get("channel"), event.get("inviter") or "?")


def _stop(bot: SlackBot, why: str) -> None:
    bot.stopped = f"{why}: Slack events are acknowledged and ignored until a restart with a new token"
    log.error("%s", bot.stopped)
