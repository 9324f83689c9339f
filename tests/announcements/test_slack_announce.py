"""/announce through signed requests to the real bolt app, posting to the local Slack Web API."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from bot.slack.blocks import STORE_UNAVAILABLE
from bot.state import announcements as store
from bot.state import audit
from bot.state.db import Database
from retrieval.access import EVERYTHING
from tests.announcements.conftest import CHANNELS, COMMS, GROUPIE, STRANGER, Harness

pytestmark = pytest.mark.integration

FUND = {
    "title": "Healthtech innovation fund: round 3 open",
    "body": (
        "Funding call: grants of up to £50,000 for SMEs piloting a device or app with a West Yorkshire "
        "NHS trust. Applications close on 15 December."
    ),
    "link": "https://example.org/innovation-fund",
}


def announce(h: Harness, channels: list[str], user: str = COMMS, **fields) -> dict:
    """Form → preview → Post; returns the preview view that was submitted."""
    preview = h.preview(h.open_form(user), user, **{**FUND, "channels": channels, **fields})
    response = h.sender.view_submission(preview, user=user)
    assert response.status_code == 200 and not response.text.strip(), response.text  # the modal closes
    return preview


def posts(h: Harness, channel: str | None = None) -> list:
    return h.slack.calls_to("chat.postMessage", where=lambda c: channel is None or c["channel"] == channel)


def test_the_command_opens_the_form_with_the_configured_channels_only(harness: Harness) -> None:
    form = harness.open_form(COMMS)
    channels = next(b for b in form["blocks"] if b["block_id"] == "channels")
    assert {o["value"]: o["text"]["text"] for o in channels["element"]["options"]} == {
        c: f"#{n}" for c, n in CHANNELS.items()
    }
    assert [b["block_id"] for b in form["blocks"]] == ["title", "body", "channels", "link", "expires"]
    [entry] = audit.entries(harness.services.db)
    assert (entry.action, entry.actor, entry.allowed) == ("open", COMMS, True)


def test_a_non_member_is_refused_privately_and_audited(harness: Harness) -> None:
    response = harness.sender.command(
        "/announce", "", user=STRANGER, channel="C0NEWS", response_url=harness.slack.response_url()
    )
    assert response.status_code == 200
    assert "Only the communications group" in response.text  # the command's own reply: private
    # a hand-made submission of the form is refused too, and nothing is recorded or posted
    form = {"id": "V0FORGED", "type": "modal", "callback_id": "announce_form", "private_metadata": "{}"}
    forged = harness.submit_form(form, STRANGER, **FUND, channels=["C0NEWS"])
    assert forged.json()["response_action"] == "errors"
    harness.slack.settle(0.5)
    assert not posts(harness) and not harness.slack.calls_to("views.open")
    assert store.listing(harness.services.db) == []
    refusals = [(e.action, e.actor, e.allowed) for e in audit.entries(harness.services.db)]
    assert refusals == [("announce", STRANGER, False), ("open", STRANGER, False)]
    assert "user group S0COMMS" in audit.entries(harness.services.db)[0].reason


def test_user_group_members_may_announce_and_the_group_is_cached(harness: Harness) -> None:
    harness.open_form(GROUPIE)
    harness.open_form(GROUPIE)
    assert len(harness.slack.calls_to("usergroups.users.list")) == 1


def test_submission_posts_once_per_channel_naming_the_author_and_is_answerable(harness: Harness) -> None:
    question = "any funding calls open?"
    before, _ = harness.services.answer(question, surface="mention", access=EVERYTHING)
    assert all(s.kind != "announcement" for s in before.sources)

    announce(harness, ["C0NEWS", "C0FUND"], expires=(date.today() + timedelta(days=30)).isoformat())
    sent = harness.slack.wait_for("chat.postMessage", 2)
    assert sorted(c["channel"] for c in sent) == ["C0FUND", "C0NEWS"]
    assert all(f"Posted by <@{COMMS}>" in c.text and FUND["title"] in c.text for c in sent)
    [note] = harness.slack.wait_for("chat.postEphemeral", where=lambda c: c["user"] == COMMS)
    assert "posted in #partner-news, #funding" in note.text
    harness.slack.settle(0.5)
    assert len(posts(harness)) == 2

    [row] = store.listing(harness.services.db)
    assert (row.status, row.author_id, row.source) == ("published", COMMS, "slack")
    assert all(
        p.status == "posted" and p.permalink.startswith("https://partners.slack.com/") for p in row.posts
    )

    answer, _ = harness.services.answer(question, surface="mention", access=EVERYTHING)
    cited = [s for s in answer.sources if s.doc_id == row.doc_id]
    assert answer.answered and cited, answer
    assert cited[0].kind == "announcement"
    assert cited[0].source_url == row.posts[0].permalink  # the link goes to the Slack post
    assert "50,000" in answer.answer or "grants" in answer.answer.lower()


def test_a_submission_delivered_twice_posts_once(harness: Harness, database_url) -> None:
    preview = harness.preview(harness.open_form(), **FUND, channels=["C0NEWS", "C0FUND", "C0EVENTS"])
    threads = [
        threading.Thread(target=harness.sender.view_submission, args=(preview,), kwargs={"user": COMMS})
    ]
    threads.append(
        threading.Thread(target=harness.sender.view_submission, args=(preview,), kwargs={"user": COMMS})
    )
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    harness.slack.wait_for("chat.postMessage", 3)
    harness.sender.view_submission(preview, user=COMMS)  # and once more, later
    harness.slack.wait_for("chat.postEphemeral", 3, where=lambda c: c["user"] == COMMS)
    harness.slack.settle(1.0)
    assert sorted(c["channel"] for c in posts(harness)) == ["C0EVENTS", "C0FUND", "C0NEWS"]
    assert len(store.listing(harness.services.db)) == 1
    notes = [e.reason for e in audit.entries(harness.services.db) if e.action == "announce"]
    assert notes.count("repeated submission") == 2 and notes.count(None) == 1


def test_a_post_that_failed_half_way_is_completed_on_retry_not_repeated(
    harness: Harness, database_url
) -> None:
    harness.slack.fail("chat.postMessage", status=500)  # the first channel fails (429s are waited out)
    announce(harness, ["C0NEWS", "C0FUND", "C0EVENTS"])
    [note] = harness.slack.wait_for("chat.postEphemeral", where=lambda c: c["user"] == COMMS)
    assert "Not posted in #partner-news (internal_error" in note.text
    [row] = store.listing(harness.services.db)
    assert row.status == "partial"
    assert [(p.channel, p.status) for p in row.posts] == [
        ("C0NEWS", "failed"),
        ("C0FUND", "posted"),
        ("C0EVENTS", "posted"),
    ]
    retry = next(
        e
        for b in note["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Retry"
    )
    harness.sender.action(
        retry["action_id"],
        value=retry["value"],
        user=COMMS,
        channel="C0NEWS",
        response_url=harness.slack.response_url(),
        ephemeral=True,
    )
    harness.slack.wait_for("chat.postEphemeral", 2, where=lambda c: c["user"] == COMMS)
    harness.slack.settle(0.5)
    assert sorted(c["channel"] for c in posts(harness) if c.method) == [
        "C0EVENTS",
        "C0FUND",
        "C0NEWS",
        "C0NEWS",
    ]
    # C0NEWS twice: the failed attempt (not posted) and the retry; every channel holds one post
    assert all(len(harness.slack.messages.get(c, [])) == 1 for c in ("C0NEWS", "C0FUND", "C0EVENTS"))
    assert store.get(harness.services.db, row.id).status == "published"


def test_announce_list_shows_the_group_the_recent_ones_and_refuses_others(harness: Harness) -> None:
    def listed(user: str) -> str:
        return harness.sender.command(
            "/announce", "list", user=user, channel="C0NEWS", response_url=harness.slack.response_url()
        ).text

    assert "No announcements yet." in listed(COMMS)
    announce(harness, ["C0FUND"])
    harness.slack.wait_for("chat.postEphemeral", where=lambda c: c["user"] == COMMS)
    [row] = store.listing(harness.services.db)
    shown = listed(COMMS)
    assert f"*{row.id}*" in shown and FUND["title"] in shown and "published" in shown
    assert "Only the communications group" in listed(STRANGER)


def test_withdraw_deletes_the_posts_and_leaves_the_index_but_keeps_the_record(harness: Harness) -> None:
    announce(harness, ["C0NEWS", "C0FUND"])
    [note] = harness.slack.wait_for("chat.postEphemeral", where=lambda c: c["user"] == COMMS)
    [row] = store.listing(harness.services.db)
    assert harness.services.index.document(row.doc_id)
    # someone outside the group cannot withdraw it
    refused = harness.sender.command(
        "/announce",
        f"withdraw {row.id}",
        user=STRANGER,
        channel="C0NEWS",
        response_url=harness.slack.response_url(),
    )
    assert "Only the communications group" in refused.text
    button = next(
        e
        for b in note["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "announce_withdraw"
    )
    harness.sender.action(
        button["action_id"],
        value=button["value"],
        user=COMMS,
        channel="C0NEWS",
        response_url=harness.slack.response_url(),
        ephemeral=True,
    )
    deleted = harness.slack.wait_for("chat.delete", 2)
    assert sorted((c["channel"], c["ts"]) for c in deleted) == sorted((p.channel, p.ts) for p in row.posts)
    assert not harness.slack.messages["C0NEWS"] and not harness.slack.messages["C0FUND"]
    harness.slack.wait_for("chat.postEphemeral", where=lambda c: "withdrawn:" in c.text)
    kept = store.get(harness.services.db, row.id)
    assert kept.status == "withdrawn" and kept.withdrawn_by == COMMS and kept.title == FUND["title"]
    assert harness.services.index.document(row.doc_id) is None
    answer, _ = harness.services.answer("any funding calls open?", surface="dm", access=EVERYTHING)
    assert all(s.doc_id != row.doc_id for s in answer.sources)
    actions = [(e.action, e.actor, e.allowed) for e in audit.entries(harness.services.db)][:2]
    assert actions == [("withdraw", COMMS, True), ("withdraw", STRANGER, False)]


def test_bad_form_input_is_shown_under_the_field_and_nothing_is_kept(harness: Harness) -> None:
    form = harness.open_form()
    cases = [
        ({**FUND, "title": "   ", "channels": ["C0NEWS"]}, "title", "must not be empty"),
        ({**FUND, "channels": []}, "channels", "at least one"),
        ({**FUND, "channels": ["C0SECRET"]}, "channels", "not among the announcement channels"),
        ({**FUND, "channels": ["C0NEWS"], "expires": "2020-01-01"}, "expires", "in the past"),
        ({**FUND, "channels": ["C0NEWS"], "link": "javascript:alert(1)"}, "link", "http"),
        ({**FUND, "body": "x" * 3001, "channels": ["C0NEWS"]}, "body", "too long"),
    ]
    for fields, block, message in cases:
        body = harness.submit_form(form, **fields).json()
        assert body["response_action"] == "errors", (fields, body)
        assert message in body["errors"][block], body
    assert store.listing(harness.services.db) == []
    assert not posts(harness)


def test_a_hostile_body_cannot_ping_everyone_or_fake_links(harness: Harness) -> None:
    announce(
        harness,
        ["C0NEWS"],
        title="<!channel> @here Big news <@U0VICTIM>",
        body="<!channel> @channel read <https://evil.example|the NHS page> & apply",
    )
    [post] = harness.slack.wait_for("chat.postMessage")
    harness.slack.wait_for("chat.postEphemeral", where=lambda c: c["user"] == COMMS)
    section = post["blocks"][1]["text"]["text"]
    assert "<!channel>" not in section and "&lt;!channel&gt;" in section and "&amp; apply" in section
    assert "@channel" not in section, "a plain @channel is neutralised too"
    assert post["blocks"][1]["text"]["verbatim"] is True
    for forbidden in ("<!channel>", "@here", "<@U0VICTIM>"):
        assert forbidden not in post["text"], f"the notification text pings: {post['text']!r}"


def test_an_expired_announcement_is_no_longer_cited_but_stays_on_record(
    harness: Harness, monkeypatch
) -> None:
    announce(harness, ["C0FUND"], expires=date.today().isoformat())  # open until the end of today
    harness.slack.wait_for("chat.postEphemeral", where=lambda c: c["user"] == COMMS)
    [row] = store.listing(harness.services.db)
    answer, _ = harness.services.answer("any funding calls open?", surface="mention", access=EVERYTHING)
    assert any(s.doc_id == row.doc_id for s in answer.sources)

    monkeypatch.setattr(harness.services.assistant, "today", lambda: date.today() + timedelta(days=1))
    answer, _ = harness.services.answer("any funding calls open?", surface="mention", access=EVERYTHING)
    assert all(s.doc_id != row.doc_id for s in answer.sources)
    assert store.get(harness.services.db, row.id).status == "published"  # the record stays


def test_the_author_is_told_by_dm_when_the_ephemeral_cannot_be_shown(harness: Harness) -> None:
    harness.slack.fail("chat.postEphemeral", status=200, error="channel_not_found")
    announce(harness, ["C0EVENTS"])
    [dm] = harness.slack.wait_for("chat.postMessage", where=lambda c: c["channel"] == COMMS)
    assert "posted in #events" in dm.text
    assert [c["channel"] for c in posts(harness)] == ["C0EVENTS", COMMS]


def test_with_the_state_store_down_every_step_is_refused_whole_with_a_message(harness: Harness) -> None:
    """Issue 15: an announcement cannot wait for the store; each step says so, and nothing is posted."""
    form = harness.open_form(COMMS)  # opened while the store was up
    preview = harness.preview(form, COMMS, **FUND, channels=["C0NEWS"])
    down = harness.services.settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody:x@127.0.0.1:1/none", "db_connect_timeout_s": 1}
    )
    harness.services.db = Database(down)

    listed = harness.sender.command(
        "/announce", "list", user=COMMS, channel="C0NEWS", response_url=harness.slack.response_url("list")
    )
    assert listed.status_code == 200 and STORE_UNAVAILABLE in listed.text

    again = harness.submit_form(form, COMMS, **FUND, channels=["C0NEWS"])  # a new draft cannot be kept
    assert again.status_code == 200 and again.json()["response_action"] == "update"
    assert STORE_UNAVAILABLE in str(again.json()["view"])

    posted = harness.sender.view_submission(preview, user=COMMS)  # the draft kept before cannot be posted
    assert posted.status_code == 200
    [told] = harness.slack.wait_for("chat.postMessage", where=lambda c: c["channel"] == COMMS)  # a DM
    assert told["text"] == STORE_UNAVAILABLE
    harness.slack.settle(quiet=1)
    assert posts(harness, "C0NEWS") == []
