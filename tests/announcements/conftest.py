"""Fixtures of the announcement and question-log tests: both state backends, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.announcements.postgres import SKIP_REASON, create_database, find_bindir, postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """The URL of a PostgreSQL server started for this session (skips when PostgreSQL is absent)."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(SKIP_REASON)
    with postgres_server(bindir) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None for the default SQLite file in the data folder, else a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return create_database(request.getfixturevalue("postgres"))
