"""Pytest fixtures over the test harness (the Slack Web API, servers). Use them from a conftest.py:

from tests.support.fixtures import slack_api  # noqa: F401  (a fixture)
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.postgres import SKIP_REASON, find_bindir, postgres_server
from tests.support.servers import CHROMA, chroma_server
from tests.support.slack_api import SlackAPI


@pytest.fixture
def slack_api() -> Iterator[SlackAPI]:
    """A started local Slack Web API, stopped after the test."""
    with SlackAPI() as api:
        yield api


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """The URL of a PostgreSQL server started for this session (skips when PostgreSQL is absent).

    TEST_POSTGRES_URL (e.g. postgresql+psycopg://user:pass@127.0.0.1:5432) uses a running server
    instead, such as a CI service; its user must be allowed to CREATE DATABASE.
    """
    if os.environ.get("TEST_POSTGRES_URL"):
        yield os.environ["TEST_POSTGRES_URL"]
        return
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(SKIP_REASON)
    with postgres_server(bindir) as url:
        yield url


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server for the tests of one module (skips when the chroma command is absent)."""
    if not CHROMA.exists():
        pytest.skip("the chroma command is not installed in this environment")
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url
