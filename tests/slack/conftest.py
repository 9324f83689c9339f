"""The Slack surface under test: the real FastAPI app and bolt app, signed requests, a local Web API.

`slack` builds one harness per test: `slack.send` posts signed requests to /slack/events through
FastAPI's TestClient, `slack.api` is the loopback Web API that records what the bot sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from bot.services import Services
from bot.web.app import create_app
from tests.support.fixtures import slack_api  # noqa: F401  (a fixture)
from tests.support.slack_api import BOT_USER_ID, SlackAPI
from tests.support.slack_requests import SlackSender

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0PARTNERS"
ASKER = "U0ASKER"
ANSWERABLE = "Who is the CEO lead for the West Yorkshire and Harrogate Health and Care Partnership?"


@dataclass
class Slack:
    api: SlackAPI
    send: SlackSender
    services: Services
    http: TestClient

    def mention(
        self,
        text: str,
        *,
        channel: str = CHANNEL,
        thread_ts: str | None = None,
        user: str = ASKER,
        user_team: str | None = None,
        **kwargs: Any,
    ) -> str:
        """A person posts `<@bot> text` (stored in the Web API) and Slack delivers app_mention; → ts.
        `user_team`: the asker's workspace, as Slack names it for people of Slack Connect channels."""
        full = f"<@{BOT_USER_ID}> {text}"
        ts = self.api.add_message(channel, full, user=user, thread_ts=thread_ts)
        event = mention_event(full, ts, channel=channel, thread_ts=thread_ts, user=user)
        if user_team:
            event["user_team"] = user_team
        response = self.send.event(event, **kwargs)
        assert response.status_code == 200, response.text
        return ts

    def answer_for(self, ts: str, channel: str = CHANNEL, timeout: float = 90) -> Any:
        """The chat.update that replaced the progress message posted in the thread of `ts`."""
        [progress] = self.api.wait_for(
            "chat.postMessage",
            where=lambda c: c["thread_ts"] == ts and c["channel"] == channel,
            timeout=timeout,
        )
        progress_ts = _ts_of(self.api, channel, ts)
        [update] = self.api.wait_for("chat.update", where=lambda c: c["ts"] == progress_ts, timeout=timeout)
        assert progress["text"].startswith("Looking through")
        return update


def _ts_of(api: SlackAPI, channel: str, thread_ts: str) -> str:
    """ts of the bot's first message in the thread."""
    return next(
        m["ts"] for m in api.messages.get(channel, []) if m.get("thread_ts") == thread_ts and m.get("bot_id")
    )


def mention_event(
    text: str, ts: str, *, channel: str = CHANNEL, thread_ts: str | None = None, user: str = ASKER
) -> dict:
    event = {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "client_msg_id": f"msg-{ts}",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message_event(
    text: str, ts: str, *, channel: str = CHANNEL, channel_type: str = "channel", **extra: Any
) -> dict:
    return {
        "type": "message",
        "user": ASKER,
        "text": text,
        "ts": ts,
        "channel": channel,
        "channel_type": channel_type,
        "event_ts": ts,
        "client_msg_id": f"msg-{ts}",
        **extra,
    }


@pytest.fixture
def make_slack(
    fresh_services: Callable[..., Services],
    slack_api: SlackAPI,  # noqa: F811
    tmp_path: Path,
) -> Iterator[Callable[..., Slack]]:
    """make_slack(channels={...}, **settings) → a running Slack harness; `channels` is the YAML policy."""
    clients: list[TestClient] = []

    def make(channels: dict | None = None, **overrides: Any) -> Slack:
        if channels is not None:
            path = tmp_path / "channels.yaml"
            path.write_text(yaml.safe_dump(channels))
            overrides["slack_channels_file"] = path
        services = fresh_services(
            slack_bot_token=slack_api.token,
            slack_signing_secret=SECRET,
            slack_api_url=slack_api.base_url,
            front_door="#healthtech-front-door",
            **overrides,
        )
        http = TestClient(create_app(services.settings, services))
        http.__enter__()
        clients.append(http)
        return Slack(slack_api, SlackSender(http, SECRET), services, http)

    yield make
    for http in clients:
        http.__exit__(None, None, None)


@pytest.fixture
def slack(make_slack: Callable[..., Slack]) -> Slack:
    return make_slack()
