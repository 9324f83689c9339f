"""A local Socket Mode endpoint: the WebSocket that Slack's `apps.connections.open` URL points to.

with SlackAPI() as api, SocketModeServer() as socket:
    api.socket_url = socket.url                # apps.connections.open now answers with it
    handler = SocketModeHandler(app, "xapp-…"); handler.connect()
    socket.wait_connected()
    envelope = socket.send_event(event_body_dict)   # an events_api envelope, as Slack sends it
    socket.wait_ack(envelope)                        # the app acked it over the socket
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

_ids = itertools.count(1)


class SocketModeServer:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self._connections: list[ServerConnection] = []
        self._lock = threading.Condition()
        self._server: Server | None = None

    def start(self) -> SocketModeServer:
        self._server = serve(self._handle, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, name="socket-mode", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server = None

    def __enter__(self) -> SocketModeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server, "start() the server first"
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=local"

    def _handle(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "local"}}))
        with self._lock:
            self._connections.append(connection)
            self._lock.notify_all()
        try:
            for message in connection:
                with self._lock:
                    self.received.append(json.loads(message))
                    self._lock.notify_all()
        except ConnectionClosed:
            pass

    def _wait(self, test: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not test():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"waited {timeout:.0f}s for {what}; received {self.received}")
                self._lock.wait(min(left, 0.5))

    def wait_connected(self, timeout: float = 30.0) -> None:
        self._wait(lambda: self._connections, timeout, "a Socket Mode connection")

    def send(self, kind: str, payload: dict[str, Any], **extra: Any) -> str:
        """Send an envelope (`events_api`, `slash_commands`, `interactive`); returns its envelope_id."""
        envelope_id = f"env-{next(_ids)}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload, **extra}
        with self._lock:
            connection = self._connections[-1]
        connection.send(json.dumps({"accepts_response_payload": kind != "events_api", **envelope}))
        return envelope_id

    def send_event(self, body: dict[str, Any], retry_attempt: int = 0) -> str:
        return self.send("events_api", body, retry_attempt=retry_attempt, retry_reason="")

    def wait_ack(self, envelope_id: str, timeout: float = 30.0) -> dict[str, Any]:
        self._wait(
            lambda: any(m.get("envelope_id") == envelope_id for m in self.received), timeout, envelope_id
        )
        return next(m for m in self.received if m.get("envelope_id") == envelope_id)
