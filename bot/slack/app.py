"""The bolt App factory: one sync App, its Web API client, the channel policy and every listener.

HTTP mode (`http.mount`) and Socket Mode (`partnerbot slack --socket`) both build the app here, so
the two behave the same. Add a feature by adding its listener module to LISTENERS.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App
from slack_bolt.error import BoltError

from bot.services import Services
from bot.slack.channels import load_policy
from bot.slack.client import SLACK_ERRORS, web_client
from bot.slack.context import SlackBot
from bot.slack.filters import OnlyPeople
from bot.slack.listeners import announce, commands, feedback, mentions, messages, share
from config.errors import ConfigError

Register = Callable[[App, SlackBot], None]
LISTENERS: tuple[Register, ...] = (
    mentions.register,
    messages.register,
    commands.register,
    feedback.register,
    share.register,
    announce.register,
)


def build_app(services: Services, *, socket_mode: bool = False) -> tuple[App, SlackBot]:
    """The bolt App; a bad token or channel file is a ConfigError here, at start-up."""
    settings = services.settings
    client = web_client(settings)  # a missing token is a ConfigError here
    if not socket_mode and not settings.slack_signing_secret:
        raise ConfigError(
            "PARTNERBOT_SLACK_SIGNING_SECRET is not set: HTTP mode must verify Slack's requests"
        )
    bot = SlackBot(services, load_policy(settings.slack_channels_file))
    try:
        app = App(
            signing_secret=settings.slack_signing_secret,
            client=client,
            process_before_response=False,
            request_verification_enabled=not socket_mode,
        )
    except (BoltError, *SLACK_ERRORS) as exc:
        raise ConfigError(
            f"Slack did not accept the bot token at {settings.slack_api_url} ({exc}): check "
            "PARTNERBOT_SLACK_BOT_TOKEN and PARTNERBOT_SLACK_API_URL"
        ) from None
    app.use(OnlyPeople(settings.slack_ignore_bots))
    for register in LISTENERS:
        register(app, bot)
    return app, bot
