"""hypothesis-generated Slack requests, signed, at /slack/events: events, slash commands and
interactions of every kind the app listens to, well formed and broken, carrying hostile text.

None may get a 5xx or take longer than Slack's 3 seconds to acknowledge, and nothing the app sends
to Slack afterwards may carry a live ping or link that only the input carried (tests/support/fuzz.py).
"""

from __future__ import annotations

import pytest

from tests.support.fuzz import Tally, fuzz_slack

pytestmark = pytest.mark.integration

EXAMPLES = 60  # per door: the suite's fixed budget (bench/hostile.py runs more)


def test_generated_slack_requests_get_no_5xx_no_slow_ack_and_post_no_ping(slack):
    settings = slack.services.settings
    names = [settings.slack_command, settings.announce_command, settings.documents_command]
    tally = fuzz_slack(slack.send, slack.api, names, EXAMPLES, Tally())
    assert sum(tally.tried.values()) == 3 * EXAMPLES
    answered = slack.api.calls_to("chat.update") + slack.api.calls_to("response_url")
    assert answered, "no generated request reached a listener: the fuzzing tried nothing real"
    assert not tally.failures, "\n\n".join(tally.failures[:20])
