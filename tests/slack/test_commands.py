"""The slash command (private answer + Share) and the 👍/👎 buttons (stored, acknowledged privately)."""

from __future__ import annotations

import json

import pytest

from tests.slack.conftest import ANSWERABLE, ASKER, CHANNEL

pytestmark = pytest.mark.integration


def _buttons(blocks: list[dict]) -> dict[str, str]:
    return {e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def test_slash_command_answers_privately_and_share_posts_it_publicly(slack):
    url = slack.api.response_url("ask")
    acked = slack.send.command("/ask", ANSWERABLE, user=ASKER, channel=CHANNEL, response_url=url)
    assert acked.status_code == 200
    assert acked.text.startswith("Looking through the cluster's documents"), "a plain-text ack is ephemeral"

    [private] = slack.api.wait_for("response_url", timeout=90)
    assert private["response_type"] == "ephemeral" and private["replace_original"] is True
    assert "Rob Webster" in private.text
    buttons = _buttons(private["blocks"])
    assert set(buttons) == {"partnerbot_feedback_up", "partnerbot_feedback_down", "partnerbot_share"}
    assert not slack.api.calls_to("chat.postMessage"), "nothing public before Share"

    share_url = slack.api.response_url("share")
    click = slack.send.action(
        "partnerbot_share",
        value=buttons["partnerbot_share"],
        user=ASKER,
        channel=CHANNEL,
        response_url=share_url,
        ephemeral=True,
    )
    assert click.status_code == 200
    [public] = slack.api.wait_for("chat.postMessage")
    assert public["channel"] == CHANNEL and "Rob Webster" in public.text
    assert f"Shared by <@{ASKER}>" in public.text
    assert "partnerbot_share" not in _buttons(public["blocks"])
    [deleted] = slack.api.wait_for("response_url", where=lambda c: c.path.endswith("/share"))
    assert deleted["delete_original"] is True


def test_slash_command_with_a_custom_name_and_no_text_explains_usage(make_slack):
    slack = make_slack(slack_command="/helpdesk")
    url = slack.api.response_url("ask")
    acked = slack.send.command("/helpdesk", "  ", user=ASKER, channel=CHANNEL, response_url=url)
    assert acked.status_code == 200 and "/helpdesk who helps" in acked.text
    assert slack.send.command("/ask", "hi?", user=ASKER, channel=CHANNEL, response_url=url).status_code == 404


@pytest.mark.parametrize(
    "action_id, helpful", [("partnerbot_feedback_up", 1), ("partnerbot_feedback_down", 0)]
)
def test_feedback_click_is_stored_with_question_sources_and_channel(slack, action_id, helpful):
    ts = slack.mention(ANSWERABLE)
    answer = slack.answer_for(ts)
    value = _buttons(answer["blocks"])[action_id]
    url = slack.api.response_url("vote")
    click = slack.send.action(
        action_id,
        value=value,
        user=ASKER,
        channel=CHANNEL,
        response_url=url,
        message_ts=answer["ts"],
        thread_ts=ts,
    )
    assert click.status_code == 200

    [thanks] = slack.api.wait_for("response_url")
    assert thanks["response_type"] == "ephemeral" and thanks["replace_original"] is False
    assert thanks["text"].startswith("Thanks")
    slack.services.log.flush()  # log rows are written behind the answers
    db = slack.services.db.engine.connect()
    [vote] = db.exec_driver_sql("select question_id, question, sources, channel, helpful from votes").all()
    [question] = db.exec_driver_sql("select id, question, sources from questions").all()
    assert vote[0] == question[0] == int(value)
    assert vote[1] == question[1] and "CEO lead" in vote[1]
    assert json.loads(vote[2]) == json.loads(question[2]) == ["advancing-healthtech-innovation"]
    assert vote[3] == CHANNEL and vote[4] == helpful


def _private_answer(slack) -> dict[str, str]:
    url = slack.api.response_url("ask")
    assert (
        slack.send.command("/ask", ANSWERABLE, user=ASKER, channel=CHANNEL, response_url=url).status_code
        == 200
    )
    [private] = slack.api.wait_for("response_url", timeout=90)
    return _buttons(private["blocks"])


def test_share_where_the_bot_is_not_a_member_tells_the_asker_how_to_fix_it(slack):
    buttons = _private_answer(slack)
    slack.api.fail("chat.postMessage", status=200, error="not_in_channel")
    url = slack.api.response_url("share")
    slack.send.action(
        "partnerbot_share", value=buttons["partnerbot_share"], user=ASKER, channel=CHANNEL, response_url=url
    )
    [told] = slack.api.wait_for("response_url", where=lambda c: c.path.endswith("/share"))
    assert told["response_type"] == "ephemeral" and "not_in_channel" in told["text"]
    assert "/invite" in told["text"]
    assert not told["delete_original"], "the private answer stays so it can be shared later"


def test_share_after_a_restart_answers_again_from_the_question_log(slack):
    from bot.slack.context import RecentAnswers

    buttons = _private_answer(slack)
    slack.http.app.state.slack.answers = RecentAnswers()  # what a restarted process holds
    url = slack.api.response_url("share")
    slack.send.action(
        "partnerbot_share", value=buttons["partnerbot_share"], user=ASKER, channel=CHANNEL, response_url=url
    )
    [public] = slack.api.wait_for("chat.postMessage", timeout=90)
    assert "Rob Webster" in public.text and f"Shared by <@{ASKER}>" in public.text
    slack.services.log.flush()  # log rows are written behind the answers
    rows = (
        slack.services.db.engine.connect()
        .exec_driver_sql("select surface from questions order by asked_at")
        .all()
    )
    assert [r[0] for r in rows] == ["command", "share"]
    [deleted] = slack.api.wait_for("response_url", where=lambda c: c.path.endswith("/share"))
    assert deleted["delete_original"] is True


def test_a_partner_past_the_question_limit_is_asked_politely_to_wait(make_slack):
    slack = make_slack(questions_per_minute=1)
    replies = []
    for name in ("first", "second"):  # one after the other: commands sent together race to the limit
        url = slack.api.response_url(name)
        assert (
            slack.send.command("/ask", ANSWERABLE, user=ASKER, channel=CHANNEL, response_url=url).status_code
            == 200
        )
        replies += slack.api.wait_for(
            "response_url", where=lambda c, n=name: c.path.endswith(f"/{n}"), timeout=90
        )
    first, second = replies
    assert "Rob Webster" in first.text
    assert second.text.startswith("Sorry, that is more than 1 question in a minute: please wait")
    assert "Rob Webster" not in second.text and second["response_type"] == "ephemeral"
