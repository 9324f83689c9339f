"""The bolt App factory: one sync App, its Web API client, the channel policy and every listener.

HTTP mode (`http.mount`) and Socket Mode (`partnerbot slack --socket`) both build the app here, so
the two behave the same. Add a feature by adding its listener module to LISTENERS.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.services import Services
from bot.slack.channels import load_policy
from bot.slack.context import SlackBot
from bot.slack.listeners import announce, commands, feedback, mentions, messages, share
from config.errors import ConfigError
from config.settings import Settings

Register = Callable[[App, SlackBot], None]
LISTENERS: tuple[Register, ...] = (
    mentions.register,
    messages.register,
    commands.register,
    feedback.register,
    share.register,
    announce.register,
)
RATE_LIMIT_RETRIES = 3  # each waits Slack's Retry-After


def web_client(settings: Settings) -> WebClient:
    """The Web API client: waits out 429s (Retry-After) and retries dropped connections; nothing else,
    so a failed post is never sent twice."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def build_app(services: Services, *, socket_mode: bool = False) -> tuple[App, SlackBot]:
    """The bolt App; a bad token or channel file is a ConfigError here, at start-up."""
    settings = services.settings
    if not settings.slack_bot_token:
        raise ConfigError("PARTNERBOT_SLACK_BOT_TOKEN is not set: the Slack app needs the bot token (xoxb-…)")
    if not socket_mode and not settings.slack_signing_secret:
        raise ConfigError(
            "PARTNERBOT_SLACK_SIGNING_SECRET is not set: HTTP mode must verify Slack's requests"
        )
    bot = SlackBot(services, load_policy(settings.slack_channels_file))
    try:
        app = App(
            signing_secret=settings.slack_signing_secret,
            client=web_client(settings),
            process_before_response=False,
            request_verification_enabled=not socket_mode,
        )
    except (BoltError, SlackClientError, OSError) as exc:
        raise ConfigError(
            f"Slack did not accept the bot token at {settings.slack_api_url} ({exc}): check "
            "PARTNERBOT_SLACK_BOT_TOKEN and PARTNERBOT_SLACK_API_URL"
        ) from None
    for register in LISTENERS:
        register(app, bot)
    return app, bot
