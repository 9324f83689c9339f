"""The one Slack Web API client, for answering and announcing alike, and the errors its calls raise.

Every part that talks to Slack (the bolt app, announcements, the digest, the CLI) builds its client
here, so all of them wait out rate limits the same way and catch the same failures.
"""

from __future__ import annotations

import json

import yaml
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, RetryHandler

from config.errors import ConfigError
from config.settings import ROOT, Settings

RATE_LIMIT_RETRIES = 3  # each waits Slack's Retry-After
# What a Slack call can fail with: Slack's refusals, HTTP errors, a refused connection, a non-JSON body.
SLACK_ERRORS = (SlackClientError, OSError, json.JSONDecodeError)


def require_bot_token(settings: Settings) -> str:
    if not settings.slack_bot_token:
        raise ConfigError("PARTNERBOT_SLACK_BOT_TOKEN is not set: the Slack app needs the bot token (xoxb-…)")
    return settings.slack_bot_token


def web_client(settings: Settings, *, retry_connections: bool = True) -> WebClient:
    """Waits out 429s (Retry-After): Slack did nothing with a rate-limited call.

    A dropped connection is retried only where a repeat is harmless (answers: a progress message
    is replaced in place). Announcements and the digest pass `retry_connections=False`: a
    connection can drop after Slack posted, and a channel must not get the post twice.
    """
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)]
    if retry_connections:
        handlers.append(ConnectionErrorRetryHandler())
    return WebClient(
        token=require_bot_token(settings),
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=handlers,
    )


def error_code(exc: BaseException) -> str | None:
    """Slack's own error code ("not_in_channel"), or None for a failure that never reached Slack."""
    response = getattr(exc, "response", None)
    try:
        return response.get("error") if response is not None else None
    except (AttributeError, TypeError):
        return None


# Slack's answers that mean the token itself is wrong: waiting will not help, start-up must stop.
TOKEN_REFUSED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "not_allowed_token_type",
        "missing_scope",
    }
)


def refused_token(exc: BaseException) -> str | None:
    """Slack's error code when it refused the token; None for outages, timeouts and rate limits."""
    code = error_code(exc)
    return code if code in TOKEN_REFUSED else None


def describe(exc: BaseException) -> str:
    """One short line for a failed call: Slack's error code when there is one."""
    response = getattr(exc, "response", None)
    if response is not None:
        try:
            return f"{response.get('error') or 'error'} (HTTP {response.status_code})"
        except (AttributeError, TypeError):
            pass
    return f"{exc.__class__.__name__}: {exc}"[:300]


PROBE_TIMEOUT_S = 5


def probe(settings: Settings) -> str | None:
    """One `auth.test`, no retries, a few seconds at most: None when Slack answers, what went wrong
    when it cannot be reached; a ConfigError when it refuses the token (waiting will not help)."""
    client = WebClient(
        token=require_bot_token(settings),
        base_url=settings.slack_api_url,
        timeout=PROBE_TIMEOUT_S,
        retry_handlers=[],
    )
    try:
        client.auth_test()
    except SLACK_ERRORS as exc:
        if code := refused_token(exc):
            raise ConfigError(
                f"Slack did not accept the bot token at {settings.slack_api_url} ({code}): check "
                "PARTNERBOT_SLACK_BOT_TOKEN and PARTNERBOT_SLACK_API_URL"
            ) from None
        return describe(exc)
    return None


def missing_scopes(settings: Settings) -> list[str]:
    """The bot scopes of `config/slack-manifest.yaml` the token was not granted (an app installed
    before they were added), from auth.test's x-oauth-scopes header; none when Slack does not say."""
    client = WebClient(
        token=require_bot_token(settings), base_url=settings.slack_api_url, timeout=PROBE_TIMEOUT_S
    )
    headers = {k.lower(): v for k, v in client.auth_test().headers.items()}
    header = headers.get("x-oauth-scopes")
    if not header:
        return []
    granted = {scope.strip() for scope in str(header).split(",")}
    manifest = yaml.safe_load((ROOT / "config" / "slack-manifest.yaml").read_text(encoding="utf-8"))
    return [scope for scope in manifest["oauth_config"]["scopes"]["bot"] if scope not in granted]
