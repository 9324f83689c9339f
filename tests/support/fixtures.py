"""Pytest fixtures over the Slack harness. Use them from a conftest.py:

from tests.support.fixtures import slack_api  # noqa: F401  (a fixture)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.slack_api import SlackAPI


@pytest.fixture
def slack_api() -> Iterator[SlackAPI]:
    """A started local Slack Web API, stopped after the test."""
    with SlackAPI() as api:
        yield api
