"""Bolt middleware shared by the listeners: nothing once the app is uninstalled, and only a
person's message is a question.

Bolt already drops the app's own events (its IgnoringSelfEvents middleware); this drops edits,
deletions, joins and, unless configured otherwise, other bots, before any listener runs. Each is
acknowledged, so Slack does not retry it.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

QUESTION_SUBTYPES = (None, "thread_broadcast", "file_share")  # what a person's question arrives as


class WhileInstalled(Middleware):
    """After `app_uninstalled` or `tokens_revoked` every request is acknowledged and nothing runs:
    the token is dead, so each Web API call would fail. A reinstall brings a new token, and with it
    a restart."""

    def __init__(self, stopped: Callable[[], str | None]) -> None:
        self.stopped = stopped

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        if self.stopped():
            return req.context.ack()
        return next()


class OnlyPeople(Middleware):
    def __init__(self, ignore_bots: bool) -> None:
        self.ignore_bots = ignore_bots

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        event = req.body.get("event") or {}
        if event.get("type") in ("message", "app_mention") and not self.asks(event):
            return req.context.ack()
        return next()

    def asks(self, event: dict) -> bool:
        if event.get("bot_id") and self.ignore_bots:
            return False
        return event["type"] == "app_mention" or (
            event.get("subtype") in QUESTION_SUBTYPES and bool(event.get("user"))
        )
