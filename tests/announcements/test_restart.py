"""Restart safety: what a crash left half done is completed when the app starts, and nothing repeats."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from bot.state import announcements as store
from bot.web.app import create_app
from tests.announcements.conftest import make_record, slack_settings

pytestmark = pytest.mark.integration


def _wait(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_crash_mid_posting_is_completed_at_start_without_repeating(fresh_services, slack_api, database_url):
    services = fresh_services(**slack_settings(slack_api, database_url))
    # the process died after posting in the first channel: its ts was stored, the others were not reached
    crashed = make_record(services.db, "slack:V0CRASH", ["C0NEWS", "C0FUND", "C0EVENTS"])
    ts = slack_api.add_message("C0NEWS", "Event slack:V0CRASH", user="U0PARTNERBOT")
    store.set_post(services.db, crashed.posts[0].id, status="posted", ts=ts, permalink=None)
    # and one was published in full but its document is missing (the index was rebuilt elsewhere)
    published = make_record(services.db, "slack:V0DONE", ["C0NEWS"])
    store.set_post(services.db, published.posts[0].id, status="posted", ts="1.2", permalink="https://x/p12")
    store.set_status(services.db, published.id, "published")
    draft = make_record(services.db, "slack:V0DRAFT", ["C0NEWS"])
    store.set_status(services.db, draft.id, "draft")  # a preview nobody confirmed: never posted

    with TestClient(create_app(services.settings, services)):
        _wait(lambda: store.get(services.db, crashed.id).status == "published")
        slack_api.settle(1.0)
    posted = [c["channel"] for c in slack_api.calls_to("chat.postMessage")]
    assert sorted(posted) == ["C0EVENTS", "C0FUND"]  # the first channel is not posted again
    row = store.get(services.db, crashed.id)
    assert all(p.permalink for p in row.posts)  # the missing permalink was fetched too
    assert services.index.document(crashed.doc_id)
    assert services.index.document(published.doc_id)[0].source_url == "https://x/p12"
    assert store.get(services.db, draft.id).status == "draft"
    assert services.index.document(draft.doc_id) is None
