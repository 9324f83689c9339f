"""The Home tab through signed requests to the real bolt app, published to the local Slack Web API.

Payloads are shaped as Slack sends them (Slack's app_home_opened reference and bolt-python's own
tests): the event carries `tab` and, once a view was published, that view; a click on the Home tab
is a block_actions payload whose container is the view, with no channel and no response_url.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from bot.slack import home
from bot.state import announcements as store
from bot.state import audit
from bot.state.log import insert_question, new_question_id
from bot.state.models import AnnouncementStatus, now
from retrieval.access import PARTNERS
from tests.slack.conftest import ASKER, Slack
from tests.support.slack_api import APP_ID, BOT_ID, TEAM_ID, Call, _texts

pytestmark = pytest.mark.integration

COMMS = "U0COMMS"
CHANNELS = {"C0NEWS": "partner-news"}
NEWEST = "Report to the LEP Board: Healthtech Strategy"  # the reference corpus's newest, 26 Jan 2022


def home_opened(user: str, tab: str = "home") -> dict[str, Any]:
    """app_home_opened as Slack sends it; the Home tab's event carries the view shown last."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0PARTNERBOT",
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if tab == "home":
        event["view"] = {
            "id": "V0HOME",
            "team_id": TEAM_ID,
            "type": "home",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": "1231232323.12321312",
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": "V0HOME",
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
    return event


def click(slack: Slack, view: dict[str, Any], action_id: str, user: str, value: str | None = None) -> Any:
    """A person clicks the button `action_id` (of value `value`) in `view`, a Home tab or a modal."""
    block, button = next(
        (b, e)
        for b in view["blocks"]
        for e in (b.get("elements") or [b.get("accessory") or {}])
        if e.get("action_id") == action_id and (value is None or e.get("value") == value)
    )
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": f"trigger-{user}-{action_id}",
        "enterprise": None,
        "is_enterprise_install": False,
        "view": view,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block.get("block_id", "b"),
                "text": button["text"],
                "value": button["value"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return slack.send.interaction(payload)


def open_home(slack: Slack, user: str) -> dict[str, Any]:
    """The user opens the Home tab; the view the bot published for them (with the id Slack gave it)."""

    def mine(c: Call) -> bool:
        return c["user_id"] == user

    before = len(slack.api.calls_to("views.publish", where=mine))
    response = slack.send.event(home_opened(user))
    assert response.status_code == 200, response.text
    call = slack.api.wait_for("views.publish", before + 1, where=mine, timeout=90)[-1]
    assert call["view"]["type"] == "home"
    return call["view"] | {"id": f"V0HOME{user}"}


def shown(view: dict[str, Any]) -> str:
    return "\n".join(_texts(view["blocks"]))


def action_ids(view: dict[str, Any]) -> set[str]:
    return {
        e.get("action_id")
        for b in view["blocks"]
        for e in (b.get("elements") or [b.get("accessory") or {}])
        if e.get("type") == "button"
    }


def announce(slack: Slack, title: str, *, expires: date | None = None, status: str = "published") -> int:
    row, _ = store.create(
        slack.services.db,
        key=f"test:{title}",
        source="api",
        author_id=COMMS,
        author_name="Comms team",
        title=title,
        body=f"{title}: the details.",
        link="https://example.org/" + title.split()[0].lower(),
        expires=expires,
        channels=list(CHANNELS),
        status=AnnouncementStatus(status),
    )
    return row.id


def asked(slack: Slack, question: str, *, answered: bool) -> None:
    """A question in the log, as a partner asked it this week."""
    fields = {
        "id": new_question_id(),
        "asked_at": now(),
        "surface": "mention",
        "question": question,
        "answered": answered,
    }
    insert_question(slack.services.db, {**fields, "sources": [], "latency_ms": 5.0})


@pytest.fixture
def comms_slack(make_slack: Callable[..., Slack]) -> Slack:
    return make_slack(comms_user_ids=[COMMS], announce_channels=CHANNELS)


def test_a_partner_sees_how_to_ask_live_announcements_the_documents_and_the_front_door(comms_slack):
    slack = comms_slack
    today = date.today()
    announce(slack, "Innovation fund round 3 open", expires=today + timedelta(days=30))
    announce(slack, "Showcase bookings closed", expires=today - timedelta(days=1))
    announce(slack, "Withdrawn webinar", status="withdrawn")
    announce(slack, "Draft being previewed", status="draft")

    view = open_home(slack, ASKER)
    text = shown(view)
    assert "/ask your question" in text and "Mention <@" in text and "direct message" in text
    assert "assistant view" in text
    assert "*5* documents" in text and NEWEST in text and "26 Jan 2022" in text
    assert "#healthtech-front-door" in text
    assert "Innovation fund round 3 open" in text
    assert "<https://example.org/innovation|Innovation fund round 3 open>" in text, "linked to read more"
    for hidden in ("Showcase bookings closed", "Withdrawn webinar", "Draft being previewed"):
        assert hidden not in text
    assert "What partners asked this week" not in text, "figures are for the communications group"
    assert action_ids(view) == {home.OPEN_WEB}, "a partner gets no command buttons"
    [link] = [b["accessory"]["url"] for b in view["blocks"] if b.get("accessory", {}).get("url")]
    assert link.startswith("http://127.0.0.1:8000/?t=")
    assert slack.services.links.check(link.partition("?t=")[2]).access == PARTNERS, "signed for them"


def test_announcement_titles_cannot_ping_or_forge_links(comms_slack):
    announce(comms_slack, "<!channel> free tickets <https://evil.example|click> & more")
    text = shown(open_home(comms_slack, ASKER))
    assert "<!channel>" not in text and "<https://evil.example" not in text
    assert "&lt;!channel&gt; free tickets &lt;https://evil.example¦click&gt; &amp; more" in text


def test_the_messages_tab_is_acknowledged_and_ignored(slack):
    response = slack.send.event(home_opened(ASKER, tab="messages"))
    assert response.status_code == 200
    slack.api.settle(1.0)
    assert not slack.api.calls_to("views.publish")


def test_a_comms_member_sees_this_weeks_figures_unanswered_questions_and_buttons(comms_slack):
    asked(comms_slack, "Who leads the healthtech strategy?", answered=True)
    asked(comms_slack, "Where can visitors park at Nexus?", answered=False)
    asked(comms_slack, "<!here> is there a hackathon?", answered=False)

    view = open_home(comms_slack, COMMS)
    text = shown(view)
    assert "What partners asked this week" in text
    assert "*3* questions" in text and "*33%* answered" in text
    assert "Where can visitors park at Nexus?" in text
    assert "&lt;!here&gt; is there a hackathon?" in text and "<!here>" not in text
    assert action_ids(view) == {home.NEW_ANNOUNCEMENT, home.LIST_ANNOUNCEMENTS, home.OPEN_WEB}

    partner = shown(open_home(comms_slack, ASKER))  # the same week, seen by a partner
    assert "What partners asked this week" not in partner and "Nexus" not in partner


def test_new_announcement_opens_the_announce_form_and_its_submission_posts(comms_slack):
    slack = comms_slack
    response = click(slack, open_home(slack, COMMS), home.NEW_ANNOUNCEMENT, COMMS)
    assert response.status_code == 200
    [opened] = slack.api.wait_for(
        "views.open", where=lambda c: c["trigger_id"].startswith(f"trigger-{COMMS}")
    )
    form = next(v for v in slack.api.views.values() if v.get("callback_id") == "announce_form")
    assert opened["view"]["callback_id"] == "announce_form"
    values = {
        "title": {"value": {"type": "plain_text_input", "value": "Partner breakfast on 3 June"}},
        "body": {"value": {"type": "plain_text_input", "value": "Breakfast and talks at Nexus, 8am."}},
        "channels": {"value": {"type": "multi_static_select", "selected_options": [{"value": "C0NEWS"}]}},
        "link": {"value": {"type": "url_text_input", "value": None}},
        "expires": {"value": {"type": "datepicker", "selected_date": None}},
    }
    preview = slack.send.view_submission({**form, "state": {"values": values}}, user=COMMS).json()
    assert preview["response_action"] == "update", preview
    posted = slack.send.view_submission({**preview["view"], "id": form["id"]}, user=COMMS)
    assert posted.status_code == 200

    [post] = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == "C0NEWS", timeout=90)
    assert "Partner breakfast on 3 June" in post.text
    [told] = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == COMMS, timeout=90)
    assert "posted in #partner-news" in told.text, "no channel to answer in: the author gets a DM"
    [entry] = [e for e in audit.entries(slack.services.db) if e.action == "open"]
    assert (entry.actor, entry.allowed) == (COMMS, True)


def test_list_announcements_opens_the_listing_and_its_withdraw_button_withdraws(comms_slack):
    slack = comms_slack
    live = announce(slack, "Innovation fund round 3 open")
    announce(slack, "<!everyone> hostile title")
    assert click(slack, open_home(slack, COMMS), home.LIST_ANNOUNCEMENTS, COMMS).status_code == 200
    [opened] = slack.api.wait_for("views.open")
    listing = opened["view"] | {"id": "V0LISTING"}
    text = shown(listing)
    assert f"*{live}* published · Innovation fund round 3 open · by Comms team" in text
    assert "&lt;!everyone&gt; hostile title" in text and "<!everyone>" not in text

    assert click(slack, listing, "announce_withdraw", COMMS, value=str(live)).status_code == 200
    [told] = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == COMMS, timeout=90)
    assert f"Announcement {live} withdrawn" in told.text
    assert store.get(slack.services.db, live).status == "withdrawn"
    assert "Innovation fund" not in shown(open_home(slack, ASKER)), "a withdrawn one leaves the Home tab"


def test_a_partner_clicking_a_comms_button_is_refused_and_audited(comms_slack):
    slack = comms_slack
    forged = {"id": "V0FORGED", "type": "home", "blocks": home.comms_blocks(None)}
    assert click(slack, forged, home.NEW_ANNOUNCEMENT, ASKER).status_code == 200
    [opened] = slack.api.wait_for("views.open")
    assert "Only the communications group" in shown(opened["view"])
    assert not any(v.get("callback_id") == "announce_form" for v in slack.api.views.values())
    [entry] = audit.entries(slack.services.db)
    assert (entry.action, entry.actor, entry.allowed) == ("open", ASKER, False)


def test_a_failed_publish_is_logged_not_raised_and_the_next_opening_publishes(slack, caplog):
    slack.api.fail("views.publish", status=500)
    with caplog.at_level(logging.WARNING, logger="bot.slack.listeners.home"):
        response = slack.send.event(home_opened(ASKER))
        assert response.status_code == 200
        slack.api.wait_for("views.publish", timeout=90)
        deadline = time.monotonic() + 10
        while "could not publish the Home tab" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.1)
    assert f"could not publish the Home tab of {ASKER}: internal_error (HTTP 500)" in caplog.text
    open_home(slack, ASKER)
    assert len(slack.api.calls_to("views.publish")) == 2
