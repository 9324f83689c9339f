"""Bearer tokens of the announcements API. Only a SHA-256 of each token is stored; tokens are random
32-byte strings, so a plain hash is enough (no slow KDF needed) and lookups compare in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.state.db import Database, changed
from bot.state.models import ApiToken, now
from config.errors import ConfigError


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(db: Database, name: str) -> str:
    """A new token for `name`; the only time the token itself is shown."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ConfigError("a token name must be 1 to 100 characters, e.g. 'newsletter-tool'")
    token = "pbt_" + secrets.token_urlsafe(32)
    try:
        with db.session() as session:
            session.add(ApiToken(name=name, token_hash=digest(token)))
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


def verify(db: Database, token: str, configured_sha256: str | None = None) -> str | None:
    """The name of the token that matches, or None. Every candidate is compared, in constant time."""
    presented = digest(token)
    match: str | None = None
    if configured_sha256 and hmac.compare_digest(presented, configured_sha256):
        match = "configured"
    with db.session() as session:
        rows = session.execute(
            select(ApiToken.name, ApiToken.token_hash).where(ApiToken.revoked_at.is_(None))
        )
        for name, stored in rows:
            if hmac.compare_digest(presented, stored):
                match = name
    return match
