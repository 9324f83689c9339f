"""HTTP mode: Slack's events, commands and interactions at `POST /slack/events` on the FastAPI app.

bolt's sync `dispatch` runs in the thread pool, never on the event loop; it only verifies the
signature and acks, since every listener does its work lazily after the ack.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

from bot.services import Services
from bot.slack.app import build_app

PATH = "/slack/events"


def mount(app: FastAPI, services: Services) -> None:
    bolt, bot = build_app(services)
    app.state.slack = bot

    @app.post(PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)
