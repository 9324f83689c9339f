"""Ask a person: a click hands the question, the bot's reply and a link to the thread to the front door.

Driven through the real app with signed block_actions payloads shaped like Slack's (container with
message_ts / thread_ts / is_ephemeral, channel, message), against the local Slack Web API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.report.build import build_report
from bot.report.render import to_blocks, to_text
from bot.slack import blocks
from bot.slack.context import RecentAnswers
from bot.state.db import Database
from retrieval.answer import Answer
from tests.slack.conftest import ANSWERABLE, ASKER, CHANNEL, Slack

FRONT_DOOR = "C0FRONTDOOR"
DECLINED = "What is the boiling point of water at sea level?"
HANDOFF = blocks.HANDOFF


def _buttons(message_blocks: list[dict]) -> dict[str, str]:
    return {
        e["action_id"]: e["value"] for b in message_blocks if b["type"] == "actions" for e in b["elements"]
    }


def _asked(slack: Slack, question: str = DECLINED) -> tuple[str, Any]:
    """A mention answered in its thread: (the question's ts, the chat.update holding the answer)."""
    ts = slack.mention(question)
    return ts, slack.answer_for(ts)


def _click(
    slack: Slack,
    value: str,
    answer: Any = None,
    thread_ts: str | None = None,
    *,
    ephemeral: bool = False,
    name: str = "h",
) -> Any:
    """Click "Ask a person" on the answer message, as Slack sends it; → the ephemeral reply."""
    message = None
    if answer is not None:
        message = {
            "type": "message",
            "user": "U0PARTNERBOT",
            "ts": answer["ts"],
            "thread_ts": thread_ts,
            "text": answer["text"],
            "blocks": answer["blocks"],
        }
    url = slack.api.response_url(name)
    before = len(slack.api.calls_to("response_url", where=lambda c: c.path.endswith(f"/{name}")))
    click = slack.send.action(
        HANDOFF,
        value=value,
        user=ASKER,
        channel=CHANNEL,
        response_url=url,
        message_ts=answer["ts"] if answer is not None else None,
        thread_ts=thread_ts,
        ephemeral=ephemeral,
        message=message,
    )
    assert click.status_code == 200, click.text
    told = slack.api.wait_for("response_url", before + 1, where=lambda c: c.path.endswith(f"/{name}"))
    reply = told[before]
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    return reply


def _front_door_posts(slack: Slack) -> list[Any]:
    return slack.api.calls_to("chat.postMessage", where=lambda c: c["channel"] == FRONT_DOOR)


def _handed_off_at(slack: Slack, question_id: str) -> Any:
    with slack.services.db.engine.connect() as conn:
        return conn.exec_driver_sql(
            "select handed_off_at from questions where id = ?", (int(question_id),)
        ).scalar()


@pytest.mark.unit
def test_the_button_is_offered_only_when_asked_for_and_only_for_a_logged_question() -> None:
    answer = Answer(question="Who?", answered=False, answer="I couldn't find that.")
    assert HANDOFF not in _buttons(blocks.answer_tail(answer, question_id=7, front_door="x"))
    tail = blocks.answer_tail(answer, question_id=7, front_door="x", handoff=True)
    assert _buttons(blocks.answer_blocks(answer, tail))[HANDOFF] == "7"
    unlogged = blocks.answer_tail(answer, question_id=None, front_door="x", handoff=True)
    assert HANDOFF not in _buttons(unlogged), "nothing to hand over without a logged question"


@pytest.mark.integration
def test_without_a_hand_off_channel_a_declined_answer_has_no_button(slack: Slack) -> None:
    _, answer = _asked(slack)
    assert "I couldn't find that" in answer.text
    buttons = _buttons(answer["blocks"])
    assert "partnerbot_feedback_down" in buttons and HANDOFF not in buttons


@pytest.mark.integration
def test_a_click_posts_once_to_the_front_door_and_is_recorded_and_reported(make_slack) -> None:
    slack = make_slack(handoff_channel=FRONT_DOOR)
    ts, answer = _asked(slack)
    value = _buttons(answer["blocks"])[HANDOFF]

    told = _click(slack, value, answer, thread_ts=ts)
    assert told["text"].startswith("Passed on") and "#healthtech-front-door" in told["text"]
    [post] = _front_door_posts(slack)
    assert DECLINED in post.text
    assert "I couldn't find that in the cluster's documents" in post.text, "the bot's reply"
    assert "(the documents had no answer)" in post.text
    assert f"<@{ASKER}>" in post.text and f"<#{CHANNEL}>" in post.text
    [permalink] = slack.api.calls_to("chat.getPermalink")
    assert permalink["channel"] == CHANNEL and permalink["message_ts"] == answer["ts"]
    link = f"https://partners.slack.com/archives/{CHANNEL}/p{answer['ts'].replace('.', '')}"
    assert f"<{link}|Open the thread>" in post.text
    assert _handed_off_at(slack, value) is not None

    again = _click(slack, value, answer, thread_ts=ts)
    assert "already passed on" in again["text"]
    slack.api.settle(quiet=1.5)
    assert len(_front_door_posts(slack)) == 1, "a second click posts nothing"

    report = build_report(slack.services, datetime.now(UTC) - timedelta(days=7))
    assert report.handed_off == 1 and report.handoffs == [DECLINED]
    assert f"Passed to a person (Ask a person): 1\n  {DECLINED}" in to_text(report)
    assert any(DECLINED in str(b) for b in to_blocks(report))


@pytest.mark.integration
def test_an_answered_question_can_be_handed_off_too_and_the_shared_copy_has_no_button(make_slack) -> None:
    slack = make_slack(handoff_channel=FRONT_DOOR)
    url = slack.api.response_url("ask")
    slack.send.command("/ask", ANSWERABLE, user=ASKER, channel=CHANNEL, response_url=url)
    [private] = slack.api.wait_for("response_url", timeout=90)
    buttons = _buttons(private["blocks"])
    assert {HANDOFF, "partnerbot_share"} <= set(buttons)

    told = _click(slack, buttons[HANDOFF], ephemeral=True)  # a private answer: no message to link to
    assert told["text"].startswith("Passed on")
    [post] = _front_door_posts(slack)
    assert "Rob Webster" in post.text and "CEO lead" in post.text
    assert f"asked privately in <#{CHANNEL}>" in post.text and "no link to the thread" in post.text
    assert not slack.api.calls_to("chat.getPermalink")

    share = slack.api.response_url("share")
    slack.send.action(
        "partnerbot_share", value=buttons["partnerbot_share"], user=ASKER, channel=CHANNEL, response_url=share
    )
    [public] = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == CHANNEL)
    assert HANDOFF not in _buttons(public["blocks"]), "bystanders cannot hand off someone else's question"


@pytest.mark.integration
def test_when_the_front_door_post_fails_the_asker_is_told_and_may_try_again(make_slack) -> None:
    slack = make_slack(handoff_channel=FRONT_DOOR)
    ts, answer = _asked(slack)
    value = _buttons(answer["blocks"])[HANDOFF]
    slack.api.fail("chat.postMessage", status=200, error="not_in_channel")

    told = _click(slack, value, answer, thread_ts=ts)
    assert told["text"].startswith("Sorry, I couldn't pass this on") and "not_in_channel" in told["text"]
    assert "#healthtech-front-door" in told["text"]
    assert _handed_off_at(slack, value) is None, "not recorded as handed off"

    slack.http.app.state.slack.answers = RecentAnswers()  # a restart since: the reply is read back
    retried = _click(slack, value, answer, thread_ts=ts)
    assert retried["text"].startswith("Passed on")
    refused, went = _front_door_posts(slack)
    assert refused.text == went.text
    assert "I couldn't find that in the cluster's documents" in went.text
    assert _handed_off_at(slack, value) is not None


@pytest.mark.integration
def test_hostile_question_text_is_escaped_in_the_hand_off_post(make_slack) -> None:
    slack = make_slack(handoff_channel=FRONT_DOOR)
    # Typed literally, Slack delivers these escaped; the question keeps them as text.
    hostile = "&lt;!channel&gt; &lt;@U0VICTIM&gt; @here &lt;http://evil.example|click&gt; " + DECLINED
    ts, answer = _asked(slack, hostile)
    _click(slack, _buttons(answer["blocks"])[HANDOFF], answer, thread_ts=ts)
    [post] = _front_door_posts(slack)
    for forbidden in ("<!channel>", "<@U0VICTIM>", "<http://evil", "@here"):
        assert forbidden not in post.text
    assert "&lt;!channel&gt; &lt;@U0VICTIM&gt;" in post.text and "@\u2060here" in post.text
    assert all(b["text"].get("verbatim") for b in post["blocks"] if b["type"] == "section"), (
        "no auto-parsing of names"
    )


@pytest.mark.integration
@pytest.mark.parametrize("value", ["0", "999999", "not-a-number"])
def test_a_forged_or_unknown_question_id_is_refused_and_nothing_is_posted(make_slack, value) -> None:
    slack = make_slack(handoff_channel=FRONT_DOOR)
    told = _click(slack, value)
    assert told["text"].startswith("Sorry, I couldn't pass this on (I no longer have that question)")
    assert "#healthtech-front-door" in told["text"]
    slack.api.settle(quiet=1.0)
    assert not _front_door_posts(slack)


@pytest.mark.integration
def test_while_the_state_store_is_down_the_asker_is_told_and_nothing_is_posted(make_slack) -> None:
    slack = make_slack(handoff_channel=FRONT_DOOR)
    ts, answer = _asked(slack)
    value = _buttons(answer["blocks"])[HANDOFF]
    working = slack.services.db
    down = slack.services.settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody:x@127.0.0.1:1/none"}
    )
    slack.services.db = Database(down)
    told = _click(slack, value, answer, thread_ts=ts)
    assert "my records are unavailable just now" in told["text"] and "#healthtech-front-door" in told["text"]
    assert not _front_door_posts(slack)

    slack.services.db = working  # back: the same click now goes through
    assert _click(slack, value, answer, thread_ts=ts)["text"].startswith("Passed on")
    assert len(_front_door_posts(slack)) == 1
