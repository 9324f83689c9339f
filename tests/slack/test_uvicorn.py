"""HTTP mode under a real server: uvicorn on loopback, Slack's requests over real HTTP."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from bot.web.app import create_app
from tests.slack.conftest import ANSWERABLE, ASKER, CHANNEL, SECRET, mention_event
from tests.support.slack_api import BOT_USER_ID
from tests.support.slack_requests import SlackSender

pytestmark = pytest.mark.integration


def test_events_over_real_http_are_acked_fast_and_answered_in_the_thread(fresh_services, slack_api):
    services = fresh_services(
        slack_bot_token=slack_api.token, slack_signing_secret=SECRET, slack_api_url=slack_api.base_url
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(services.settings, services), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        with httpx.Client(base_url=url, timeout=10) as http:
            sender = SlackSender(http, SECRET)
            text = f"<@{BOT_USER_ID}> {ANSWERABLE}"
            ts = slack_api.add_message(CHANNEL, text, user=ASKER)
            started = time.monotonic()
            assert sender.event(mention_event(text, ts)).status_code == 200
            assert time.monotonic() - started < 3
            # while the answer is being worked on, the server keeps serving
            assert http.get("/healthz").status_code == 200
            assert sender.event(mention_event(text, ts), secret="forged").status_code == 401
            [update] = slack_api.wait_for("chat.update", timeout=90)
            assert "Rob Webster" in update.text
            assert [c["thread_ts"] for c in slack_api.calls_to("chat.postMessage")] == [ts]
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
