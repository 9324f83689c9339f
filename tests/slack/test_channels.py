"""Per-channel policy: the file's format, its errors at start-up, and what each setting does."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.slack.channels import ChannelConfigError, ChannelRule, load_policy
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
    assert load_policy(None).default == ChannelRule(answer="mentions", reply="thread", enabled=True)


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


@pytest.mark.integration
def test_a_disabled_channel_stays_silent(make_slack):
    slack = make_slack(channels={"channels": {CHANNEL: {"enabled": False}}})
    slack.mention(ANSWERABLE)
    url = slack.api.response_url("ask")
    acked = slack.send.command("/ask", ANSWERABLE, user=ASKER, channel=CHANNEL, response_url=url)
    assert "don't answer in this channel" in acked.text
    slack.api.settle(quiet=2)
    assert [c.method for c in slack.api.calls if c.method != "auth.test"] == []


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
