"""Slack's rules: signatures checked before anything happens, Web API failures retried or told."""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from config.errors import ConfigError
from retrieval.access import PARTNERS
from tests.slack.conftest import ANSWERABLE, ASKER, CHANNEL, mention_event
from tests.support.slack_api import BOT_USER_ID

pytestmark = pytest.mark.integration


def _event(slack):
    text = f"<@{BOT_USER_ID}> {ANSWERABLE}"
    return mention_event(text, slack.api.add_message(CHANNEL, text, user=ASKER))


@pytest.mark.parametrize(
    "how",
    [
        {"secret": "not-the-signing-secret"},
        {"timestamp": -6 * 60},  # seconds from now: older than Slack's 5 minutes
        {"timestamp": +6 * 60},
    ],
    ids=["forged", "stale", "future"],
)
def test_badly_signed_requests_are_rejected_and_nothing_is_sent(slack, how):
    before = len(slack.api.calls)
    if "timestamp" in how:
        how = {"timestamp": int(time.time()) + how["timestamp"]}
    response = slack.send.event(_event(slack), **how)
    assert response.status_code == 401
    url = slack.api.response_url("forged")
    assert (
        slack.send.command(
            "/ask", ANSWERABLE, user=ASKER, channel=CHANNEL, response_url=url, **how
        ).status_code
        == 401
    )
    slack.api.settle(quiet=2)
    assert slack.api.calls[before:] == []


def test_a_request_without_signature_headers_is_rejected(slack):
    response = slack.http.post(
        "/slack/events", content='{"type":"event_callback"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 401


def test_url_verification_challenge_is_answered(slack):
    from tests.support.slack_requests import signed_headers

    body = '{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9","token":"x"}'
    response = slack.http.post("/slack/events", content=body, headers=signed_headers(slack.send.secret, body))
    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9" in response.text


def test_a_rate_limited_update_is_retried_after_retry_after(slack):
    slack.api.fail("chat.update", status=429, retry_after=1)
    event = _event(slack)
    assert slack.send.event(event).status_code == 200

    first, second = slack.api.wait_for("chat.update", count=2, timeout=90)
    assert second.at - first.at >= 1.0, "waited for Retry-After"
    assert first.params == second.params
    progress = next(m for m in slack.api.messages[CHANNEL] if m.get("thread_ts") == event["ts"])
    assert "Rob Webster" in progress["text"], "the progress message now holds the answer"
    slack.api.settle(quiet=1.5)
    assert len(slack.api.calls_to("chat.update")) == 2


def test_a_failing_update_is_told_to_the_user_in_the_thread(slack):
    slack.api.fail("chat.update", status=500, times=5)
    event = _event(slack)
    assert slack.send.event(event).status_code == 200

    [told] = slack.api.wait_for(
        "chat.postMessage", where=lambda c: "Slack would not take it" in c.text, timeout=90
    )
    assert told["thread_ts"] == event["ts"]
    assert "internal_error" in told.text


def test_an_update_whose_connection_drops_is_told_to_the_user(slack):
    """A dropped connection is no Slack error, yet the asker still hears that the answer did not land."""
    slack.api.fail("chat.update", dropped=True, times=2)  # the first try and its one retry both drop
    event = _event(slack)
    assert slack.send.event(event).status_code == 200

    [told] = slack.api.wait_for(
        "chat.postMessage", where=lambda c: "Slack would not take it" in c.text, timeout=90
    )
    assert told["thread_ts"] == event["ts"]


def test_when_slack_refuses_the_thread_too_the_user_is_told_privately(slack):
    slack.api.fail("chat.postMessage", status=200, error="channel_not_found", times=3)
    event = _event(slack)
    assert slack.send.event(event).status_code == 200

    [told] = slack.api.wait_for("chat.postEphemeral", timeout=90)
    assert len(slack.api.calls_to("chat.postMessage")) == 3  # progress, answer, notice: all refused
    assert told["user"] == ASKER and told["channel"] == CHANNEL
    assert "Slack would not take it" in told.text


def test_a_failing_slash_command_response_url_is_told_another_way(slack):
    slack.api.fail("response_url", status=500)
    url = slack.api.response_url("ask")
    assert (
        slack.send.command("/ask", ANSWERABLE, user=ASKER, channel=CHANNEL, response_url=url).status_code
        == 200
    )
    [told] = slack.api.wait_for("chat.postEphemeral", timeout=90)
    assert told["user"] == ASKER and "HTTP 500" in told.text


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("slack_down", ["refused", "500", "429"])
def test_the_web_app_starts_and_answers_while_slack_is_down(fresh_services, slack_api, caplog, slack_down):
    """Issue 15: with Slack unreachable or failing at start-up, serve exited: the web went down too."""
    url = f"http://127.0.0.1:{_closed_port()}/api/" if slack_down == "refused" else slack_api.base_url
    slack_api.fail("auth.test", status=429 if slack_down == "429" else 500, retry_after=30, times=2)
    services = fresh_services(
        slack_bot_token=slack_api.token, slack_signing_secret="secret", slack_api_url=url
    )
    session = urlsplit(services.links.session(PARTNERS))  # the web is private: a partner's session
    with caplog.at_level(logging.WARNING), TestClient(create_app(services.settings, services)) as client:
        client.get(f"{session.path}?{session.query}")
        answered = client.post("/api/ask", json={"question": ANSWERABLE})
        ready = client.get("/readyz")
    assert answered.status_code == 200 and answered.json()["answered"]
    assert ready.status_code == 503 and ready.json()["checks"]["slack"].startswith("unreachable: ")
    assert ready.json()["checks"]["model"] == "ok"
    assert "Slack cannot be reached" in caplog.text and "starting anyway" in caplog.text


def test_readyz_says_slack_is_ready_once_it_answers(slack):
    ready = slack.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["slack"] == "ok"


def test_a_token_slack_refuses_still_stops_start_up_with_one_clear_line(fresh_services, slack_api):
    slack_api.fail("auth.test", status=200, error="invalid_auth")
    services = fresh_services(
        slack_bot_token=slack_api.token, slack_signing_secret="secret", slack_api_url=slack_api.base_url
    )
    with pytest.raises(ConfigError, match=r"did not accept the bot token .*\(invalid_auth\)"):
        create_app(services.settings, services)
