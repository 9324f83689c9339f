"""`--since 7d`: a period as a number and a unit (h, d, w), or an ISO date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from config.errors import PartnerbotError

UNITS = {"h": "hours", "d": "days", "w": "weeks"}
SPAN = re.compile(r"^\s*(\d{1,5})\s*([hdw])\s*$", re.IGNORECASE)


class PeriodError(PartnerbotError):
    """A --since value that is neither a span nor a date."""


def parse_since(value: str, now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    match = SPAN.match(value)
    if match:
        return now - timedelta(**{UNITS[match.group(2).lower()]: int(match.group(1))})
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(
            f"--since {value!r}: give a span such as 7d, 24h, 2w or a date such as 2026-11-01"
        ) from None
    if day > now.date():
        raise PeriodError(f"--since {value}: that date is in the future")
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
