"""What an announcement must be before anything is written or posted."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from config.errors import PartnerbotError
from config.settings import Settings

TITLE_MAX = 150  # Slack's limit for a header block
BODY_MAX = 3000  # Slack's limit for a section's text
LINK = re.compile(r"^https?://[^\s<>|]+$")


class AnnouncementError(PartnerbotError):
    """An announcement cannot be made or withdrawn as asked; `fields` names the bad inputs."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class Draft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    body: str = Field(min_length=1, max_length=BODY_MAX)
    channels: list[str] = Field(min_length=1, max_length=50)
    link: str | None = Field(None, max_length=1000)
    expires: date | None = None

    @field_validator("link")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        if value and not LINK.match(value):
            raise ValueError("must be a web address starting with http:// or https://, without spaces")
        return value or None

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(c.strip() for c in value if c.strip()))


def make_draft(settings: Settings, data: dict[str, object]) -> Draft:
    """A checked Draft, or an AnnouncementError saying what to fix, field by field."""
    try:
        draft = Draft.model_validate(data)
    except ValidationError as exc:
        fields = {str(err["loc"][0]) if err["loc"] else "announcement": _message(err) for err in exc.errors()}
        raise AnnouncementError("; ".join(f"{k}: {v}" for k, v in fields.items()), fields) from None
    problems: dict[str, str] = {}
    unknown = [c for c in draft.channels if c not in settings.announce_channels]
    if not settings.announce_channels:
        problems["channels"] = "no announcement channels are configured (PARTNERBOT_ANNOUNCE_CHANNELS)"
    elif unknown or not draft.channels:
        allowed = ", ".join(settings.announce_channels)
        problems["channels"] = (
            f"{', '.join(unknown) or 'none'} not among the announcement channels ({allowed})"
        )
    if draft.expires and draft.expires < datetime.now(UTC).date():
        problems["expires"] = f"{draft.expires.isoformat()} is in the past; pick today or a later date"
    if problems:
        raise AnnouncementError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    return draft


def _message(error: ErrorDetails) -> str:
    kind = error.get("type", "")
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long (at most {error.get('ctx', {}).get('max_length')} characters)"
    if kind == "too_short":
        return "choose at least one channel"
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a field of an announcement"
    return str(error.get("msg", "is not valid")).removeprefix("Value error, ")
