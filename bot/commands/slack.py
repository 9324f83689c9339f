"""`partnerbot slack --socket`: the Slack app over Socket Mode, for workspaces without a public URL.

HTTP mode needs no command of its own: `partnerbot serve` mounts it at POST /slack/events.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable

import typer

from config.errors import ConfigError
from config.settings import Settings, load_settings

log = logging.getLogger(__name__)
BACKOFF_MAX_S = 60


def socket_handler(settings: Settings, services=None):  # noqa: ANN001, ANN201 (imported lazily)
    """Services, the bolt app and its Socket Mode connection, ready to `start()` (or `connect()`)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.services import Services
    from bot.slack.app import build_app

    require_tokens(settings)
    services = services or Services.open(settings)
    app, _ = build_app(services, socket_mode=True)
    return SocketModeHandler(app, settings.slack_app_token)


def require_tokens(settings: Settings) -> None:
    """The app-level and bot tokens Socket Mode needs, checked before any model loads."""
    from bot.slack.client import require_bot_token

    if not settings.slack_app_token:
        raise ConfigError(
            "PARTNERBOT_SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…) with the "
            "connections:write scope, from the app's Basic Information page"
        )
    if not settings.slack_app_token.startswith("xapp-"):
        raise ConfigError("PARTNERBOT_SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    require_bot_token(settings)


def slack(
    socket: bool = typer.Option(
        False, "--socket", help="Connect over Socket Mode (needs PARTNERBOT_SLACK_APP_TOKEN)"
    ),
) -> None:
    """Run the Slack bot over Socket Mode. (HTTP mode is part of `partnerbot serve`, at /slack/events.)"""
    if not socket:
        raise ConfigError(
            "pass --socket to run over Socket Mode; for HTTP mode run `partnerbot serve` and point the app's "
            "Request URL at https://<your host>/slack/events"
        )
    from bot.library.schedule import Schedule
    from bot.services import Services

    settings = load_settings()
    require_tokens(settings)  # a wrong token fails in a second, before the model loads
    services = Services.open(settings)
    handler = socket_handler(settings, services)
    Schedule.start(services)  # documents added by address are refreshed, as under `partnerbot serve`
    # a stop (docker stop, systemd) exits as Ctrl+C does, so the question-log rows still queued are
    # written on the way out (`LogWriter`)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    typer.echo("partnerbot: connecting to Slack over Socket Mode; Ctrl+C stops", err=True)
    connect(handler)
    threading.Event().wait()  # the connection runs in its own threads, as SocketModeHandler.start does


def connect(handler, sleep: Callable[[float], None] = time.sleep) -> int:  # noqa: ANN001 (imported lazily)
    """Connect, waiting out a Slack that cannot be reached (1, 2, 4 … 60 s apart): exiting instead
    would make a restart policy crash-loop until Slack is back. Returns the attempts it took."""
    from bot.slack.client import SLACK_ERRORS, describe, refused_token

    delay, attempts = 1.0, 1
    while True:
        try:
            handler.connect()
            return attempts
        except SLACK_ERRORS as exc:
            if code := refused_token(exc):
                raise ConfigError(
                    f"Slack refused the app-level token ({code}): check PARTNERBOT_SLACK_APP_TOKEN "
                    "(xapp-…, with the connections:write scope)"
                ) from None
            log.warning("Socket Mode cannot connect (%s): trying again in %.0f s", describe(exc), delay)
        sleep(delay)
        delay, attempts = min(delay * 2, BACKOFF_MAX_S), attempts + 1


def register(app: typer.Typer) -> None:
    app.command()(slack)
