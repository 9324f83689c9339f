"""Post the report to the communications channel (weekly, from cron: see docs/announcements.md)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.report.build import Report
from bot.report.render import digest_text, to_blocks
from bot.slack.client import SLACK_ERRORS, describe, web_client
from config.errors import ConfigError, PartnerbotError
from config.settings import Settings


def digest_client(settings: Settings) -> WebClient:
    """The Slack client to post the digest with, once both settings it needs are checked."""
    _channel(settings)
    return web_client(settings, retry_connections=False)


def _channel(settings: Settings) -> str:
    if not settings.comms_channel:
        raise ConfigError("PARTNERBOT_COMMS_CHANNEL is not set: it names the channel the digest goes to")
    return settings.comms_channel


def post_digest(settings: Settings, client: WebClient, report: Report) -> str:
    """The ts of the digest post in PARTNERBOT_COMMS_CHANNEL."""
    channel = _channel(settings)
    try:
        response = client.chat_postMessage(
            channel=channel, text=digest_text(report), blocks=to_blocks(report)
        )
    except SLACK_ERRORS as exc:
        raise PartnerbotError(
            f"posting the digest to {settings.comms_channel} failed: {describe(exc)}"
        ) from exc
    return str(response["ts"])
