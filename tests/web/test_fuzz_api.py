"""schemathesis against the app's own OpenAPI schema: generated requests, good and bad, to every route.

Every answer must be a documented status with a body matching the schema, and none a 5xx.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.state import tokens
from bot.throttle import Throttle
from bot.web.app import create_app
from tests.announcements.conftest import slack_settings
from tests.support.fixtures import slack_api  # noqa: F401  (a fixture)
from tests.support.fuzz import Tally, fuzz_api

pytestmark = pytest.mark.integration

EXAMPLES = 25  # per route and mode: the suite's fixed budget (bench/hostile.py runs more)


def test_no_route_answers_outside_its_schema(fresh_services, slack_api):  # noqa: F811
    services = fresh_services(**slack_settings(slack_api), fetch_timeout_s=1)
    token = tokens.create(services.db, "fuzz", ["ask", "announce", "documents"])
    app = create_app(services.settings, services)
    app.state.token_failures = Throttle(limit=0)  # negative cases send bad tokens; the throttle has its tests
    with TestClient(app):
        tally = fuzz_api(app, {"Authorization": f"Bearer {token}"}, EXAMPLES, Tally())
    print(tally.tried, tally.statuses)
    assert not tally.failures, "\n\n".join(tally.failures)
