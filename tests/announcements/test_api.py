"""POST/GET/DELETE /api/announcements on the real FastAPI app, posting to the local Slack Web API."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.state import announcements as store
from bot.state import audit, tokens
from bot.state.db import Database
from bot.throttle import Throttle
from bot.web.app import create_app
from retrieval.access import EVERYTHING
from tests.announcements.conftest import slack_settings
from tests.support.slack_api import SlackAPI

pytestmark = pytest.mark.integration

CALL = {
    "title": "Digital health showcase, 4 March",
    "body": "An event: partners demo their products to NHS buyers at the Leeds digital festival.",
    "channels": ["C0EVENTS", "C0NEWS"],
    "author": "Comms team",
    "expires": (date.today() + timedelta(days=60)).isoformat(),
}


class Api:
    def __init__(self, client: TestClient, services: Any, slack: SlackAPI, token: str) -> None:
        self.client, self.services, self.slack, self.token = client, services, slack, token

    def post(self, payload: Any, token: str | None = "", **headers: str) -> Any:
        if token is not None:
            headers["Authorization"] = f"Bearer {token or self.token}"
        return self.client.post("/api/announcements", json=payload, headers=headers)


@pytest.fixture
def api(fresh_services, request: pytest.FixtureRequest) -> Iterator[Api]:
    slack: SlackAPI = request.getfixturevalue("slack_api")
    url = request.getfixturevalue("database_url") if "database_url" in request.fixturenames else None
    services = fresh_services(**slack_settings(slack, url))
    token = tokens.create(services.db, "newsletter", ["announce"])
    with TestClient(create_app(services.settings, services)) as client:
        yield Api(client, services, slack, token)


def test_a_good_token_posts_once_and_a_repeat_posts_nothing(api: Api, database_url) -> None:
    first = api.post(CALL)
    assert first.status_code == 201, first.text
    record = first.json()
    assert record["status"] == "published" and record["failed"] == {}
    assert [p["channel"] for p in record["posts"]] == ["C0EVENTS", "C0NEWS"]
    assert all(p["permalink"].startswith("https://partners.slack.com/archives/") for p in record["posts"])
    sent = api.slack.calls_to("chat.postMessage")
    assert len(sent) == 2 and all("Posted by Comms team" in c.text for c in sent)

    again = api.post(CALL)  # a client retrying after a timeout: same content, no key
    assert again.status_code == 200 and again.json()["id"] == record["id"]
    assert len(api.slack.calls_to("chat.postMessage")) == 2

    keyed = api.post(CALL, **{"Idempotency-Key": "newsletter-42"})
    assert keyed.status_code == 201 and keyed.json()["id"] != record["id"]
    assert api.post(CALL, **{"Idempotency-Key": "newsletter-42"}).status_code == 200
    assert len(api.slack.calls_to("chat.postMessage")) == 4

    answer, _ = api.services.answer(
        "When is the digital health showcase for NHS buyers?", surface="web", access=EVERYTHING
    )
    assert any(s.doc_id == f"announcement-{record['id']}" for s in answer.sources)
    entry = next(e for e in audit.entries(api.services.db) if e.announcement_id == record["id"])
    assert (entry.actor, entry.source, entry.allowed) == ("api:newsletter", "api", True)

    listed = api.client.get("/api/announcements", headers={"Authorization": f"Bearer {api.token}"})
    assert [r["id"] for r in listed.json()] == [keyed.json()["id"], record["id"]]


def test_no_token_and_a_bad_token_are_refused_and_audited(api: Api) -> None:
    missing = api.post(CALL, token=None)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in missing.json()["detail"]
    bad = api.post(CALL, token="pbt_not-a-real-token")
    assert bad.status_code == 401 and "not valid" in bad.json()["detail"]
    basic = api.client.post("/api/announcements", json=CALL, headers={"Authorization": "Basic dTpw"})
    assert basic.status_code == 401
    tokens.revoke(api.services.db, "newsletter")
    assert api.post(CALL).status_code == 401
    assert api.client.get("/api/announcements").status_code == 401
    assert api.client.delete("/api/announcements/1").status_code == 401
    assert not api.slack.calls_to("chat.postMessage") and store.listing(api.services.db) == []
    reasons = [e.reason for e in audit.entries(api.services.db)]
    assert "no bearer token" in reasons and "unknown or revoked token" in reasons
    assert all(not e.allowed for e in audit.entries(api.services.db))


def test_a_token_configured_by_its_hash_works(fresh_services, slack_api) -> None:
    configured = hashlib.sha256(b"s3cret-from-the-vault").hexdigest()
    services = fresh_services(**slack_settings(slack_api), announce_api_token_sha256=configured)
    with TestClient(create_app(services.settings, services)) as client:
        ok = client.post(
            "/api/announcements", json=CALL, headers={"Authorization": "Bearer s3cret-from-the-vault"}
        )
        assert ok.status_code == 201, ok.text


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({**CALL, "title": ""}, "title: must not be empty"),
        ({**CALL, "channels": ["C0SECRET"]}, "C0SECRET not among the announcement channels"),
        ({**CALL, "channels": []}, "choose at least one channel"),
        ({**CALL, "expires": "2001-01-01"}, "in the past"),
        ({**CALL, "expires": "next week"}, "expires"),
        ({**CALL, "link": "ftp://x"}, "link"),
        ({**CALL, "body": "é" * 3001}, "too long"),
        ({**CALL, "admin": True}, "'admin' is not a field"),
        ({k: v for k, v in CALL.items() if k != "author"}, "'author' is missing"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_bad_input_gets_a_clear_422_and_posts_nothing(api: Api, payload, message) -> None:
    response = api.post(payload)
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert not api.slack.calls_to("chat.postMessage") and store.listing(api.services.db) == []


def test_withdraw_through_the_api(api: Api) -> None:
    record = api.post(CALL).json()
    auth = {"Authorization": f"Bearer {api.token}"}
    assert api.client.delete("/api/announcements/999", headers=auth).status_code == 404
    for bad in ("99999999999999999999999", "0", "-1", "abc"):  # past the database's range: a 422, not a 500
        assert api.client.delete(f"/api/announcements/{bad}", headers=auth).status_code == 422, bad
    gone = api.client.delete(f"/api/announcements/{record['id']}", headers=auth)
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    assert {p["status"] for p in gone.json()["posts"]} == {"deleted"}
    assert len(api.slack.calls_to("chat.delete")) == 2
    assert api.services.index.document(record["doc_id"]) is None


def test_token_guessing_is_throttled_per_client_and_audited_once_a_refusal(api: Api) -> None:
    """Issue 15: 2,000 guesses went through in 13 s, each an audit row."""
    answers = [api.post(CALL, token=f"pbt_guess-{i}").status_code for i in range(25)]
    assert answers[:10] == [401] * 10 and set(answers[10:]) == {429}
    throttled = api.post(CALL)  # the right token too: the address waits, whatever it sends
    assert throttled.status_code == 429 and 0 < int(throttled.headers["retry-after"]) <= 60
    assert "try again in" in throttled.json()["detail"]
    assert len(audit.entries(api.services.db)) == 10
    assert not api.slack.calls_to("chat.postMessage")


def test_the_throttle_forgets_failures_after_its_window() -> None:
    now = [0.0]
    throttle = Throttle(limit=2, window_s=60, clock=lambda: now[0])
    throttle.hit("a")
    throttle.hit("a")
    assert throttle.retry_after("a") == 60 and throttle.retry_after("b") == 0
    now[0] = 59.5
    assert throttle.retry_after("a") == 0.5
    now[0] = 60.0
    assert throttle.retry_after("a") == 0


def test_an_announcement_while_the_state_store_is_down_is_refused_whole(api: Api) -> None:
    """Issue 15: what cannot wait is refused with a clear message, not half done."""
    down = api.services.settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody:x@127.0.0.1:1/none", "db_connect_timeout_s": 1}
    )
    api.services.db = Database(down)
    refused = api.post(CALL)
    assert refused.status_code == 503 and refused.headers["retry-after"] == "30"
    assert "state store is unavailable: nothing was done" in refused.json()["detail"]
    assert not api.slack.calls_to("chat.postMessage")


def test_a_rate_limited_post_is_waited_out_and_posted_once(api: Api) -> None:
    """Issue 15: a 429 on the API path was not retried. Slack did nothing with a rate-limited call,
    so it is sent again after Retry-After, and each channel still gets one post."""
    api.slack.fail("chat.postMessage", status=429, retry_after=1, times=2)
    response = api.post(CALL)
    assert response.status_code == 201, response.text
    assert response.json()["failed"] == {}
    sent = api.slack.calls_to("chat.postMessage")
    assert len(sent) == 2 + 2  # two refused, then one post per channel
    assert [len(api.slack.messages[c]) for c in ("C0EVENTS", "C0NEWS")] == [1, 1]
