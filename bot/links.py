"""Signed links to the source viewer and the web: whoever holds one reads what its rights allow.

A link's token is `claims.signature`, both base64url: the claims name the document it opens (`*`:
a web session), the rights it carries and when it expires; the signature is an HMAC-SHA256 with the
server's secret (PARTNERBOT_LINK_SECRET, or a key file in the data folder), so replicas sharing the
secret accept each other's links and a restart keeps them valid. No database is read to check one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from config.errors import PartnerbotError
from config.settings import Settings
from retrieval.access import Access
from retrieval.answer import Answer

SESSION = "*"  # the document a session token opens: any its rights allow
KEY_FILE = "link-secret.key"


class LinkRefused(PartnerbotError):
    """A token that does not open what it was presented for; the message says why, for the page."""


@dataclass(frozen=True)
class Grant:
    """What a valid token gives: a document (or a session) with the rights it was signed for."""

    doc_id: str
    access: Access
    expires: int  # Unix seconds


class Links:
    def __init__(self, settings: Settings, clock=time.time) -> None:  # noqa: ANN001 (tests move it)
        self.base = settings.public_base_url.rstrip("/")
        self.lifetime = settings.link_days * 86400
        self.clock = clock
        configured = settings.link_secret.get_secret_value() if settings.link_secret else None
        self._key = configured.encode() if configured else _key_file(settings)

    # -- making --------------------------------------------------------------------------------

    def token(self, doc_id: str, access: Access) -> str:
        claims = {"d": doc_id, "e": int(self.clock()) + self.lifetime, **access.claims()}
        payload = _encode(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._sign(payload)}"

    def document(self, doc_id: str, access: Access, chunk: int | None = None) -> str:
        """The viewer's address of a document (at a passage), signed for `access`."""
        url = f"{self.base}/sources/{quote(doc_id, safe='')}?t={self.token(doc_id, access)}"
        return f"{url}#chunk-{chunk}" if chunk is not None else url

    def session(self, access: Access) -> str:
        """The ask page's address with a session token: opening it signs the browser in."""
        return f"{self.base}/?t={self.token(SESSION, access)}"

    def sign(self, answer: Answer, access: Access) -> Answer:
        """The answer with each source's viewer link signed for whom the answer is for."""
        sources = [
            s.model_copy(update={"url": self.document(s.doc_id, access, s.chunk)}) for s in answer.sources
        ]
        return answer.model_copy(update={"sources": sources})

    # -- checking ------------------------------------------------------------------------------

    def check(self, token: str, doc_id: str | None = None) -> Grant:
        """The grant of a token presented for `doc_id` (None: a session); LinkRefused saying why."""
        payload, _, signature = token.partition(".")
        if not payload or not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            raise LinkRefused(
                "this link is not valid: it was changed, cut short or not made by this partnerbot"
            )
        try:
            claims = json.loads(_decode(payload))
            grant = Grant(str(claims["d"]), Access.from_claims(claims), int(claims["e"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise LinkRefused("this link is not valid: its contents cannot be read") from exc
        if grant.expires < self.clock():
            day = datetime.fromtimestamp(grant.expires, UTC)
            raise LinkRefused(
                f"this link expired on {day.day} {day:%B %Y}: links last {self.lifetime // 86400} days. "
                "Ask partnerbot again in Slack for a fresh one"
            )
        if grant.doc_id not in (SESSION, doc_id):
            raise LinkRefused("this link opens another document")
        return grant

    def _sign(self, payload: str) -> str:
        return _encode(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())


def _key_file(settings: Settings) -> bytes:
    """A random key kept in the data folder, made on first use: links survive a restart; replicas
    with their own data folders must share PARTNERBOT_LINK_SECRET instead."""
    path = settings.data_dir / KEY_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        written = path.with_name(f"{KEY_FILE}.{os.getpid()}.tmp")
        written.write_text(secrets.token_hex(32), encoding="utf-8")
        written.chmod(0o600)
        try:
            os.link(written, path)  # whole, and only once: two workers starting keep the first
        except FileExistsError:
            pass
        finally:
            written.unlink()
    return path.read_text(encoding="utf-8").strip().encode()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
