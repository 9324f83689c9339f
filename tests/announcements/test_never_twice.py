"""Never twice: a channel whose earlier attempt may have reached Slack is looked at before posting.

Each post carries metadata naming the announcement; a retry, a restart's takeover of a stale claim or
a resume finds an earlier post by it in conversations.history instead of posting again, and posts
nothing while the channel cannot be read. All against the local Slack Web API.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from bot.announce import service
from bot.announce.service import Announcer
from bot.state import announcements as store
from bot.state.models import AnnouncementPost
from bot.web.app import create_app
from tests.announcements.conftest import make_record, slack_settings
from tests.support.slack_api import BOT_ID, BOT_USER_ID

pytestmark = pytest.mark.integration


def _metadata(announcement_id: int) -> dict:
    return {"event_type": "partnerbot_announcement", "event_payload": {"announcement_id": announcement_id}}


def _posts_to(slack, channel: str) -> list:
    return slack.calls_to("chat.postMessage", where=lambda c: c["channel"] == channel)


def _crashed_claim(db, post_id: int) -> None:
    """What a worker killed mid-post leaves: the row claimed ("posting"), older than the takeover."""
    assert store.claim(db, post_id) == 0
    old = datetime.now(UTC) - store.STALE_CLAIM - timedelta(seconds=5)
    with db.session() as session:
        session.execute(update(AnnouncementPost).where(AnnouncementPost.id == post_id).values(updated_at=old))


def test_a_post_whose_answer_was_lost_is_found_not_posted_again(fresh_services, slack_api, database_url):
    services = fresh_services(**slack_settings(slack_api, database_url))
    announcer = Announcer.from_settings(services)
    row = make_record(services.db, "api:lost-answer", ["C0NEWS", "C0FUND"], source="api")
    slack_api.fail("chat.postMessage", accepted=True)  # Slack posts in C0NEWS; the connection drops

    outcome = announcer.deliver(row.id)
    assert list(outcome.failed) == ["C0NEWS"]  # unknown to us: it may or may not be there
    assert len(slack_api.messages["C0NEWS"]) == 1
    assert not slack_api.calls_to("conversations.history")  # first attempts post without looking

    Announcer.from_settings(services).resume()  # as at start-up
    outcome = announcer.deliver(row.id)  # and a retry (the CLI's, Slack's Retry button)
    assert not outcome.failed
    [message] = slack_api.messages["C0NEWS"]
    assert len(_posts_to(slack_api, "C0NEWS")) == 1 and len(_posts_to(slack_api, "C0FUND")) == 1
    done = store.get(services.db, row.id)
    assert done.status == "published"
    news = done.posts[0]
    assert (news.status, news.ts, news.error, news.attempts) == ("posted", message["ts"], None, 2)
    assert news.permalink and message["ts"].replace(".", "") in news.permalink
    [lookup] = slack_api.calls_to("conversations.history")  # one look, by the resume; none after
    assert lookup["channel"] == "C0NEWS" and lookup["include_all_metadata"] in ("1", "true", True)
    created = done.created_at if done.created_at.tzinfo else done.created_at.replace(tzinfo=UTC)
    assert float(lookup["oldest"]) == pytest.approx(created.timestamp() - 60, abs=0.01)
    for call in slack_api.calls_to("chat.postMessage"):  # every post carries the announcement's id
        assert call["metadata"] == _metadata(row.id)


def test_a_stale_claim_is_taken_over_and_posts_only_where_slack_has_nothing(
    fresh_services, slack_api, database_url
):
    services = fresh_services(**slack_settings(slack_api, database_url))
    row = make_record(services.db, "slack:V0KILLED", ["C0NEWS", "C0FUND"], source="api")
    news, fund = row.posts
    # killed after Slack posted in C0NEWS, before its ts was stored
    ts = slack_api.add_message(
        "C0NEWS", f"Event {row.key}", user=BOT_USER_ID, bot_id=BOT_ID, metadata=_metadata(row.id)
    )
    _crashed_claim(services.db, news.id)
    # killed before Slack got the C0FUND post; the channel holds look-alikes that are not it
    slack_api.add_message("C0FUND", "forged", user="U0OTHER", bot_id="B0OTHER", metadata=_metadata(row.id))
    slack_api.add_message("C0FUND", "other", user=BOT_USER_ID, bot_id=BOT_ID, metadata=_metadata(row.id + 1))
    _crashed_claim(services.db, fund.id)

    with TestClient(create_app(services.settings, services)):
        deadline = time.monotonic() + 60
        while store.get(services.db, row.id).status != "published":
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.1)
        slack_api.settle(0.5)

    assert not _posts_to(slack_api, "C0NEWS")  # found: not posted again
    [posted] = _posts_to(slack_api, "C0FUND")  # not there: posted once
    assert posted["metadata"] == _metadata(row.id)
    done = {p.channel: p for p in store.get(services.db, row.id).posts}
    assert done["C0NEWS"].ts == ts and done["C0NEWS"].permalink
    assert done["C0FUND"].ts == slack_api.messages["C0FUND"][-1]["ts"] and done["C0FUND"].permalink
    assert services.index.document(row.doc_id)


def test_nothing_is_posted_while_the_channel_cannot_be_read(fresh_services, slack_api):
    services = fresh_services(**slack_settings(slack_api))
    announcer = Announcer.from_settings(services)
    row = make_record(services.db, "api:unreadable", ["C0NEWS"], source="api")
    slack_api.fail("chat.postMessage", dropped=True)  # the connection drops before Slack posts
    assert "C0NEWS" in announcer.deliver(row.id).failed

    slack_api.fail("conversations.history", status=200, error="missing_scope")
    outcome = announcer.deliver(row.id)
    error = outcome.failed["C0NEWS"]
    assert "could not be checked" in error and "missing_scope" in error and "channels:history" in error
    assert f"partnerbot announcements retry {row.id}" in error
    assert len(slack_api.calls_to("chat.postMessage")) == 1 and not slack_api.messages.get("C0NEWS")
    post = store.get(services.db, row.id).posts[0]
    assert (post.status, post.error) == ("failed", error)

    outcome = announcer.deliver(row.id)  # the scope is granted: it looks again, finds nothing, posts
    assert not outcome.failed and outcome.posted == ["C0NEWS"]
    assert len(slack_api.calls_to("conversations.history")) == 2
    [message] = slack_api.messages["C0NEWS"]
    assert message["metadata"] == _metadata(row.id)
    assert len(slack_api.calls_to("chat.postMessage")) == 2  # the dropped one and this one
    assert announcer.deliver(row.id).posted == ["C0NEWS"]
    assert len(slack_api.calls_to("chat.postMessage")) == 2


def test_the_lookup_pages_and_a_longer_history_is_not_taken_for_absence(
    fresh_services, slack_api, monkeypatch
):
    monkeypatch.setattr(service, "LOOKUP_PAGE", 2)
    monkeypatch.setattr(service, "LOOKUP_PAGES", 2)
    services = fresh_services(**slack_settings(slack_api))
    announcer = Announcer.from_settings(services)
    row = make_record(services.db, "api:busy", ["C0NEWS", "C0FUND"], source="api")
    slack_api.fail("chat.postMessage", accepted=True, times=2)  # both posted, both answers lost
    assert sorted(announcer.deliver(row.id).failed) == ["C0FUND", "C0NEWS"]
    for n in range(3):  # the post is on the second page of C0NEWS's history
        slack_api.add_message("C0NEWS", f"chat {n}")
    for n in range(5):  # and past the pages read in C0FUND's
        slack_api.add_message("C0FUND", f"chat {n}")

    outcome = announcer.deliver(row.id)
    assert list(outcome.failed) == ["C0FUND"] and "more than 4 messages" in outcome.failed["C0FUND"]
    assert len(slack_api.calls_to("chat.postMessage")) == 2  # nothing posted again
    assert outcome.posted == ["C0NEWS"]
    news = store.get(services.db, row.id).posts[0]
    assert news.ts == slack_api.messages["C0NEWS"][0]["ts"]
    cursors = [c["cursor"] for c in slack_api.calls_to("conversations.history") if c["channel"] == "C0NEWS"]
    assert cursors == [None, "2"]


def test_a_claim_says_how_many_attempts_came_before(fresh_services, slack_api, database_url):
    db = fresh_services(**slack_settings(slack_api, database_url)).db
    post = make_record(db, "api:claims", ["C0NEWS"], source="api").posts[0].id
    assert store.claim(db, post) == 0
    assert store.claim(db, post) is None  # held by a live worker
    store.set_post(db, post, status="failed")
    assert store.claim(db, post) == 1
    store.set_post(db, post, status="posted", ts="1.1")
    assert store.claim(db, post) is None
