"""Two small ASGI middlewares: security headers on every response, and a request body size cap.

Pure ASGI (no BaseHTTPMiddleware) so they add nothing to the thread pool or to streaming.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# Everything the pages use is served by this app: no inline script or style, no CDN.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
MAX_BODY_BYTES = 1_000_000  # a question is at most a few thousand characters; Slack payloads are small


class SecurityHeaders:
    """Adds HEADERS (and HSTS behind https) unless a route set its own; dynamic pages are not cached."""

    def __init__(self, app: ASGIApp, https: bool = False) -> None:
        self.app = app
        headers = dict(HEADERS, **({"strict-transport-security": HSTS} if https else {}))
        self.headers = [(k.encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                if not static and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            # Starlette's own 500 would be sent from outside every middleware, without these headers.
            if started:
                raise
            log.exception("unhandled error on %s %s", scope.get("method"), scope["path"])
            await send_with_headers(
                {"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]}
            )
            await send({"type": "http.response.body", "body": b"Internal Server Error"})


@dataclass(frozen=True)
class Allowance:
    """A larger body for one path (a file upload), and what a client sent over it is told."""

    limit: int
    message: str


class BodyLimit:
    """Refuses bodies over MAX_BODY_BYTES with 413, by Content-Length or while streaming; the paths of
    `larger` (uploads) have their own limit and message."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY_BYTES, larger: Mapping[str, Allowance] | None = None
    ) -> None:
        self.app = app
        self.default = Allowance(limit, _too_large_message(limit))
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowance = self.larger.get(scope["path"], self.default)
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > allowance.limit:
            await _too_large(send, allowance.message)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > allowance.limit:
                    # An HTTPException, so that FastAPI's body parsing passes it on as it is.
                    raise HTTPException(413, allowance.message)
            return message

        await self.app(scope, counting_receive, send)


def _too_large_message(limit: int) -> str:
    return f"the request body is over {limit:,} bytes; send a shorter question"


async def _too_large(send: Send, message: str) -> None:
    body = json.dumps({"detail": message})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})
