"""@mentions in channels: threaded answers with linked sources, progress first, one answer per message."""

from __future__ import annotations

import re
import time

import pytest

from retrieval.access import PARTNERS
from tests.slack.conftest import ANSWERABLE, ASKER, CHANNEL, mention_event, message_event
from tests.support.slack_api import BOT_USER_ID

pytestmark = pytest.mark.integration


def test_mention_is_answered_in_its_thread_with_linked_sources(slack):
    started = time.monotonic()
    ts = slack.mention(ANSWERABLE)
    assert time.monotonic() - started < 3, "acked within Slack's 3 seconds"

    update = slack.answer_for(ts)
    assert slack.api.calls_to("reactions.add", where=lambda c: c["timestamp"] == ts and c["name"] == "eyes")
    assert "Rob Webster" in update.text
    blocks = update["blocks"]
    links = [e for b in blocks for e in _mrkdwn(b) if "/sources/advancing-healthtech-innovation" in e]
    assert any("|Guest Blog: Advancing healthtech innovation>" in t for t in links), links
    assert any("years old" in t for t in links), "a 2019 document is visibly dated"
    [token] = re.findall(
        r"<http://127\.0\.0\.1:8000/sources/advancing-healthtech-innovation\?t=([\w.-]+)#chunk-1\|\[1\]>",
        update.text,
    )
    grant = slack.services.links.check(token, "advancing-healthtech-innovation")
    assert grant.access == PARTNERS, "signed for everyone in the channel: members of the workspace"
    buttons = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["partnerbot_feedback_up", "partnerbot_feedback_down"]
    loose = slack.api.calls_to("chat.postMessage", where=lambda c: not c["thread_ts"])
    assert loose == [], "nothing goes loose in the channel"


def test_retry_of_the_same_event_gives_one_answer(slack):
    ts = slack.api.add_message(CHANNEL, f"<@{BOT_USER_ID}> {ANSWERABLE}", user=ASKER)
    event = mention_event(f"<@{BOT_USER_ID}> {ANSWERABLE}", ts)
    assert slack.send.event(event, event_id="Ev0RETRY").status_code == 200
    assert slack.send.event(event, event_id="Ev0RETRY", retry=1).status_code == 200
    assert slack.send.event(event, event_id="Ev0RETRY", retry=2).status_code == 200

    slack.answer_for(ts)
    slack.api.settle(quiet=2)
    assert len(slack.api.calls_to("chat.postMessage")) == 1
    assert len(slack.api.calls_to("chat.update")) == 1


def test_app_mention_and_message_for_one_message_give_one_answer(slack):
    text = f"<@{BOT_USER_ID}> {ANSWERABLE}"
    ts = slack.api.add_message(CHANNEL, text, user=ASKER)
    assert slack.send.event(message_event(text, ts)).status_code == 200
    assert slack.send.event(mention_event(text, ts)).status_code == 200

    slack.answer_for(ts)
    slack.api.settle(quiet=2)
    assert len(slack.api.calls_to("chat.postMessage")) == 1
    assert len(slack.api.calls_to("chat.update")) == 1
    slack.services.log.flush()  # log rows are written behind the answers
    assert len(slack.services.db.engine.connect().exec_driver_sql("select id from questions").all()) == 1


def test_broadcasts_mentions_and_links_in_a_question_never_ping_or_link(slack):
    ts = slack.mention(
        "<!channel> <!here> <@U0VICTIM> see <http://evil.example/phish|the official page> "
        "who is the CEO lead for the Health and Care Partnership?"
    )
    update = slack.answer_for(ts)
    sent = "\n".join(c.text for c in slack.api.calls if c.method.startswith("chat."))
    for forbidden in ("<!channel>", "<!here>", "<@U0VICTIM>", "<http://evil", "|the official page>"):
        assert forbidden not in sent
    assert "Rob Webster" in update.text


def test_a_40000_character_message_gets_a_short_reply_not_an_echo(slack):
    ts = slack.mention("why " * 10_000)
    update = slack.answer_for(ts)
    assert "limit is 2,000" in update.text
    assert all(len(c.text) < 3000 for c in slack.api.calls if c.method.startswith("chat."))


@pytest.mark.parametrize(
    "question, nearest",
    [
        ("How much funding does the Innovation and Improvement Hub have?", True),
        ("What is the boiling point of water?", False),
    ],
)
def test_unanswerable_question_says_so_lists_nearest_sources_and_points_to_a_person(slack, question, nearest):
    ts = slack.mention(question)
    update = slack.answer_for(ts)
    assert "I couldn't find that in the cluster's documents." in update.text
    assert "For help from a person, ask #healthtech-front-door." in update.text
    assert ("*Nearest sources*" in update.text) is nearest
    assert ("/sources/" in update.text) is nearest
    assert "*Sources*" not in update.text
    assert [b for b in update["blocks"] if b["type"] == "actions"], "feedback still offered"


def _mrkdwn(block: dict) -> list[str]:
    if block["type"] == "section":
        return [block["text"]["text"]]
    if block["type"] == "context":
        return [e["text"] for e in block["elements"]]
    return []


def test_questions_arriving_together_are_all_answered_each_in_its_own_thread(slack):
    questions = [
        ANSWERABLE,
        "What are the three headline goals of the healthtech strategy?",
        "What was the Healthtech Cluster previously called?",
        "When was the healthtech strategy first presented to the LEP Board?",
    ]
    texts = [f"<@{BOT_USER_ID}> {q}" for q in questions]
    stamps = [slack.api.add_message(CHANNEL, t, user=ASKER) for t in texts]
    for text, ts in zip(texts, stamps, strict=True):
        assert slack.send.event(mention_event(text, ts)).status_code == 200

    slack.api.wait_for("chat.update", count=len(stamps), timeout=120)
    answered = {m["thread_ts"]: m["text"] for m in slack.api.messages[CHANNEL] if m.get("bot_id")}
    assert set(answered) == set(stamps)
    assert "Rob Webster" in answered[stamps[0]] and "30 November" in answered[stamps[3]]
    assert not any(t.startswith("Looking through") for t in answered.values())


def test_two_replicas_given_the_same_message_answer_it_once(make_slack):
    """Behind a load balancer a retry can reach another replica: the 👀 reaction is the shared claim."""
    first, second = make_slack(), make_slack()
    assert first.http is not second.http
    text = f"<@{BOT_USER_ID}> {ANSWERABLE}"
    ts = first.api.add_message(CHANNEL, text, user=ASKER)
    assert first.send.event(mention_event(text, ts)).status_code == 200
    assert second.send.event(mention_event(text, ts), retry=1).status_code == 200

    first.answer_for(ts)
    first.api.settle(quiet=2)
    assert len(first.api.calls_to("reactions.add")) == 2, "both replicas tried to claim it"
    assert len(first.api.calls_to("chat.postMessage")) == 1
    assert len(first.api.calls_to("chat.update")) == 1
