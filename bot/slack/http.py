"""HTTP mode: Slack's events, commands and interactions at `POST /slack/events` on the FastAPI app.

bolt's sync `dispatch` runs in the thread pool, never on the event loop; it only verifies the
signature and acks, since every listener does its work lazily after the ack. Before bolt sees a
request, `screen` turns away what bolt would crash on (a timestamp that is not a number, a body that
is not UTF-8, not an object or nested past any real payload) with a 4xx instead of a 500; a payload
whose odd shape only shows when bolt or a listener reads it gets a 400 too (`app.refuse_malformed`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, TypeGuard
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool

from bot.services import Services
from bot.slack.app import MALFORMED, SHAPE_ERRORS, build_app

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
        try:
            response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        except SHAPE_ERRORS as exc:  # bolt's own reading of an odd payload failed, error handler and all
            log.warning("a Slack request of unexpected shape was refused: %s: %s", type(exc).__name__, exc)
            return Response(MALFORMED, status_code=400)
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
    problem = _interaction_problem(payload)
    if problem:
        return Response(f"the interaction {problem}", status_code=400)
    return None


def _interaction_problem(payload: dict[str, Any]) -> str | None:
    """What makes an interaction unlike any Slack sends, in the fields bolt and the listeners read.

    Checked here because a listener that acks and then trips over its payload leaves bolt waiting
    out the 3 seconds (it drops the ack when a listener raises after it)."""
    kind = payload.get("type")
    if kind not in ("block_actions", "view_submission", "view_closed"):
        return None
    if not _object_with(payload.get("user"), "id"):
        return "names no user"
    if not all(isinstance(payload.get(k), dict | None) for k in ("channel", "container", "team")):
        return "has a channel, container or team that is not an object"
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            return "has no list of actions"
        if not all(_object_with(a, "action_id") and isinstance(a.get("value", ""), str) for a in actions):
            return "has an action that is not one"
        return None
    view = payload.get("view")
    if not _object_with(view, "id", "type", "callback_id"):
        return "has no view"
    state = view.get("state") or {}
    values = state.get("values", {}) if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(
        isinstance(block, dict) and all(isinstance(v, dict) for v in block.values())
        for block in values.values()
    ):
        return "has a view whose state is not a form's"
    if not isinstance(view.get("private_metadata", ""), str):
        return "has a view whose metadata is not text"
    return None


def _object_with(value: object, *fields: str) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and all(isinstance(value.get(f), str) for f in fields)


def _usable(event: object) -> bool:
    """An event a listener can act on: an object with a type, and for messages a channel and ts."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return False
    if event["type"] in ("message", "app_mention"):
        text = event.get("text")
        fields = (event.get("channel"), event.get("ts"))
        return all(isinstance(f, str) and f for f in fields) and (text is None or isinstance(text, str))
    return True
