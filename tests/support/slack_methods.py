"""How the local Slack Web API answers each method, with the fields real Slack returns.

Each function takes the server (its lock is held) and the request's parameters. Add a method by
adding a function to METHODS; keep the answer shaped like Slack's documented response.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.slack_api import SlackAPI

_view_ids = itertools.count(1)


def _auth_test(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    from tests.support.slack_api import BOT_ID, TEAM_ID

    return {
        "ok": True,
        "url": "https://partners.slack.com/",
        "team": "Healthtech partners",
        "user": "partnerbot",
        "team_id": TEAM_ID,
        "user_id": api.bot_user_id,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def _bot_message(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    from tests.support.slack_api import APP_ID, BOT_ID

    message = {
        "type": "message",
        "user": api.bot_user_id,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "text": p.get("text", ""),
    }
    if p.get("blocks"):
        message["blocks"] = p["blocks"]
    if p.get("metadata"):
        message["metadata"] = p["metadata"]
    return message


def _post_message(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    channel = p.get("channel")
    if not channel:
        return {"ok": False, "error": "channel_not_found"}
    if not p.get("text") and not p.get("blocks"):
        return {"ok": False, "error": "no_text"}
    message = _bot_message(api, p)
    ts = api._store(channel, message, p.get("thread_ts"))
    return {"ok": True, "channel": channel, "ts": ts, "message": {**message, "ts": ts}}


def _find(api: SlackAPI, channel: str, ts: str) -> dict[str, Any] | None:
    return next((m for m in api.messages.get(channel, []) if m["ts"] == ts), None)


def _update(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    message = _find(api, p.get("channel", ""), p.get("ts", ""))
    if message is None:
        return {"ok": False, "error": "message_not_found"}
    message["text"] = p.get("text", "")
    message["blocks"] = p.get("blocks") or []
    return {"ok": True, "channel": p["channel"], "ts": p["ts"], "text": message["text"]}


def _delete(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    message = _find(api, p.get("channel", ""), p.get("ts", ""))
    if message is None:
        return {"ok": False, "error": "message_not_found"}
    api.messages[p["channel"]].remove(message)
    return {"ok": True, "channel": p["channel"], "ts": p["ts"]}


def _ephemeral(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    if not p.get("channel") or not p.get("user"):
        return {"ok": False, "error": "channel_not_found" if not p.get("channel") else "user_not_in_channel"}
    return {"ok": True, "message_ts": api._ts()}


def _replies(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    channel, ts = p.get("channel", ""), p.get("ts", "")
    messages = api.messages.get(channel, [])
    parent = next((m for m in messages if m["ts"] == ts), None)
    if parent is None:
        return {"ok": False, "error": "thread_not_found"}
    thread = [parent] + [m for m in messages if m.get("thread_ts") == ts and m["ts"] != ts]
    limit = int(p.get("limit") or 1000)
    return {"ok": True, "messages": thread[:limit], "has_more": len(thread) > limit}


def _history(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    """Top-level messages newest first, after `oldest` and up to `latest` (exclusive unless
    `inclusive`), `limit` (default 100, at most 999) a page with `next_cursor`; a message's `metadata`
    only with include_all_metadata, as Slack does."""
    inclusive = _flag(p.get("inclusive"))
    oldest, latest = float(p.get("oldest") or 0), float(p.get("latest") or "inf")

    def within(ts: float) -> bool:
        return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

    messages = [
        m
        for m in reversed(api.messages.get(p.get("channel", ""), []))
        if m.get("thread_ts") in (None, m["ts"]) and within(float(m["ts"]))
    ]
    if not _flag(p.get("include_all_metadata")):
        messages = [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
    start = int(p.get("cursor") or 0)
    end = start + min(int(p.get("limit") or 100), 999)
    following = str(end) if end < len(messages) else ""
    return {
        "ok": True,
        "messages": messages[start:end],
        "has_more": bool(following),
        "response_metadata": {"next_cursor": following},
    }


def _flag(value: Any) -> bool:
    """A boolean argument as the Web API takes it: true, 1 (slack_sdk sends "1"/"0") or JSON true."""
    return value is True or str(value).lower() in ("1", "true")


def _reaction(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    key = (p.get("channel", ""), p.get("timestamp", ""), p.get("name", ""))
    if key in api.reactions:
        return {"ok": False, "error": "already_reacted"}
    api.reactions.add(key)
    return {"ok": True}


def _unreact(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    key = (p.get("channel", ""), p.get("timestamp", ""), p.get("name", ""))
    if key not in api.reactions:
        return {"ok": False, "error": "no_reaction"}
    api.reactions.discard(key)
    return {"ok": True}


def _permalink(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    ts = p.get("message_ts", "")
    link = f"https://partners.slack.com/archives/{p.get('channel')}/p{ts.replace('.', '')}"
    return {"ok": True, "channel": p.get("channel"), "permalink": link}


def _view(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    view = dict(p.get("view") or {})
    view_id = p.get("view_id") or view.get("id") or f"V{next(_view_ids):08d}"
    view.update({"id": view_id, "hash": f"hash-{view_id}"})
    api.views[view_id] = view
    return {"ok": True, "view": view}


def _assistant_thread(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    """assistant.threads.setStatus / setTitle / setSuggestedPrompts: the thread must exist."""
    if not p.get("channel_id") or not p.get("thread_ts"):
        return {"ok": False, "error": "invalid_arguments"}
    return {"ok": True}


def _start_stream(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    """chat.startStream: a message in the thread that later appends extend, marked as streaming."""
    channel = p.get("channel")
    if not channel or not p.get("thread_ts"):
        return {"ok": False, "error": "invalid_arguments"}
    if channel.startswith("C") and not (p.get("recipient_user_id") and p.get("recipient_team_id")):
        return {"ok": False, "error": "missing_recipient_user_id"}  # Slack needs them outside DMs
    message = {**_bot_message(api, {"text": _stream_text(p)}), "streaming": True}
    ts = api._store(channel, message, p["thread_ts"])
    return {"ok": True, "channel": channel, "ts": ts}


def _append_stream(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    message = _find(api, p.get("channel", ""), p.get("ts", ""))
    if message is None:
        return {"ok": False, "error": "message_not_found"}
    if not message.get("streaming"):
        return {"ok": False, "error": "message_not_in_streaming_state"}
    message["text"] += _stream_text(p)
    return {"ok": True, "channel": p["channel"], "ts": p["ts"]}


def _stop_stream(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    answer = _append_stream(api, p)
    if answer["ok"]:
        message = _find(api, p["channel"], p["ts"])
        assert message is not None
        message["streaming"] = False
        if p.get("blocks"):
            message["blocks"] = p["blocks"]
    return answer


def _stream_text(p: dict[str, Any]) -> str:
    """The markdown a stream call carries, as `markdown_text` or as markdown_text chunks."""
    chunks = p.get("chunks")
    texts = [c.get("text", "") for c in chunks or [] if c.get("type") == "markdown_text"]
    return str(p.get("markdown_text") or "") + "".join(texts)


def _usergroup_users(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    group = p.get("usergroup", "")
    if group not in api.usergroups:
        return {"ok": False, "error": "no_such_subteam"}
    return {"ok": True, "users": api.usergroups[group]}


def _conversation_info(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    """A channel of the workspace, or a DM (`D…`), unless `api.channels` says more (shared, mpim…)."""
    channel = p.get("channel", "")
    info = {
        "id": channel,
        "name": channel.lower(),
        "is_member": True,
        "is_channel": channel.startswith("C"),
        "is_im": channel.startswith("D"),
        "is_mpim": False,
        "is_shared": False,
        "is_ext_shared": False,
        "is_pending_ext_shared": False,
    }
    return {"ok": True, "channel": {**info, **api.channels.get(channel, {})}}


def _conversation_members(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    """Paginated like Slack: `limit` (at most `api.page_size`) a page, `next_cursor` until the last."""
    channel = p.get("channel", "")
    if channel not in api.members:
        return {"ok": False, "error": "channel_not_found"}
    members = api.members[channel]
    start = int(p.get("cursor") or 0)
    end = start + min(int(p.get("limit") or 100), api.page_size)
    following = str(end) if end < len(members) else ""
    return {"ok": True, "members": members[start:end], "response_metadata": {"next_cursor": following}}


def _user_info(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    """A member of the workspace (TEAM_ID) unless `api.users` says otherwise (team_id, is_stranger…)."""
    from tests.support.slack_api import TEAM_ID

    user = p.get("user", "")
    if not user.startswith(("U", "W")):
        return {"ok": False, "error": "user_not_found"}
    fields = {"id": user, "team_id": TEAM_ID, "name": user.lower(), "deleted": False, "is_bot": False}
    return {"ok": True, "user": {**fields, **api.users.get(user, {})}}


def _connections_open(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    """Socket Mode: the WebSocket URL set on `api.socket_url` (see tests/support/socket_mode.py)."""
    if not api.socket_url:
        return {"ok": False, "error": "socket_mode_not_started"}
    return {"ok": True, "url": api.socket_url}


def _file_info(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    """A file added with `api.add_file`; its bytes come from GET url_private_download (with the token)."""
    file = api.files.get(p.get("file", ""))
    if file is None:
        return {"ok": False, "error": "file_not_found"}
    return {"ok": True, "file": dict(file), "comments": [], "response_metadata": {"next_cursor": ""}}


def _ok(api: SlackAPI, p: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True}


METHODS: dict[str, Callable[[SlackAPI, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": _auth_test,
    "apps.connections.open": _connections_open,
    "chat.postMessage": _post_message,
    "chat.update": _update,
    "chat.delete": _delete,
    "chat.postEphemeral": _ephemeral,
    "chat.getPermalink": _permalink,
    "conversations.replies": _replies,
    "conversations.history": _history,
    "conversations.info": _conversation_info,
    "conversations.members": _conversation_members,
    "conversations.join": _ok,
    "files.info": _file_info,
    "reactions.add": _reaction,
    "reactions.remove": _unreact,
    "views.open": _view,
    "views.update": _view,
    "views.push": _view,
    "views.publish": _view,
    "usergroups.users.list": _usergroup_users,
    "users.info": _user_info,
    "assistant.threads.setStatus": _assistant_thread,
    "assistant.threads.setTitle": _assistant_thread,
    "assistant.threads.setSuggestedPrompts": _assistant_thread,
    "chat.startStream": _start_stream,
    "chat.appendStream": _append_stream,
    "chat.stopStream": _stop_stream,
}
