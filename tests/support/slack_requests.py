"""Requests as Slack sends them: signed bodies for Events API events, slash commands and interactions.

Signing is Slack's v0 scheme: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing
secret, sent as X-Slack-Signature with X-Slack-Request-Timestamp. `SlackSender` posts them to any
HTTP client with a `.post(url, content=..., headers=...)` (FastAPI's TestClient, httpx.Client):

    slack = SlackSender(test_client, secret="…", path="/slack/events")
    slack.event({"type": "app_mention", "channel": "C1", "user": "U1", "text": "<@UBOT> hi", "ts": ts})
    slack.command("/ask", "who funds trials?", response_url=api.response_url("ask"))
    slack.action("feedback_up", value="12", response_url=..., container={...})
    slack.view_submission(view)                       # for modals (/announce)
    slack.event(file_share_event([api.files[fid]], user="U1", channel="D1", ts=ts))   # a file in a DM
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any, Protocol
from urllib.parse import urlencode

from tests.support.slack_api import APP_ID, TEAM_ID

_event_ids = itertools.count(1)


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: str, *, timestamp: int | None = None, content_type: str = "application/json"
) -> dict[str, str]:
    """The headers Slack sends with `body`; pass an old `timestamp` to forge a stale request."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature(secret, ts, body),
    }


def event_body(event: dict[str, Any], *, event_id: str | None = None, authed_user: str | None = None) -> str:
    """An Events API `event_callback` envelope around `event`."""
    envelope = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):010d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": authed_user or "U0PARTNERBOT", "is_bot": True}],
    }
    return json.dumps(envelope)


def file_share_event(
    files: list[dict[str, Any]],
    *,
    user: str,
    channel: str,
    ts: str,
    text: str = "",
    channel_type: str = "im",
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """A `message` event of subtype file_share, as Slack sends one when a person shares files (in a
    DM by default); `files` as files.info describes them (e.g. `api.files[file_id]`)."""
    event: dict[str, Any] = {
        "type": "message",
        "subtype": "file_share",
        "text": text,
        "files": [_shared(f, user) for f in files],
        "upload": False,
        "user": user,
        "display_as_bot": False,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def mention_with_files(
    files: list[dict[str, Any]], *, text: str, user: str, channel: str, ts: str
) -> dict[str, Any]:
    """An `app_mention` of a message carrying files (`text` starts with `<@bot>`); Slack also sends
    the same message as a `file_share` message event (`file_share_event(..., channel_type="channel")`)."""
    return {
        "type": "app_mention",
        "text": text,
        "files": [_shared(f, user) for f in files],
        "upload": False,
        "user": user,
        "display_as_bot": False,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "client_msg_id": f"msg-{ts}",
    }


def _shared(file: dict[str, Any], user: str) -> dict[str, Any]:
    """A file as an event carries it: the files.info fields, uploaded by `user` (the bytes need the
    token anyway)."""
    keep = ("id", "created", "name", "title", "mimetype", "filetype", "size", "mode", "is_external")
    return {
        **{k: file[k] for k in keep if k in file},
        "user": user,
        "url_private": file.get("url_private"),
        "url_private_download": file.get("url_private_download"),
    }


def command_body(command: str, text: str, *, user: str, channel: str, response_url: str, **extra: str) -> str:
    fields = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "partners",
        "channel_id": channel,
        "channel_name": extra.pop("channel_name", "partners"),
        "user_id": user,
        "user_name": extra.pop("user_name", "asker"),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "response_url": response_url,
        "trigger_id": extra.pop("trigger_id", "1337.42.trigger"),
        **extra,
    }
    return urlencode(fields)


def interaction_body(payload: dict[str, Any]) -> str:
    """Interactions (buttons, modals) arrive form-encoded with the JSON in `payload`."""
    payload = {"team": {"id": TEAM_ID, "domain": "partners"}, "api_app_id": APP_ID, **payload}
    return urlencode({"payload": json.dumps(payload)})


def action_payload(
    action_id: str,
    *,
    value: str,
    user: str,
    channel: str,
    response_url: str,
    message_ts: str | None = None,
    thread_ts: str | None = None,
    ephemeral: bool = False,
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A block_actions payload for a button click on a message (ephemeral ones carry no message)."""
    container: dict[str, Any] = {
        "type": "message",
        "channel_id": channel,
        "is_ephemeral": ephemeral,
        "message_ts": message_ts or "0",
    }
    if thread_ts:
        container["thread_ts"] = thread_ts
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "asker", "team_id": TEAM_ID},
        "container": container,
        "channel": {"id": channel, "name": "partners"},
        "trigger_id": "1337.42.trigger",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "answer_actions",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if message is not None and not ephemeral:
        payload["message"] = message
    return payload


class _Poster(Protocol):
    def post(self, url: str, *, content: str, headers: dict[str, str]) -> Any: ...


class SlackSender:
    """Posts signed Slack requests to the app under test; every method returns the HTTP response."""

    def __init__(self, client: _Poster, secret: str, path: str = "/slack/events") -> None:
        self.client = client
        self.secret = secret
        self.path = path

    def send(
        self,
        body: str,
        *,
        content_type: str = "application/json",
        timestamp: int | None = None,
        secret: str | None = None,
        retry: int | None = None,
    ) -> Any:
        headers = signed_headers(secret or self.secret, body, timestamp=timestamp, content_type=content_type)
        if retry is not None:
            headers.update({"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"})
        return self.client.post(self.path, content=body, headers=headers)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **kwargs: Any) -> Any:
        return self.send(event_body(event, event_id=event_id), **kwargs)

    def command(self, command: str, text: str, **kwargs: Any) -> Any:
        form = {k: kwargs.pop(k) for k in list(kwargs) if k not in ("timestamp", "secret", "retry")}
        return self.send(command_body(command, text, **form), content_type=FORM, **kwargs)

    def action(self, action_id: str, **kwargs: Any) -> Any:
        return self.interaction(action_payload(action_id, **kwargs))

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> Any:
        return self.send(interaction_body(payload), content_type=FORM, **kwargs)

    def view_submission(self, view: dict[str, Any], *, user: str, **kwargs: Any) -> Any:
        payload = {"type": "view_submission", "user": {"id": user, "team_id": TEAM_ID}, "view": view}
        return self.interaction(payload, **kwargs)


FORM = "application/x-www-form-urlencoded"
