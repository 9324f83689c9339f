"""Socket Mode: the same bolt app answers events that arrive over a WebSocket, acked on the socket."""

from __future__ import annotations

import json

import pytest

from bot.cli import app as cli
from bot.commands.slack import connect, socket_handler
from config.errors import ConfigError
from tests.slack.conftest import ANSWERABLE, ASKER, CHANNEL, mention_event
from tests.support.slack_api import BOT_USER_ID
from tests.support.slack_requests import event_body
from tests.support.socket_mode import SocketModeServer


@pytest.mark.integration
def test_a_mention_over_socket_mode_is_acked_and_answered_once(fresh_services, slack_api):
    services = fresh_services(
        slack_bot_token=slack_api.token, slack_api_url=slack_api.base_url, slack_app_token="xapp-1-local"
    )
    with SocketModeServer() as socket:
        slack_api.socket_url = socket.url
        handler = socket_handler(services.settings, services)
        handler.connect()
        try:
            socket.wait_connected()
            text = f"<@{BOT_USER_ID}> {ANSWERABLE}"
            ts = slack_api.add_message(CHANNEL, text, user=ASKER)
            body = json.loads(event_body(mention_event(text, ts)))
            first = socket.send_event(body)
            socket.wait_ack(first)
            socket.wait_ack(socket.send_event(body, retry_attempt=1))

            [update] = slack_api.wait_for("chat.update", timeout=90)
            assert "Rob Webster" in update.text
            slack_api.settle(quiet=2)
            assert len(slack_api.calls_to("chat.postMessage")) == 1
            assert [c["thread_ts"] for c in slack_api.calls_to("chat.postMessage")] == [ts]
        finally:
            handler.close()


@pytest.mark.integration
def test_socket_mode_waits_out_slack_being_unreachable_instead_of_exiting(fresh_services, slack_api):
    """Issue 15: exiting made a restart policy crash-loop until Slack was back."""
    services = fresh_services(
        slack_bot_token=slack_api.token, slack_api_url=slack_api.base_url, slack_app_token="xapp-1-local"
    )
    slack_api.fail("apps.connections.open", status=503, times=2)
    waits: list[float] = []
    with SocketModeServer() as socket:
        slack_api.socket_url = socket.url
        handler = socket_handler(services.settings, services)
        try:
            assert connect(handler, sleep=waits.append) == 3
            socket.wait_connected()
        finally:
            handler.close()
    assert waits == [1.0, 2.0]
    assert len(slack_api.calls_to("apps.connections.open")) == 3


@pytest.mark.integration
def test_socket_mode_stops_at_once_when_slack_refuses_the_app_token(fresh_services, slack_api):
    services = fresh_services(
        slack_bot_token=slack_api.token, slack_api_url=slack_api.base_url, slack_app_token="xapp-1-local"
    )
    slack_api.fail("apps.connections.open", status=200, error="invalid_auth")
    waits: list[float] = []
    handler = socket_handler(services.settings, services)
    try:
        with pytest.raises(ConfigError, match=r"refused the app-level token \(invalid_auth\)"):
            connect(handler, sleep=waits.append)
    finally:
        handler.close()
    assert waits == []


@pytest.mark.unit
@pytest.mark.parametrize(
    "env, args, message",
    [
        ({}, ["slack"], "pass --socket"),
        ({}, ["slack", "--socket"], "PARTNERBOT_SLACK_APP_TOKEN is not set"),
        ({"PARTNERBOT_SLACK_APP_TOKEN": "xoxb-wrong-kind"}, ["slack", "--socket"], "starting with xapp-"),
        (
            {"PARTNERBOT_SLACK_APP_TOKEN": "xapp-1"},
            ["slack", "--socket"],
            "PARTNERBOT_SLACK_BOT_TOKEN is not set",
        ),
    ],
)
def test_the_command_says_what_is_missing(monkeypatch, env, args, message):
    from typer.testing import CliRunner

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError) and message in str(result.exception)
