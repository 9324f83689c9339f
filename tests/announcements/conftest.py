"""Fixtures of the announcement and question-log tests: both state backends, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.services import Services
from bot.state import announcements as store
from bot.web.app import create_app
from tests.support.fixtures import slack_api  # noqa: F401  (a fixture)
from tests.support.postgres import create_database
from tests.support.slack_api import SlackAPI
from tests.support.slack_requests import SlackSender


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None for the default SQLite file in the data folder, else a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return create_database(request.getfixturevalue("postgres"))


# -- the Slack side: the real app (FastAPI + bolt) over signed HTTP, talking to the local Slack Web API --

SECRET = "announce-test-signing-secret"
CHANNELS = {"C0NEWS": "partner-news", "C0FUND": "funding", "C0EVENTS": "events"}
COMMS = "U0COMMS"  # in PARTNERBOT_COMMS_USER_IDS
GROUPIE = "U0GROUPIE"  # in the Slack user group S0COMMS
STRANGER = "U0STRANGER"
USERGROUP = "S0COMMS"


@dataclass
class Harness:
    services: Services
    slack: SlackAPI
    sender: SlackSender

    def open_form(self, user: str = COMMS, channel: str = "C0NEWS") -> Any:
        """Run /announce and return the form view Slack was asked to open."""
        response = self.sender.command(
            self.services.settings.announce_command,
            "",
            user=user,
            channel=channel,
            response_url=self.slack.response_url("announce"),
            trigger_id=f"trigger-{user}",
        )
        assert response.status_code == 200, response.text
        self.slack.wait_for("views.open", where=lambda c: c["trigger_id"] == f"trigger-{user}")
        return next(v for v in reversed(self.slack.views.values()) if v.get("callback_id") == "announce_form")

    def submit_form(self, view: dict[str, Any], user: str = COMMS, **fields: Any) -> Any:
        values = form_values(**fields)
        return self.sender.view_submission({**view, "state": {"values": values}}, user=user)

    def preview(self, view: dict[str, Any], user: str = COMMS, **fields: Any) -> dict[str, Any]:
        """Submit the form; the preview view that replaces it (with the same view id, as in Slack)."""
        response = self.submit_form(view, user, **fields)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body.get("response_action") == "update", body
        return {**body["view"], "id": view["id"]}


def form_values(
    title: str = "",
    body: str = "",
    channels: list[str] | None = None,
    link: str | None = None,
    expires: str | None = None,
) -> dict[str, Any]:
    """The state.values of the /announce form as Slack submits it."""
    return {
        "title": {"value": {"type": "plain_text_input", "value": title}},
        "body": {"value": {"type": "plain_text_input", "value": body}},
        "channels": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [
                    {"value": c, "text": {"type": "plain_text", "text": c}} for c in channels or []
                ],
            }
        },
        "link": {"value": {"type": "url_text_input", "value": link}},
        "expires": {"value": {"type": "datepicker", "selected_date": expires}},
    }


def slack_settings(slack: SlackAPI, database_url: str | None = None) -> dict[str, Any]:
    return {
        "database_url": database_url,
        "slack_bot_token": slack.token,
        "slack_api_url": slack.base_url,
        "announce_channels": CHANNELS,
        "comms_user_ids": [COMMS],
        "comms_usergroup": USERGROUP,
        "comms_channel": "C0COMMS",
        "slack_signing_secret": SECRET,
    }


@pytest.fixture
def harness(fresh_services, request: pytest.FixtureRequest) -> Iterator[Harness]:
    """SQLite by default; tests that take `database_url` run on both backends."""
    slack: SlackAPI = request.getfixturevalue("slack_api")
    url = request.getfixturevalue("database_url") if "database_url" in request.fixturenames else None
    services = fresh_services(**slack_settings(slack, url))
    slack.usergroups[USERGROUP] = [GROUPIE]
    with TestClient(create_app(services.settings, services)) as client:
        yield Harness(services, slack, SlackSender(client, SECRET))


def make_record(db, key: str, channels: list[str], source: str = "slack"):
    """An announcement's record and its channel rows, as written before anything is posted."""
    row, _ = store.create(
        db,
        key=key,
        source=source,
        author_id="U0COMMS",
        author_name="ana",
        title=f"Event {key}",
        body="The spring showcase for partners and NHS buyers takes place in Bradford.",
        link=None,
        expires=None,
        channels=channels,
    )
    return row
