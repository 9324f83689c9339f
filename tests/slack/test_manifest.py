"""The app manifest asks for exactly the scopes and events the listeners use, at /slack/events."""

from __future__ import annotations

import pytest
import yaml

from config.settings import ROOT, Settings

pytestmark = pytest.mark.unit
MANIFEST = yaml.safe_load((ROOT / "config" / "slack-manifest.yaml").read_text())


def test_least_scopes():
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == [
        "app_mentions:read",
        "assistant:write",
        "channels:history",
        "channels:read",
        "chat:write",
        "commands",
        "files:read",
        "groups:history",
        "groups:read",
        "im:history",
        "mpim:read",
        "reactions:write",
        "usergroups:read",
        "users:read",
    ]
    assert "user" not in MANIFEST["oauth_config"]["scopes"], "no user token"


def test_events_commands_and_interactivity_reach_the_one_endpoint():
    settings = MANIFEST["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_mention",
        "app_uninstalled",
        "assistant_thread_context_changed",
        "assistant_thread_started",
        "message.channels",
        "message.groups",
        "message.im",
        "tokens_revoked",
    }
    assert "assistant_view" in MANIFEST["features"], "the agent view is switched on"
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(c["url"] for c in MANIFEST["features"]["slash_commands"]),
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert settings["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["messages_tab_enabled"] is True, "DMs need the messages tab"
    assert MANIFEST["features"]["app_home"]["messages_tab_read_only_enabled"] is False


def test_the_commands_match_the_default_settings():
    commands = [c["command"] for c in MANIFEST["features"]["slash_commands"]]
    assert commands == [
        Settings.model_fields["slack_command"].default,
        Settings.model_fields["announce_command"].default,
        Settings.model_fields["documents_command"].default,
    ]
