"""Malformed and hostile requests at /slack/events get a 4xx, never a 500, and nothing is sent.

Regressions of issue 15's findings: a non-integer timestamp, invalid JSON or UTF-8, deep nesting,
and signed payloads of unknown or broken shape.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.support.slack_requests import signed_headers

pytestmark = pytest.mark.integration

UNSIGNED = [
    ({"x-slack-request-timestamp": "abc", "x-slack-signature": "v0=00"}, b'{"type":"event_callback"}'),
    ({"x-slack-request-timestamp": "1e999", "x-slack-signature": "v0=00"}, b"{}"),
    ({"x-slack-request-timestamp": "", "x-slack-signature": ""}, b"\xff\xfe not utf-8"),
    ({}, b"[" * 100_000),
    ({"x-slack-request-timestamp": b"\xb2", "x-slack-signature": "v0=00"}, b"{}"),  # "²": a digit to isdigit
]


@pytest.mark.parametrize(
    ("headers", "body"), UNSIGNED, ids=["text-ts", "huge-ts", "bad-utf8", "deep", "superscript-ts"]
)
def test_unsigned_garbage_is_refused_before_anything_is_read(slack, headers, body):
    before = len(slack.api.calls)
    response = slack.http.post(
        "/slack/events", content=body, headers={"content-type": "application/json", **headers}
    )
    assert response.status_code == 401, response.text
    assert slack.api.calls[before:] == []


SIGNED = [
    '{"type": "event_callback"',  # not JSON
    "[" * 5000 + "]" * 5000,  # deep nesting
    "[]",
    '"a string"',
    '{"type": "event_callback"}',
    '{"type": "event_callback", "event": "not an object"}',
    '{"type": "event_callback", "event": {"type": "app_mention"}}',
    '{"type": "event_callback", "event": {"type": "message", "channel": 5, "text": ["x"]}}',
    '{"type": "event_callback", "event": {"type": "app_mention", "text": null, "ts": {}}}',
    '{"type": "something_new", "event": {}}',
    json.dumps({"type": "event_callback", "event": {"type": "message", "text": "\u202e\u200b" * 1000}}),
]


@pytest.mark.parametrize("body", SIGNED)
def test_signed_payloads_of_broken_shape_get_a_4xx_or_a_quiet_ack(slack, body):
    before = len(slack.api.calls)
    response = slack.http.post("/slack/events", content=body, headers=signed_headers(slack.send.secret, body))
    assert response.status_code < 500, response.text
    slack.api.settle(quiet=1)
    assert [c.method for c in slack.api.calls[before:] if c.method.startswith("chat.")] == []


USER = {"id": "U0ASKER", "team_id": "T0PARTNER"}
FORM_VIEW = {"id": "V1", "type": "modal", "callback_id": "announce_form"}
INTERACTIONS = [  # each found by tests/slack/test_fuzz.py before it was fixed
    "not json",
    "[]",
    '{"type": "block_actions"}',
    '{"type": "block_actions", "actions": "x"}',
    json.dumps({"type": "view_submission", "user": USER, "view": {**FORM_VIEW, "state": {"values": None}}}),
    json.dumps({"type": "view_submission", "user": USER, "view": {**FORM_VIEW, "state": {"values": [True]}}}),
    json.dumps(
        {"type": "view_submission", "user": USER, "view": {"id": "V1", "callback_id": "announce_form"}}
    ),
    json.dumps({"type": "view_submission", "user": [], "view": FORM_VIEW}),
    # acked, then the value cannot be read: bolt used to wait out Slack's 3 s and answer 404
    json.dumps(
        {"type": "block_actions", "user": USER, "actions": [{"action_id": "announce_withdraw", "value": "x"}]}
    ),
    json.dumps(
        {"type": "block_actions", "user": USER, "actions": [{"action_id": "library_remove", "value": "²"}]}
    ),
    json.dumps(
        {"type": "block_actions", "user": USER, "actions": [{"action_id": "announce_retry", "value": 7}]}
    ),
]


@pytest.mark.parametrize("payload", INTERACTIONS)
def test_signed_interactions_of_broken_shape_get_a_quick_4xx_or_a_quiet_ack(slack, payload):
    from urllib.parse import urlencode

    body = urlencode({"payload": payload})
    headers = signed_headers(slack.send.secret, body, content_type="application/x-www-form-urlencoded")
    began = time.monotonic()
    response = slack.http.post("/slack/events", content=body, headers=headers)
    assert response.status_code < 500, response.text
    assert response.status_code != 404, "bolt timed out waiting for an ack"
    assert time.monotonic() - began < 2.5


def test_a_real_message_full_of_brackets_is_not_taken_for_deep_nesting(slack):
    """Brackets inside the text are text: a code snippet in a question still gets an answer."""
    from tests.slack.conftest import ASKER, CHANNEL, mention_event
    from tests.support.slack_api import BOT_USER_ID
    from tests.support.slack_requests import event_body

    text = f"<@{BOT_USER_ID}> what does {'{' * 80} mean?"
    event = mention_event(text, slack.api.add_message(CHANNEL, text, user=ASKER))
    body = event_body(event)
    response = slack.http.post("/slack/events", content=body, headers=signed_headers(slack.send.secret, body))
    assert response.status_code == 200, response.text
