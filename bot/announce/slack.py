"""The Slack Web API client the announcements use outside a Slack request (API, CLI, digest)."""

from __future__ import annotations

import json

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from config.errors import ConfigError
from config.settings import Settings

# What a Slack call can fail with: Slack's refusals, HTTP errors, a refused connection, a non-JSON body.
SLACK_ERRORS = (SlackClientError, OSError, json.JSONDecodeError)


def web_client(settings: Settings) -> WebClient:
    if not settings.slack_bot_token:
        raise ConfigError("PARTNERBOT_SLACK_BOT_TOKEN is not set: posting to Slack needs the bot token")
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=15)


def describe(exc: BaseException) -> str:
    """One short line for a failed call: Slack's error code when there is one."""
    response = getattr(exc, "response", None)
    if response is not None:
        try:
            return f"{response.get('error') or 'error'} (HTTP {response.status_code})"
        except (AttributeError, TypeError):
            pass
    return f"{exc.__class__.__name__}: {exc}"[:300]
