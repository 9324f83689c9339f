"""DMs, follow-ups in threads without a mention, and the messages that are not questions."""

from __future__ import annotations

import json

import pytest

from tests.slack.conftest import ANSWERABLE, ASKER, CHANNEL, message_event
from tests.support.slack_api import BOT_ID, BOT_USER_ID

pytestmark = pytest.mark.integration
DM = "D0ASKERDM"


def test_a_direct_message_is_a_question_without_a_mention(slack):
    ts = slack.api.add_message(DM, ANSWERABLE, user=ASKER)
    assert slack.send.event(message_event(ANSWERABLE, ts, channel=DM, channel_type="im")).status_code == 200

    update = slack.answer_for(ts, channel=DM)
    assert update["channel"] == DM
    assert "Rob Webster" in update.text
    slack.services.log.flush()  # log rows are written behind the answers
    [row] = slack.services.db.engine.connect().exec_driver_sql("select surface, channel_type from questions")
    assert tuple(row) == ("dm", "im")


def test_a_reply_in_an_answered_thread_is_a_follow_up_read_with_conversations_replies(slack):
    root = slack.mention("What are the three headline goals of the healthtech strategy?")
    slack.answer_for(root)
    # Alone, this finds a 2019 blog; only with the thread's first question is "it" the strategy.
    text = "and when was it first presented?"
    follow = slack.api.add_message(CHANNEL, text, user=ASKER, thread_ts=root)
    assert slack.send.event(message_event(text, follow, thread_ts=root)).status_code == 200

    [replies] = slack.api.wait_for("conversations.replies", where=lambda c: c["ts"] == root)
    assert replies["channel"] == CHANNEL
    slack.api.wait_for("chat.update", count=2, timeout=90)
    progress = slack.api.calls_to("chat.postMessage")
    assert [p["thread_ts"] for p in progress] == [root, root], "the follow-up is answered in the same thread"
    slack.services.log.flush()  # log rows are written behind the answers
    rows = slack.services.db.engine.connect().exec_driver_sql(
        "select surface, sources from questions order by asked_at"
    )
    (first, _), (surface, sources) = rows.all()
    assert (first, surface) == ("mention", "thread")
    assert json.loads(sources)[0] == "lep-board-healthtech-strategy-2022", "the thread's question was context"


def test_a_reply_in_a_thread_the_bot_never_answered_is_left_alone(slack):
    root = slack.api.add_message(CHANNEL, "lunch on friday?", user="U0OTHER")
    reply = slack.api.add_message(CHANNEL, "who is bringing the cake?", user=ASKER, thread_ts=root)
    assert (
        slack.send.event(message_event("who is bringing the cake?", reply, thread_ts=root)).status_code == 200
    )

    slack.api.wait_for("conversations.replies", where=lambda c: c["ts"] == root)
    slack.api.settle(quiet=2)
    assert not slack.api.calls_to("chat.postMessage")
    assert not slack.api.calls_to("reactions.add")


NOT_QUESTIONS = {
    "edit": {"subtype": "message_changed"},
    "delete": {"subtype": "message_deleted"},
    "join": {"subtype": "channel_join"},
    "bot_message": {"subtype": "bot_message", "bot_id": "B0OTHER"},
    "other-bot": {"bot_id": "B0OTHER"},
    "itself": {"user": BOT_USER_ID, "bot_id": BOT_ID},
}


def test_edits_deletions_joins_bots_and_itself_are_not_questions(slack):
    for extra in NOT_QUESTIONS.values():
        ts = slack.api.add_message(DM, ANSWERABLE, user=extra.get("user", ASKER))
        event = message_event(ANSWERABLE, ts, channel=DM, channel_type="im", **extra)
        assert slack.send.event(event).status_code == 200
    slack.api.settle(quiet=2)
    assert [c.method for c in slack.api.calls if c.method != "auth.test"] == []


def test_other_bots_are_answered_when_configured(make_slack):
    slack = make_slack(slack_ignore_bots=False)
    ts = slack.api.add_message(DM, ANSWERABLE, user="U0OTHERBOT")
    event = message_event(ANSWERABLE, ts, channel=DM, channel_type="im", user="U0OTHERBOT", bot_id="B0OTHER")
    assert slack.send.event(event).status_code == 200
    assert "Rob Webster" in slack.answer_for(ts, channel=DM).text


def test_a_dm_thread_follow_up_is_answered_about_the_previous_answer_not_with_it(slack):
    """The thread's earlier reply and its sources count: "who oversees it?" is about the strategy."""
    first = "What are the three headline goals of the healthtech strategy?"
    root = slack.api.add_message(DM, first, user=ASKER)
    assert slack.send.event(message_event(first, root, channel=DM, channel_type="im")).status_code == 200
    answer = slack.answer_for(root, channel=DM)
    assert "Goal 1" in answer.text

    text = "and who oversees it?"
    follow = slack.api.add_message(DM, text, user=ASKER, thread_ts=root)
    event = message_event(text, follow, channel=DM, channel_type="im", thread_ts=root)
    assert slack.send.event(event).status_code == 200
    slack.api.wait_for("chat.update", count=2, timeout=90)
    reply = slack.api.calls_to("chat.update")[-1]
    assert reply.text.startswith("The former Business Innovation and Growth Panel") or (
        "Business Economy and Innovation Committee will oversee" in reply.text.split("[1]")[0]
    ), reply.text
    assert "Goal 1" not in reply.text, "the previous answer is not repeated"
