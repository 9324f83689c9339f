"""Reading questions out of Slack text and threads; the dedupe memory (no model)."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient

from bot.slack.memory import Seen, message_key
from bot.slack.questions import clean, looks_like_question, read_thread
from tests.support.slack_api import BOT_ID, BOT_USER_ID

pytestmark = pytest.mark.unit


def test_clean_drops_the_bot_and_broadcasts_and_keeps_readable_text():
    text = f"<@{BOT_USER_ID}> <!channel> ask <@U0JANE> about <#C0ABC|funding> at <https://x.org|the portal>"
    text += " &amp; more?"
    assert clean(text, BOT_USER_ID) == "ask @U0JANE about #funding at the portal & more?"


@pytest.mark.parametrize("text, asks", [("who funds it", True), ("Grants?", True), ("thanks all", False)])
def test_looks_like_question(text, asks):
    assert looks_like_question(text) is asks


def test_read_thread_returns_earlier_turns_and_whether_the_bot_spoke(slack_api):
    client = WebClient(token=slack_api.token, base_url=slack_api.base_url)
    root = slack_api.add_message("C1", f"<@{BOT_USER_ID}> what are the strategy's goals?")
    reply = "Goal 1: A well-aligned ecosystem [1] &amp; more"
    source = "<http://127.0.0.1:8000/sources/lep-board-healthtech-strategy-2022#chunk-11|Report>"
    blocks = [{"type": "context", "elements": [{"type": "mrkdwn", "text": f"*[1]* {source}"}]}]
    slack_api.add_message("C1", reply, user=BOT_USER_ID, bot_id=BOT_ID, thread_ts=root, blocks=blocks)
    slack_api.add_message("C1", "someone joined", subtype="channel_join", thread_ts=root)
    slack_api.add_message("C1", "and who wrote it?", thread_ts=root)
    current = slack_api.add_message("C1", "and when?", thread_ts=root)
    slack_api.add_message("C1", "thanks (after the current one)", thread_ts=root)

    thread = read_thread(client, "C1", root, current, BOT_USER_ID, BOT_ID)
    assert thread.bot_took_part is True
    assert [t.question for t in thread.turns] == ["what are the strategy's goals?", "and who wrote it?"]
    first, second = thread.turns
    assert first.reply == "Goal 1: A well-aligned ecosystem [1] & more"
    assert first.doc_ids == ("lep-board-healthtech-strategy-2022",), "the reply's sources, from its links"
    assert second.reply == "" and second.doc_ids == ()
    [call] = slack_api.calls_to("conversations.replies")
    assert call["ts"] == root and call["channel"] == "C1"


def test_seen_takes_a_key_once_and_forgets_after_its_ttl():
    seen = Seen(ttl_s=0.05)
    assert seen.add("C1", "1.0") is True
    assert seen.add("C1", "1.0") is False
    assert seen.add("C2", "1.0") is True
    time.sleep(0.1)
    assert seen.add("C1", "1.0") is True


def test_seen_is_bounded():
    seen = Seen(size=3)
    for n in range(10):
        seen.add("C", str(n))
    assert ("C", "0") not in seen and ("C", "9") in seen


def test_message_key_is_channel_and_ts_for_both_deliveries():
    mention = {"type": "app_mention", "channel": "C1", "ts": "1.5", "event_ts": "1.5", "client_msg_id": "m"}
    message = {"type": "message", "channel": "C1", "ts": "1.5", "event_ts": "1.5", "client_msg_id": "m"}
    assert message_key(mention) == message_key(message) == ("C1", "1.5")
