"""A local Slack Web API on loopback that answers like Slack and records every call.

The same idea as bolt-python's `tests/mock_web_api_server`: a real HTTP server in a thread, so the
real `slack_sdk.WebClient` (and bolt's `respond()`, which posts to a `response_url`) talk HTTP to it.

    with SlackAPI() as slack:                      # or the `slack_api` fixture in tests/support/fixtures.py
        client = WebClient(token=slack.token, base_url=slack.base_url)
        ts = slack.add_message("C111", "hello", user="U123")   # a human message the bot can read back
        slack.fail("chat.update", status=429, retry_after=1)   # the next chat.update is rate limited
        ...
        [call] = slack.wait_for("chat.postMessage", where=lambda c: c["thread_ts"] == ts)
        call.params["blocks"]                      # what the bot sent, form or JSON, blocks decoded

What it keeps: a message store per channel (chat.postMessage/update/delete and `add_message` write it,
with a post's `metadata`; conversations.replies / conversations.history read it, history newest first,
after `oldest`, `limit` a page with a cursor, metadata only with include_all_metadata; a ts is the
time, as Slack's), reactions (a second identical reactions.add answers `already_reacted`, as Slack
does), opened views, user groups, and who is who: `users` (users.info
fields by user id: a user not listed is a member of TEAM_ID), `channels` (conversations.info fields by
channel id, such as is_ext_shared or is_mpim) and `members` (conversations.members, `page_size` at a
time; a channel not listed answers channel_not_found). Methods it does not know
answer `unknown_method` and are still recorded, so a missing piece shows up as a clear failure.
Response URLs: `slack.response_url("name")` gives a URL on this server; POSTs to it are recorded
as method "response_url" (params hold the JSON body, `call.path` the URL's path).

Files: `slack.add_file("plan.pdf", data, "application/pdf")` stores a file shared in Slack and returns
its id; files.info answers its fields (`api.files`, editable) with url_private and url_private_download
on this server. Downloading either (GET, recorded as method "files.download") needs the bot token in
`Authorization: Bearer …`; without it Slack's answer is 200 with an HTML sign-in page, and so is this.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlparse

TEAM_ID = "T0PARTNER"
BOT_USER_ID = "U0PARTNERBOT"
BOT_ID = "B0PARTNERBOT"
APP_ID = "A0PARTNERBOT"
JSON_FIELDS = ("blocks", "attachments", "view", "metadata", "chunks", "prompts")
FILES_PATH = "/files-pri/"  # where url_private(_download) point, as on files.slack.com
SIGN_IN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>"


@dataclass
class Call:
    """One request the server received."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    path: str
    at: float = field(default_factory=time.monotonic)

    def __getitem__(self, key: str) -> Any:
        return self.params.get(key)

    @property
    def text(self) -> str:
        """The message text plus every text inside its blocks, for assertions on what a user sees."""
        parts = [str(self.params.get("text") or "")]
        parts.extend(_texts(self.params.get("blocks") or []))
        return "\n".join(p for p in parts if p)


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    error: str
    times: int
    dropped: bool = False
    accepted: bool = False  # done before the connection drops


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for v in node.values() if isinstance(v, dict | list) for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return []


class SlackAPI:
    """The server. Thread-safe; start it with `start()` or as a context manager."""

    def __init__(self, token: str = "xoxb-partnerbot-test", bot_user_id: str = BOT_USER_ID) -> None:
        self.token = token
        self.bot_user_id = bot_user_id
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.reactions: set[tuple[str, str, str]] = set()
        self.usergroups: dict[str, list[str]] = {}
        self.users: dict[str, dict[str, Any]] = {}  # users.info fields: team_id, is_stranger…
        self.channels: dict[str, dict[str, Any]] = {}  # conversations.info fields: is_ext_shared…
        self.members: dict[str, list[str]] = {}  # conversations.members by channel id
        self.page_size = 1000  # the most members conversations.members answers at once
        self.scopes: str | None = None  # auth.test's x-oauth-scopes header ("a,b"); None: not sent
        self.views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}  # files.info fields by file id
        self.file_bytes: dict[str, bytes] = {}  # what downloading each file gives
        self.socket_url: str | None = None  # what apps.connections.open answers (Socket Mode)
        self._failures: dict[str, list[_Failure]] = {}
        self._lock = threading.Condition()
        self._clock = itertools.count(1)
        self._last_ts = 0  # microseconds of the last message ts given
        self._server: ThreadingHTTPServer | None = None

    # -- life cycle ------------------------------------------------------------------------------

    def start(self) -> SlackAPI:
        handler = type("Handler", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="slack-api", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        """What WebClient(base_url=...) and PARTNERBOT_SLACK_API_URL take."""
        return f"{self.url}/api/"

    def response_url(self, name: str = "default") -> str:
        return f"{self.url}/hooks/{name}"

    # -- arranging -------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        error: str = "",
        times: int = 1,
        dropped: bool = False,
        accepted: bool = False,
    ) -> None:
        """Make the next `times` calls of `method` fail.

        status 429 answers `ratelimited` with a Retry-After header (default 1 s); 5xx answers an HTTP
        error; status 200 with `error` answers `{"ok": false, "error": error}` (e.g. not_in_channel);
        `dropped` closes the connection without an answer, as a network failure does; with `accepted`
        the call is carried out first (a post Slack made whose answer was lost).
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        error = error or {429: "ratelimited"}.get(status, "internal_error")
        with self._lock:
            failure = _Failure(status, retry_after, error, times, dropped or accepted, accepted)
            self._failures.setdefault(method, []).append(failure)

    def add_message(
        self, channel: str, text: str, *, user: str = "U0ASKER", thread_ts: str | None = None, **extra: Any
    ) -> str:
        """Store a message as if a person had posted it; returns its ts."""
        with self._lock:
            return self._store(channel, {"type": "message", "user": user, "text": text, **extra}, thread_ts)

    def add_file(self, name: str, data: bytes, mimetype: str, filetype: str | None = None) -> str:
        """Store a file as if a person had uploaded it to Slack; returns its id (F…)."""
        with self._lock:
            file_id = f"F{next(self._clock):08d}"
            private = f"{self.url}{FILES_PATH}{TEAM_ID}-{file_id}/{quote(name)}"
            self.files[file_id] = {
                "id": file_id,
                "created": int(time.time()),
                "name": name,
                "title": name,
                "mimetype": mimetype,
                "filetype": filetype or name.rsplit(".", 1)[-1].lower(),
                "size": len(data),
                "mode": "hosted",
                "is_external": False,
                "url_private": private,
                "url_private_download": f"{self.url}{FILES_PATH}{TEAM_ID}-{file_id}/download/{quote(name)}",
            }
            self.file_bytes[file_id] = data
            return file_id

    def next_ts(self) -> str:
        with self._lock:
            return self._ts()

    # -- reading what happened -------------------------------------------------------------------

    def calls_to(self, method: str, where: Callable[[Call], bool] | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (where is None or where(c))]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 60.0,
    ) -> list[Call]:
        """Block until at least `count` matching calls arrived; fail the test with what did arrive."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(c.method for c in self.calls) or "nothing"
                    raise AssertionError(f"waited {timeout:.0f}s for {count} × {method}; server saw: {seen}")
                self._lock.wait(min(left, 0.5))

    def settle(self, quiet: float = 1.0, timeout: float = 60.0) -> None:
        """Wait until no call arrived for `quiet` seconds, to assert that nothing *more* is sent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self.calls[-1].at if self.calls else 0.0
            if time.monotonic() - last >= quiet:
                return
            time.sleep(0.1)
        raise AssertionError(f"calls kept arriving for {timeout:.0f}s")

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()

    # -- serving (called by the handler) ---------------------------------------------------------

    def _ts(self) -> str:
        """Like Slack's: the time in seconds.microseconds, unique and increasing (`oldest` compares)."""
        self._last_ts = max(int(time.time() * 1_000_000), self._last_ts + 1)
        return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    def _store(self, channel: str, message: dict[str, Any], thread_ts: str | None) -> str:
        ts = self._ts()
        message = {**message, "ts": ts}
        if thread_ts:
            message["thread_ts"] = thread_ts
        self.messages.setdefault(channel, []).append(message)
        return ts

    def _record(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any] | bytes]:
        with self._lock:
            self.calls.append(call)
            failure = self._take_failure(call.method)
            if failure:
                if failure.accepted and self._authorised(call):
                    self._answer(call.method, call.params)
                result = self._failed(failure)
            elif call.method == "response_url":
                result = (200, {}, {"ok": True})
            elif not self._authorised(call):
                result = (200, {}, {"ok": False, "error": "invalid_auth"})
            else:
                scoped = call.method == "auth.test" and self.scopes
                granted = {"x-oauth-scopes": self.scopes} if scoped else {}
                result = (200, granted, self._answer(call.method, call.params))
            self._lock.notify_all()
            return result

    def _download(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        """GET of a url_private(_download): the file with the bot token, Slack's sign-in page without."""
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()
            failure = self._take_failure(call.method)
            if failure:
                status, headers, body = self._failed(failure)
                return status, headers, body if isinstance(body, bytes) else json.dumps(body).encode()
            given = call.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if given != self.token:
                return 200, {"content-type": "text/html; charset=utf-8"}, SIGN_IN_PAGE
            file_id = call.path.removeprefix(FILES_PATH).split("/", 1)[0].rsplit("-", 1)[-1]
            file = self.files.get(file_id)
            if file is None or file_id not in self.file_bytes:
                return 404, {"content-type": "text/plain"}, b"Not found"
            return 200, {"content-type": file["mimetype"]}, self.file_bytes[file_id]

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    @staticmethod
    def _failed(failure: _Failure) -> tuple[int, dict[str, str], dict[str, Any] | bytes]:
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
        if failure.dropped:
            return failure.status, headers, b""
        return failure.status, headers, {"ok": False, "error": failure.error}

    def _authorised(self, call: Call) -> bool:
        if call.method == "apps.connections.open":  # called with the app-level token
            return call.headers.get("authorization", "").startswith("Bearer xapp-")
        given = call.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return given == self.token or call.params.get("token") == self.token

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        from tests.support.slack_methods import METHODS

        handler = METHODS.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method", "method": method}
        return handler(self, p)


class _Handler(BaseHTTPRequestHandler):
    api: SlackAPI

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if not url.path.startswith(FILES_PATH):
            self.do_POST()
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        call = Call("files.download", dict(parse_qsl(url.query)), headers, unquote(url.path))
        status, extra, data = self.api._download(call)
        if data == b"" and status != 200:  # a dropped connection
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("content-length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        params = _params(raw, self.headers.get("content-type", ""), url.query)
        headers = {k.lower(): v for k, v in self.headers.items()}
        method = "response_url" if url.path.startswith("/hooks/") else url.path.rstrip("/").rsplit("/", 1)[-1]
        status, extra, body = self.api._record(Call(method, params, headers, url.path))
        if body == b"":  # a dropped connection: no status line, no body
            self.close_connection = True
            return
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def _params(raw: str, content_type: str, query: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query))
    if "json" in content_type and raw:
        params.update(json.loads(raw))
    elif raw:
        params.update(dict(parse_qsl(raw, keep_blank_values=True)))
    for key in JSON_FIELDS:  # the form encoding sends these as JSON strings; decode like Slack does
        if isinstance(params.get(key), str):
            with contextlib.suppress(json.JSONDecodeError):
                params[key] = json.loads(params[key])
    return params
