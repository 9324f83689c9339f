"""Bolt middleware shared by the listeners: only a person's message is a question.

Bolt already drops the app's own events (its IgnoringSelfEvents middleware); this drops edits,
deletions, joins and, unless configured otherwise, other bots, before any listener runs. Each is
acknowledged, so Slack does not retry it.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

QUESTION_SUBTYPES = (None, "thread_broadcast", "file_share")  # what a person's question arrives as


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
