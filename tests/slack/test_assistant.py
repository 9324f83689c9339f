"""Slack's agent view: greeting and prompts, status, title, streamed answers and their fall-backs.

Payload shapes are Slack's (as bolt-python's tests build them): `assistant_thread_started` carries
`assistant_thread` {user_id, context, channel_id, thread_ts}; a message in an assistant thread is a
`message.im` event with `thread_ts` and `assistant_thread` {action_token}.
"""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from bot.slack import mrkdwn
from bot.slack.asking import GREETING
from bot.slack.delivery import STATUS
from config.settings import SUGGESTED_PROMPTS
from retrieval.access import EVERYTHING
from tests.slack.conftest import ANSWERABLE, ASKER, message_event
from tests.support.slack_api import TEAM_ID

pytestmark = pytest.mark.integration
DM = "D0ASSISTANT"


def thread_started(root: str, **context: str) -> dict:
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": ASKER,
            "context": {"team_id": TEAM_ID, "enterprise_id": None, **context},
            "channel_id": DM,
            "thread_ts": root,
        },
        "event_ts": root,
    }


def start_thread(slack) -> str:
    """The partner opens the agent view: Slack starts a thread (its root is Slack's own message)."""
    root = slack.api.add_message(DM, "", user=ASKER, subtype="assistant_app_thread")
    assert slack.send.event(thread_started(root)).status_code == 200
    slack.api.wait_for("assistant.threads.setSuggestedPrompts")
    return root


def ask_in_thread(slack, root: str, text: str) -> str:
    ts = slack.api.add_message(DM, text, user=ASKER, thread_ts=root)
    event = message_event(
        text, ts, channel=DM, channel_type="im", thread_ts=root, assistant_thread={"action_token": "10.20.ab"}
    )
    assert slack.send.event(event).status_code == 200
    return ts


def streamed(slack, root: str, count: int = 1) -> list[dict]:
    """The bot's finished streamed messages in the thread, as the Web API stored them."""
    slack.api.wait_for("chat.stopStream", count=count, timeout=90)
    return [m for m in slack.api.messages[DM] if m.get("thread_ts") == root and "streaming" in m]


def test_a_new_thread_is_greeted_with_the_suggested_prompts(slack):
    root = start_thread(slack)

    [greeting] = slack.api.calls_to("chat.postMessage")
    assert (greeting["channel"], greeting["thread_ts"], greeting["text"]) == (DM, root, GREETING)
    [prompts] = slack.api.calls_to("assistant.threads.setSuggestedPrompts")
    assert (prompts["channel_id"], prompts["thread_ts"]) == (DM, root)
    assert [p["message"] for p in prompts["prompts"]] == list(SUGGESTED_PROMPTS)
    assert all(p["title"] for p in prompts["prompts"])


def test_the_default_prompts_are_answered_from_the_documents(slack):
    for prompt in SUGGESTED_PROMPTS:
        answer, _ = slack.services.answer(prompt, surface="cli", access=EVERYTHING)
        assert answer.answered and answer.sources, prompt


def test_prompts_are_a_setting_and_none_means_none(make_slack):
    slack = make_slack(slack_suggested_prompts=[])
    root = slack.api.add_message(DM, "", user=ASKER)
    assert slack.send.event(thread_started(root)).status_code == 200
    slack.api.wait_for("chat.postMessage")
    slack.api.settle(quiet=1)
    assert not slack.api.calls_to("assistant.threads.setSuggestedPrompts")


def test_a_question_gets_a_status_a_title_and_a_streamed_answer_with_sources_and_buttons(slack):
    root = start_thread(slack)
    ask_in_thread(slack, root, ANSWERABLE)

    [message] = streamed(slack, root)
    [status] = slack.api.calls_to("assistant.threads.setStatus")
    assert (status["channel_id"], status["thread_ts"], status["status"]) == (DM, root, STATUS)
    [title] = slack.api.calls_to("assistant.threads.setTitle")
    assert title["title"] == ANSWERABLE[:59] + "…"
    [start] = slack.api.calls_to("chat.startStream")
    assert (start["thread_ts"], start["recipient_user_id"], start["recipient_team_id"]) == (
        root,
        ASKER,
        TEAM_ID,
    )
    assert status.at < start.at, "the status shows before the answer"
    assert "Rob Webster" in message["text"] and "/sources/" in message["text"], "markers link the passages"
    assert not message["streaming"]
    texts = str(message["blocks"])
    assert "Sources" in texts and "partnerbot_feedback_up" in texts
    assert not slack.api.calls_to("chat.update"), "nothing to replace: the stream is the answer"
    slack.services.log.flush()  # log rows are written behind the answers
    [row] = slack.services.db.engine.connect().exec_driver_sql("select surface, answered from questions")
    assert tuple(row) == ("assistant", 1)


def test_a_follow_up_in_the_thread_is_answered_in_the_conversation(slack):
    root = start_thread(slack)
    ask_in_thread(slack, root, "What are the three headline goals of the healthtech strategy?")
    streamed(slack, root)
    ask_in_thread(slack, root, "and who oversees it?")

    first, second = streamed(slack, root, count=2)
    assert "Goal 1" in first["text"]
    assert "Goal 1" not in second["text"], "the previous answer is not repeated"
    assert "Business Economy and Innovation Committee" in second["text"] or (
        "Business Innovation and Growth Panel" in second["text"]
    ), second["text"]
    assert len(slack.api.calls_to("assistant.threads.setTitle")) == 1, "only the first question titles it"


def test_streaming_refused_at_the_start_posts_the_whole_answer(slack):
    root = start_thread(slack)
    slack.api.fail("chat.startStream", status=200, error="not_allowed")
    ask_in_thread(slack, root, ANSWERABLE)

    [post] = slack.api.wait_for("chat.postMessage", count=2, timeout=90)[1:]
    assert post["thread_ts"] == root
    assert "Rob Webster" in post.text and "Sources" in post.text


def test_streaming_refused_half_way_ends_as_one_complete_answer(slack):
    root = start_thread(slack)
    slack.api.fail("chat.stopStream", status=500)
    ask_in_thread(slack, root, ANSWERABLE)

    [update] = slack.api.wait_for("chat.update", timeout=90)
    [start] = slack.api.calls_to("chat.startStream")
    [message] = [m for m in slack.api.messages[DM] if m["ts"] == update["ts"]]
    assert message["thread_ts"] == root
    assert "Rob Webster" in message["text"] and "Sources" in str(message["blocks"])
    assert "Rob Webster" in start["markdown_text"], "it had started streaming"


def test_when_the_half_streamed_message_cannot_be_replaced_it_is_removed_and_the_answer_posted(slack):
    root = start_thread(slack)
    slack.api.fail("chat.stopStream", status=500)
    slack.api.fail("chat.update", status=200, error="cant_update_message")
    ask_in_thread(slack, root, ANSWERABLE)

    [post] = slack.api.wait_for("chat.postMessage", count=2, timeout=90)[1:]
    slack.api.wait_for("chat.delete")
    bot_messages = [m for m in slack.api.messages[DM] if m.get("thread_ts") == root and m.get("bot_id")]
    assert [m["text"] for m in bot_messages] == [GREETING, post["text"]], "one complete answer, no half"
    assert "Sources" in post.text


def test_without_a_status_line_the_answer_still_arrives(slack):
    root = start_thread(slack)
    slack.api.fail("assistant.threads.setStatus", status=200, error="not_allowed_token_type")
    ask_in_thread(slack, root, ANSWERABLE)

    [message] = streamed(slack, root)
    assert "Rob Webster" in message["text"]


def test_the_channel_the_partner_looks_at_changing_is_acknowledged_and_changes_nothing(slack):
    root = start_thread(slack)
    slack.api.reset()
    event = {**thread_started(root, channel_id="C0PARTNERS"), "type": "assistant_thread_context_changed"}
    assert slack.send.event(event).status_code == 200
    slack.api.settle(quiet=1)
    assert slack.api.calls == []


def test_mentions_stream_when_configured(make_slack):
    slack = make_slack(slack_stream_mentions=True)
    ts = slack.mention(ANSWERABLE)

    slack.api.wait_for("chat.stopStream", timeout=90)
    [start] = slack.api.calls_to("chat.startStream")
    assert (start["thread_ts"], start["recipient_user_id"]) == (ts, ASKER)
    assert start["recipient_team_id"], "Slack needs the recipient's team outside DMs"
    assert not slack.api.calls_to("chat.postMessage"), "no progress message to clean up"


class BreakingFakeChatModel(FakeListChatModel):
    """Streams the start of its reply, then the provider fails."""

    def _stream(self, *args, **kwargs):
        for n, chunk in enumerate(super()._stream(*args, **kwargs)):
            if n == 45:
                raise RuntimeError("connection reset")
            yield chunk


def test_a_fake_chat_models_reply_is_streamed_as_it_is_written(make_slack):
    reply = "Rob Webster is the CEO lead [1]. He runs a *trust* [1].\n\nSee [this](https://x.example) [1]."
    slack = make_slack(model=FakeListChatModel(responses=[reply]))
    root = start_thread(slack)
    ask_in_thread(slack, root, ANSWERABLE)

    [message] = streamed(slack, root)
    [start] = slack.api.calls_to("chat.startStream")
    appends = [c["markdown_text"] for c in slack.api.calls_to("chat.appendStream")]
    [stop] = slack.api.calls_to("chat.stopStream")
    assert start["markdown_text"] == "Rob Webster is the CEO lead \\[1\\]. ", "sent before the reply was done"
    assert appends[0] == "He runs a \\*trust\\* \\[1\\].\n\n", "Markdown marks inert, paragraphs kept"
    assert "\\[this\\]\\(https://x.example\\)" in appends[-1], "no link the passages did not give"
    assert message["text"] == mrkdwn.escape_markdown(reply) and "Sources" in str(stop["blocks"])
    assert not slack.api.calls_to("chat.update"), "what was streamed is the answer"


def test_a_fake_chat_model_failing_half_way_ends_as_the_extractive_answer(make_slack):
    reply = "Rob Webster is the CEO lead [1]. He runs a trust [1]. Both are in the blog [1]."
    slack = make_slack(model=BreakingFakeChatModel(responses=[reply]))
    root = start_thread(slack)
    ask_in_thread(slack, root, ANSWERABLE)

    [update] = slack.api.wait_for("chat.update", timeout=90)
    [start] = slack.api.calls_to("chat.startStream")
    assert start["markdown_text"] == "Rob Webster is the CEO lead \\[1\\]. "
    [message] = [m for m in slack.api.messages[DM] if m["ts"] == update["ts"]]
    assert message["text"].startswith("Rob Webster: As Chief Executive"), "the extractive answer replaced it"
    assert "Sources" in str(message["blocks"])


def test_an_assistant_thread_in_a_switched_off_dm_is_not_answered(make_slack):
    slack = make_slack(channels={"default": {"enabled": False}})
    root = slack.api.add_message(DM, "", user=ASKER)
    ask_in_thread(slack, root, ANSWERABLE)
    slack.api.settle(quiet=2)
    assert [c.method for c in slack.api.calls if c.method != "auth.test"] == []
