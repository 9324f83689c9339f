"""The Home tab as Block Kit: how to ask, live announcements, what the bot knows, the web page, who
to ask.

Members of the communications group also see this week's digest (the report's own blocks) and
buttons for what `/announce` does. Built from plain values, so it is tested without Slack; the
listener (`listeners/home.py`) gathers them. Announcement and document titles were written by
people: each goes through `mrkdwn.escape` (or `mrkdwn.link`, which escapes its label).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.announce.summary import status
from bot.report.build import Report
from bot.report.render import to_blocks
from bot.slack import announce_views, mrkdwn
from bot.slack.blocks import Block, button, context, dated, section
from bot.state.models import Announcement, AnnouncementStatus
from corpus.model import Document

NEW_ANNOUNCEMENT = "home_new_announcement"
LIST_ANNOUNCEMENTS = "home_list_announcements"
OPEN_WEB = "home_open_web"  # a link button: Slack opens the page and still sends the click
ANNOUNCEMENTS_SHOWN = 5
LISTED = 10  # as many as `/announce list` shows
LIVE = (AnnouncementStatus.PUBLISHED, AnnouncementStatus.PARTIAL)


@dataclass(frozen=True)
class Known:
    """The documents the bot answers this person from (announcements are counted apart: they have
    their own list)."""

    count: int
    newest: Document | None


def known(documents: Iterable[Document]) -> Known:
    """Count the corpus's documents and find the newest by `published` (ISO dates, maybe partial:
    "2019", "2017-11", "2022-01-26" compare correctly as text)."""
    corpus = [d for d in documents if d.origin != "announcement"]
    dated_docs = [d for d in corpus if d.published]
    newest = max(dated_docs, key=lambda d: d.published or "", default=None)
    return Known(len(corpus), newest)


def live(rows: Iterable[Announcement]) -> list[Announcement]:
    """Announcements partners can still act on: posted, not withdrawn, not past their closing date."""
    return [r for r in rows if status(r) in LIVE]


def _day(when: date) -> str:
    return f"{when.day} {when:%b %Y}"


def how_to_ask(command: str, bot_user_id: str | None) -> Block:
    me = f"<@{bot_user_id}>" if bot_user_id else "@partnerbot"
    cmd = mrkdwn.escape(command)
    return section(
        "*How to ask*\n"
        f"• *Mention {me}* in a channel it is in: the answer comes in the thread.\n"
        "• *Send a direct message* (the Messages tab above): every message is a question.\n"
        f"• *`{cmd} your question`* anywhere: an answer only you see, with a button to share it.\n"
        "• *In the assistant view*: open partnerbot from Slack's AI apps button at the top and ask there.\n"
        "Every answer names its sources, with links."
    )


def announcement_line(row: Announcement) -> str:
    """One line: the title (linked to where to read more), when it was posted, until when it runs."""
    permalink = next((p.permalink for p in row.posts if p.permalink), None)
    line = f"• *{mrkdwn.link(row.link or permalink, row.title)}* · posted {_day(row.created_at.date())}"
    if row.expires:
        line += f" · until {_day(row.expires)}"
    if permalink and row.link:
        line += f" · {mrkdwn.link(permalink, 'the post')}"
    return line


def announcements_block(rows: Sequence[Announcement] | None) -> Block:
    """`rows` are live ones, newest first; None when the state store could not be read."""
    if rows is None:
        return section("*Latest announcements*\n_They cannot be read just now; try again in a minute._")
    lines = [announcement_line(r) for r in rows[:ANNOUNCEMENTS_SHOWN]]
    return section("*Latest announcements*\n" + ("\n".join(lines) or "_None at the moment._"))


def knowledge_block(docs: Known, today: date) -> Block:
    text = f"*What partnerbot knows*\n*{docs.count}* documents of the cluster"
    if docs.newest:
        title = mrkdwn.link(docs.newest.source_url, docs.newest.title)
        text += f"; the newest is {title} ({dated(docs.newest.published, today)})"
    return section(text + ".")


def web_block(link: str, days: int) -> Block:
    """The web page, opened with `link`: a session signed for this person's rights (the pages are
    private), so the link is theirs and good for `days` days."""
    block = section(
        f"*On the web*: ask and read the sources in your browser. The link is yours alone, for {days} days."
    )
    block["accessory"] = {**button("Open the web page", OPEN_WEB, OPEN_WEB), "url": link}
    return block


def comms_blocks(report: Report | None) -> list[Block]:
    """The week's digest, exactly as the weekly post shows it, then what the group can do here."""
    figures = (
        to_blocks(report)
        if report is not None
        else [section("_This week's figures cannot be read just now; try again in a minute._")]
    )
    return [
        {"type": "divider"},
        context("*For the communications group* (only you and the group see this part)"),
        *figures,
        {
            "type": "actions",
            "block_id": "home_comms_actions",
            "elements": [
                button("New announcement", NEW_ANNOUNCEMENT, NEW_ANNOUNCEMENT, style="primary"),
                button("List announcements", LIST_ANNOUNCEMENTS, LIST_ANNOUNCEMENTS),
            ],
        },
    ]


def home_view(
    *,
    announcements: Sequence[Announcement] | None,
    docs: Known,
    web: Block,
    front_door: str,
    command: str,
    comms: bool = False,
    report: Report | None = None,
    bot_user_id: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The whole Home tab. `docs` counts what this person may read, `web` is their `web_block`;
    `front_door` is the deployment's own (trusted) mrkdwn, as in answers; `comms` adds the group's
    part, with `report` (None when it could not be built)."""
    today = today or date.today()
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Ask the healthtech cluster's documents"}},
        how_to_ask(command, bot_user_id),
        {"type": "divider"},
        announcements_block(announcements),
        {"type": "divider"},
        knowledge_block(docs, today),
        web,
        section(f"*A person can help*: when the documents do not answer, ask {front_door}."),
    ]
    if comms:
        blocks.extend(comms_blocks(report))
    return {"type": "home", "callback_id": "partnerbot_home", "blocks": blocks}


def listing_view(rows: Sequence[Announcement]) -> dict[str, Any]:
    """What "List announcements" opens: the recent ones with their status, and Withdraw where it
    applies (the `/announce` Withdraw button and handler, which then confirm by direct message)."""
    blocks: list[Block] = []
    for row in rows[:LISTED]:
        block = section(announce_views.listing_line(row))
        if row.status not in (AnnouncementStatus.WITHDRAWN, AnnouncementStatus.DRAFT):
            block["accessory"] = announce_views.withdraw_button(row.id)
        blocks.append(block)
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Announcements"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks or [section("No announcements yet.")],
    }
