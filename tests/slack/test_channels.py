"""Per-channel policy: the file's format, its errors at start-up, and what each setting does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.slack.channels import ChannelConfigError, ChannelPolicy, ChannelRule, load_policy
from bot.web.app import create_app
from config.settings import ROOT
from tests.slack.conftest import ANSWERABLE, ASKER, CHANNEL, message_event


@pytest.mark.unit
def test_the_example_file_loads_and_unlisted_channels_get_the_default():
    policy = load_policy(ROOT / "config" / "channels.yaml")
    assert policy.rule("C0NOTLISTED") == policy.default
    assert policy.rule(None) == policy.default
    assert policy.channels, "the example lists a few channels"


@pytest.mark.unit
def test_no_file_means_the_defaults():
    assert load_policy(None).default == ChannelRule(
        answer="mentions", reply="thread", enabled=True, external=False
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    "text, expected",
    [
        ("channels:\n  '#general': {answer: questions}\n", "'#general' is not a channel id"),
        ("channels:\n  C0ABC: {answer: always}\n", "channels.C0ABC.answer"),
        ("default: {reply: public}\n", "default.reply"),
        ("default: {enabled: perhaps}\n", "default.enabled"),
        ("channels:\n  C0ABC: {answr: questions}\n", "channels.C0ABC.answr: Extra inputs"),
        ("defaults: {}\n", "defaults: Extra inputs"),
        ("- C0ABC\n", "must be a mapping"),
        ("channels: [C0ABC]\n", "'channels' must map channel ids"),
        ("default: {answer: [\n", "is not valid YAML"),
    ],
)
def test_a_bad_entry_is_a_clear_error(tmp_path: Path, text, expected):
    path = tmp_path / "channels.yaml"
    path.write_text(text)
    with pytest.raises(ChannelConfigError) as caught:
        load_policy(path)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.unit
def test_a_missing_file_names_the_setting(tmp_path: Path):
    with pytest.raises(ChannelConfigError, match="PARTNERBOT_SLACK_CHANNELS_FILE"):
        load_policy(tmp_path / "nope.yaml")


@pytest.mark.integration
def test_the_app_refuses_to_start_with_a_bad_channel_file(fresh_services, slack_api, tmp_path: Path):
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  partners: {reply: private}\n")
    services = fresh_services(
        slack_bot_token=slack_api.token,
        slack_signing_secret="s",
        slack_api_url=slack_api.base_url,
        slack_channels_file=path,
    )
    with pytest.raises(ChannelConfigError, match="'partners' is not a channel id"):
        create_app(services.settings, services)


@pytest.mark.unit
@pytest.mark.parametrize(
    "policy, expected",
    [
        ({}, "Ask me in a direct message, or in another channel I'm in."),
        (
            {"channels": {"C0HELPDSK": {"answer": "questions"}, "C0OFF": {"enabled": False}}},
            "Ask me in a direct message, or in another channel I'm in, such as <#C0HELPDSK>.",
        ),
        (
            {"default": {"enabled": False}, "channels": {"C0HELPDSK": {}, "C0INTROS": {}, "D0ONE": {}}},
            "Ask me in <#C0HELPDSK>, <#C0INTROS>.",
        ),
    ],
)
def test_the_switched_off_note_says_where_the_bot_answers(tmp_path: Path, policy, expected):
    path = tmp_path / "channels.yaml"
    path.write_text(yaml.safe_dump(policy))
    assert load_policy(path).elsewhere() == f"I don't answer in this channel. {expected}"
    nowhere = ChannelPolicy(default=ChannelRule(enabled=False))
    assert nowhere.elsewhere() == "I don't answer in this channel."


@pytest.mark.integration
def test_a_switched_off_channel_answers_nothing_and_tells_the_asker_where_it_does(make_slack):
    policy = {"channels": {CHANNEL: {"enabled": False, "answer": "questions"}, "C0HELPDSK": {}}}
    slack = make_slack(channels=policy)
    where = slack.http.app.state.slack.policy.elsewhere()
    assert "<#C0HELPDSK>" in where and "direct message" in where

    ts = slack.mention(ANSWERABLE)
    [told] = slack.api.wait_for("chat.postEphemeral")
    assert told["user"] == ASKER and told["text"] == where and told["thread_ts"] == ts
    url = slack.api.response_url("ask")
    acked = slack.send.command("/ask", ANSWERABLE, user=ASKER, channel=CHANNEL, response_url=url)
    assert "don't answer in this channel" in acked.text and "C0HELPDSK" in acked.text, "the same note"
    for text in ("thanks all, great meeting", ANSWERABLE):  # a question there, not chatter, is told
        sent = slack.api.add_message(CHANNEL, text, user=ASKER)
        assert slack.send.event(message_event(text, sent)).status_code == 200
    slack.api.wait_for("chat.postEphemeral", 2)
    slack.api.settle(quiet=2)
    assert [c.method for c in slack.api.calls if c.method != "auth.test"] == ["chat.postEphemeral"] * 2


@pytest.mark.integration
def test_private_reply_goes_only_to_the_asker_with_share(make_slack):
    slack = make_slack(channels={"default": {"reply": "private"}})
    ts = slack.mention(ANSWERABLE)
    [private] = slack.api.wait_for("chat.postEphemeral", timeout=90)
    assert private["user"] == ASKER and private["thread_ts"] == ts
    assert "Rob Webster" in private.text and "partnerbot_share" in str(private["blocks"])
    assert slack.api.calls_to("reactions.add"), "the reaction shows progress"
    assert not slack.api.calls_to("chat.postMessage")


@pytest.mark.integration
def test_questions_mode_answers_top_level_questions_without_a_mention(make_slack):
    slack = make_slack(channels={"channels": {CHANNEL: {"answer": "questions"}}})
    chatter = slack.api.add_message(CHANNEL, "thanks all, great meeting", user=ASKER)
    question = slack.api.add_message(CHANNEL, ANSWERABLE, user=ASKER)
    assert slack.send.event(message_event("thanks all, great meeting", chatter)).status_code == 200
    assert slack.send.event(message_event(ANSWERABLE, question)).status_code == 200

    assert "Rob Webster" in slack.answer_for(question).text
    slack.api.settle(quiet=1.5)
    assert {c["thread_ts"] for c in slack.api.calls_to("chat.postMessage")} == {question}


@pytest.mark.integration
def test_mentions_mode_ignores_top_level_questions_without_a_mention(slack):
    ts = slack.api.add_message(CHANNEL, ANSWERABLE, user=ASKER)
    assert slack.send.event(message_event(ANSWERABLE, ts)).status_code == 200
    slack.api.settle(quiet=2)
    assert not slack.api.calls_to("chat.postMessage")
