"""Bearer tokens of the HTTP APIs. Only a SHA-256 of each token is stored; tokens are random 32-byte
strings, so a plain hash is enough (no slow KDF needed) and lookups compare in constant time.

A token carries scopes: `ask` (the questions API, with partners' rights and the internal documents
of its `groups`), `announce` (the announcements API) and `documents` (adding, refreshing and removing
documents: /api/documents/added and the routes beside it). One API never accepts another's token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.state.db import Database, changed
from bot.state.models import ApiToken, now
from config.errors import ConfigError
from corpus.manifest import READER

SCOPES = ("ask", "announce", "documents")


@dataclass(frozen=True)
class Token:
    """Whose token was presented, and what it may do."""

    name: str
    scopes: frozenset[str]
    groups: frozenset[str] = frozenset()  # user groups or channels whose internal documents it reads


# PARTNERBOT_ANNOUNCE_API_TOKEN_SHA256: one token set by the environment, for the announcements API
CONFIGURED = Token("configured", frozenset({"announce"}))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(db: Database, name: str, scopes: Iterable[str], groups: Iterable[str] = ()) -> str:
    """A new token for `name`; the only time the token itself is shown."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ConfigError("a token name must be 1 to 100 characters, e.g. 'newsletter-tool'")
    scopes, groups = set(scopes), set(groups)
    unknown = sorted(scopes - set(SCOPES))
    if unknown or not scopes:
        named = ", ".join(unknown) or "no scope"
        raise ConfigError(
            f"{named}: a token's scopes are {', '.join(SCOPES[:-1])} and {SCOPES[-1]}, one or more"
        )
    if bad := sorted(g for g in groups if not READER.match(g)):
        raise ConfigError(f"{', '.join(bad)}: not Slack user group (S…) or channel (C…, G…) ids")
    if groups and "ask" not in scopes:
        raise ConfigError("groups give a token internal documents to read: they go with the ask scope")
    token = "pbt_" + secrets.token_urlsafe(32)
    scope = " ".join(sorted(scopes))  # space-separated, as OAuth writes scopes
    row = ApiToken(name=name, token_hash=digest(token), scopes=scope, groups=sorted(groups))
    try:
        with db.session() as session:
            session.add(row)
    except IntegrityError as exc:
        raise ConfigError(f"a token named {name!r} exists already; revoke it or pick another name") from exc
    return token


def revoke(db: Database, name: str) -> bool:
    with db.session() as session:
        result = session.execute(
            update(ApiToken)
            .where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now())
        )
        return changed(result) == 1


def verify(db: Database, token: str, configured_sha256: str | None = None) -> Token | None:
    """The token that matches, or None. Every candidate is compared, in constant time."""
    presented = digest(token)
    match: Token | None = None
    if configured_sha256 and hmac.compare_digest(presented, configured_sha256):
        match = CONFIGURED
    with db.session() as session:
        rows = session.execute(
            select(ApiToken.name, ApiToken.token_hash, ApiToken.scopes, ApiToken.groups).where(
                ApiToken.revoked_at.is_(None)
            )
        )
        for name, stored, scopes, groups in rows:
            if hmac.compare_digest(presented, stored):
                match = Token(name, frozenset(scopes.split()), frozenset(groups or ()))
    return match
