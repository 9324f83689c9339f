"""HTTP mode: Slack's events, commands and interactions at `POST /slack/events` on the FastAPI app.

bolt's sync `dispatch` runs in the thread pool, never on the event loop; it only verifies the
signature and acks, since every listener does its work lazily after the ack. Before bolt sees a
request, `screen` turns away what bolt would crash on (a timestamp that is not a number, a body that
is not UTF-8, not an object or nested past any real payload) with a 4xx instead of a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool

from bot.services import Services
from bot.slack.app import build_app

log = logging.getLogger(__name__)
PATH = "/slack/events"
FORM = "application/x-www-form-urlencoded"


def mount(app: FastAPI, services: Services) -> None:
    bolt, bot = build_app(services)
    app.state.slack = bot
    verifier = SignatureVerifier(services.settings.slack_signing_secret or "")

    @app.post(PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        refusal = screen(verifier, body, request.headers)
        if refusal is not None:
            return refusal
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)


def screen(verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]) -> Response | None:
    """A 401 for anything unsigned or oddly signed, a 400 for a signed body that is not a payload."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Response("invalid request", status_code=401)
    digits = timestamp.isascii() and timestamp.isdigit()  # "²" is a digit to isdigit, not to int()
    if not digits or len(timestamp) > 12 or not verifier.is_valid(text, timestamp, signature):
        return Response("invalid request", status_code=401)
    if headers.get("content-type", "").startswith(FORM):
        if "payload" not in parse_qs(text):
            return None  # a slash command: form fields only
        text = parse_qs(text)["payload"][0]
    try:
        payload = json.loads(text)
    except ValueError:
        return Response("the body is not valid JSON", status_code=400)
    except RecursionError:
        return Response("the payload nests too deeply", status_code=400)
    if not isinstance(payload, dict):
        return Response("the body is not a Slack payload (a JSON object)", status_code=400)
    if payload.get("type") == "event_callback" and not _usable(payload.get("event")):
        log.info("ignored a malformed event: %.200r", payload.get("event"))
        return Response(status_code=200)  # acked, so Slack does not retry what no listener can use
    if isinstance(payload.get("actions"), str):
        return Response("the interaction's actions are not a list", status_code=400)
    return None


def _usable(event: object) -> bool:
    """An event a listener can act on: an object with a type, and for messages a channel and ts."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return False
    if event["type"] in ("message", "app_mention"):
        text = event.get("text")
        fields = (event.get("channel"), event.get("ts"))
        return all(isinstance(f, str) and f for f in fields) and (text is None or isinstance(text, str))
    return True
