"""The bolt App factory: one sync App, its Web API client, the channel policy and every listener.

HTTP mode (`http.mount`) and Socket Mode (`partnerbot slack --socket`) both build the app here, so
the two behave the same. Add a feature by adding its listener module to LISTENERS.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltError, BoltUnhandledRequestError

from bot.services import Services
from bot.slack.channels import load_policy
from bot.slack.client import probe, web_client
from bot.slack.context import SlackBot
from bot.slack.filters import OnlyPeople, WhileInstalled
from bot.slack.listeners import (
    announce,
    assistant,
    commands,
    feedback,
    handoff,
    home,
    library,
    lifecycle,
    mentions,
    messages,
    share,
)
from bot.slack.rights import Rights
from config.errors import ConfigError
from config.settings import Settings

log = logging.getLogger(__name__)
Register = Callable[[App, SlackBot], None]
LISTENERS: tuple[Register, ...] = (
    lifecycle.register,
    library.register,  # middleware: a shared file is the library's before the Assistant takes DM threads
    assistant.register,  # middleware: bolt's Assistant takes every DM thread reply first
    mentions.register,
    messages.register,
    commands.register,
    feedback.register,
    share.register,
    handoff.register,
    announce.register,
    home.register,
)

# What reading a payload of the wrong shape raises (a missing key, a list where an object belongs…)
SHAPE_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError)
MALFORMED = "This request is not of a shape Slack sends."


def refuse_malformed(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
    """bolt's handler of a listener or middleware that raised: a signed payload Slack would never
    send (fields missing or of the wrong shape) gets a 400, not a 500 that Slack retries; anything
    else stays a 500, logged whole."""
    if isinstance(error, BoltUnhandledRequestError):  # bolt has answered it already (404)
        return None
    if response is not None and isinstance(error, SHAPE_ERRORS):
        log.warning("a Slack request of unexpected shape was refused: %s: %s", type(error).__name__, error)
        return BoltResponse(status=400, body=MALFORMED)
    log.error("handling a Slack request failed", exc_info=error)
    return None


def build_app(services: Services, *, socket_mode: bool = False) -> tuple[App, SlackBot]:
    """The bolt App; a bad token or channel file is a ConfigError here, at start-up."""
    settings = services.settings
    client = web_client(settings)  # a missing token is a ConfigError here
    if not socket_mode and not settings.slack_signing_secret:
        raise ConfigError(
            "PARTNERBOT_SLACK_SIGNING_SECRET is not set: HTTP mode must verify Slack's requests"
        )
    bot = SlackBot(services, load_policy(settings.slack_channels_file), Rights(client, services))
    check_token(settings)
    try:
        app = App(
            signing_secret=settings.slack_signing_secret,
            client=client,
            process_before_response=False,
            request_verification_enabled=not socket_mode,
            token_verification_enabled=False,  # check_token did it; bolt asks again on the first event
        )
    except BoltError as exc:
        raise ConfigError(f"the Slack app cannot be built: {exc}") from None
    app.error(refuse_malformed)
    app.use(WhileInstalled(lambda: bot.stopped))
    app.use(OnlyPeople(settings.slack_ignore_bots))
    for register in LISTENERS:
        register(app, bot)
    return app, bot


def check_token(settings: Settings) -> None:
    """A token Slack refuses stops start-up with a line saying so. Slack unreachable, hanging,
    failing (5xx) or rate-limiting does not: the web app and API must not go down with Slack, and
    events are answered once it is back (`/readyz` says Slack is not ready meanwhile)."""
    problem = probe(settings)
    if problem:
        log.warning(
            "Slack cannot be reached at %s (%s): starting anyway; Slack events are answered once it is back",
            settings.slack_api_url,
            problem,
        )
