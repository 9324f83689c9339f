"""`partnerbot announcements …` as a person runs it: a real process on the same data folder."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bot.state import announcements as store
from bot.state import tokens
from bot.web.app import create_app
from tests.announcements.conftest import slack_settings
from tests.cli.test_ask_and_eval import partnerbot

pytestmark = pytest.mark.integration


def test_list_retry_withdraw_and_tokens_from_the_command_line(fresh_services, slack_api) -> None:
    services = fresh_services(**slack_settings(slack_api))
    env = {"PARTNERBOT_SLACK_BOT_TOKEN": slack_api.token, "PARTNERBOT_SLACK_API_URL": slack_api.base_url}
    data = services.settings.data_dir
    made = partnerbot("token", "create", "cms", "--scope", "announce", data=data, **env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert tokens.verify(services.db, token) == tokens.Token("cms", frozenset({"announce"}))

    slack_api.fail("chat.postMessage", status=500)  # the first channel fails
    with TestClient(create_app(services.settings, services)) as client:
        payload = {
            "title": "Funding call",
            "body": "Apply now.",
            "channels": ["C0NEWS", "C0FUND"],
            "author": "Comms",
        }
        record = client.post(
            "/api/announcements", json=payload, headers={"Authorization": f"Bearer {token}"}
        ).json()
    assert record["status"] == "partial"

    listed = partnerbot("announcements", "list", "--json", data=data, **env)
    assert listed.returncode == 0, listed.stderr
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["id"], row["status"], [p["status"] for p in row["posts"]]) == (
        record["id"],
        "partial",
        ["failed", "posted"],
    )

    retried = partnerbot("announcements", "retry", data=data, **env)  # every unfinished one
    assert retried.returncode == 0, retried.stderr
    assert "published" in retried.stdout
    assert [c["channel"] for c in slack_api.calls_to("chat.postMessage")] == ["C0NEWS", "C0FUND", "C0NEWS"]

    gone = partnerbot("announcements", "withdraw", str(record["id"]), data=data, **env)
    assert gone.returncode == 0 and "withdrawn" in gone.stdout, gone.stderr
    assert len(slack_api.calls_to("chat.delete")) == 2
    assert store.get(services.db, record["id"]).status == "withdrawn"
    missing = partnerbot("announcements", "withdraw", "999", data=data, **env)
    assert missing.returncode == 2 and "there is no announcement 999" in missing.stderr
