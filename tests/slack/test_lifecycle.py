"""Events about the app itself, and group DMs: each acknowledged, each handled or left on purpose.

Payload shapes as Slack documents them: `app_uninstalled` {type, event_ts}; `tokens_revoked`
{type, tokens: {oauth: [...], bot: [...]}}; `member_joined_channel` {user, channel, channel_type,
team, inviter}.
"""

from __future__ import annotations

import pytest
import yaml

from config.settings import ROOT
from tests.slack.conftest import ANSWERABLE, ASKER, CHANNEL, message_event
from tests.support.slack_api import BOT_USER_ID, TEAM_ID

pytestmark = pytest.mark.integration
GROUP_DM = "G0GROUPDM"
EVENTS = {  # one real-shaped event per subscription of the manifest
    "app_home_opened": {"type": "app_home_opened", "user": ASKER, "channel": "D0HOME", "tab": "messages"},
    "app_mention": {"type": "app_mention", "user": ASKER, "text": "<@U0PARTNERBOT>", "channel": CHANNEL},
    "app_uninstalled": {"type": "app_uninstalled"},
    "assistant_thread_context_changed": {
        "type": "assistant_thread_context_changed",
        "assistant_thread": {"user_id": ASKER, "context": {}, "channel_id": "D0A", "thread_ts": "1.1"},
    },
    "assistant_thread_started": {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": ASKER, "context": {}, "channel_id": "D0A", "thread_ts": "1.1"},
    },
    "message.channels": message_event("lunch?", "1.2", channel_type="channel"),
    "message.groups": message_event("lunch?", "1.3", channel="G0PRIVATE", channel_type="group"),
    "message.im": message_event("hello", "1.4", channel="D0ASKERDM", channel_type="im", thread_ts="1.1"),
    "tokens_revoked": {"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"]}},
}


def test_every_event_the_manifest_subscribes_to_is_acknowledged(make_slack):
    manifest = yaml.safe_load((ROOT / "config" / "slack-manifest.yaml").read_text())
    subscribed = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert set(subscribed) == set(EVENTS), "a new subscription needs a payload here"
    slack = make_slack()
    for name in [n for n in subscribed if n != "app_uninstalled"] + ["app_uninstalled"]:
        response = slack.send.event({**EVENTS[name], "event_ts": "1700000000.000300"})
        assert response.status_code == 200, f"{name}: {response.status_code} {response.text}"


def test_after_uninstall_events_are_acknowledged_and_nothing_is_sent(slack):
    assert slack.send.event({"type": "app_uninstalled", "event_ts": "1700000000.000100"}).status_code == 200
    slack.api.reset()

    slack.mention(ANSWERABLE)
    click = slack.send.action(
        "partnerbot_feedback_up",
        value="1",
        user=ASKER,
        channel=CHANNEL,
        response_url=slack.api.response_url(),
    )
    assert click.status_code == 200
    slack.api.settle(quiet=2)
    sent = [c.method for c in slack.api.calls if c.method != "auth.test"]  # bolt's own authorize
    assert sent == [], "a dead token: no Web API call"
    ready = slack.http.get("/readyz")
    assert ready.status_code == 503
    assert "uninstalled" in ready.json()["checks"]["slack"]


def test_a_revoked_bot_token_stops_work_and_a_revoked_user_token_does_not(slack):
    revoked_user = {"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"]}, "event_ts": "1.1"}
    assert slack.send.event(revoked_user).status_code == 200
    ts = slack.mention(ANSWERABLE)
    assert "Rob Webster" in slack.answer_for(ts).text

    revoked_bot = {"type": "tokens_revoked", "tokens": {"bot": [BOT_USER_ID]}, "event_ts": "1.2"}
    assert slack.send.event(revoked_bot).status_code == 200
    slack.api.reset()
    slack.mention(ANSWERABLE)
    slack.api.settle(quiet=2)
    assert [c.method for c in slack.api.calls if c.method != "auth.test"] == []
    assert "revoked" in slack.http.get("/readyz").json()["checks"]["slack"]


def test_members_joining_a_channel_are_acknowledged_and_left_alone(slack):
    for user in (BOT_USER_ID, "U0NEWPARTNER"):
        event = {
            "type": "member_joined_channel",
            "user": user,
            "channel": CHANNEL,
            "channel_type": "C",
            "team": TEAM_ID,
            "inviter": ASKER,
            "event_ts": "1700000000.000200",
        }
        assert slack.send.event(event).status_code == 200
    slack.api.settle(quiet=1)
    assert [c.method for c in slack.api.calls if c.method != "auth.test"] == []


def group_dm(slack, text: str) -> str:
    ts = slack.api.add_message(GROUP_DM, text, user=ASKER)
    assert slack.send.event(message_event(text, ts, channel=GROUP_DM, channel_type="mpim")).status_code == 200
    return ts


def test_group_dms_are_answered_like_dms_only_when_enabled(make_slack):
    off = make_slack()
    group_dm(off, ANSWERABLE)
    off.api.settle(quiet=2)
    assert not off.api.calls_to("chat.postMessage"), "off by default: only mentions there"

    off.api.reset()
    on = make_slack(slack_group_dms=True)
    ts = group_dm(on, ANSWERABLE)
    assert "Rob Webster" in on.answer_for(ts, channel=GROUP_DM).text
