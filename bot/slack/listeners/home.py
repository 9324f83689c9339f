"""The Home tab: published for whoever opens it, counting the documents they may read, with a web
link signed for them and the communications group's part for its members.

Opening the tab is acknowledged at once and the view is built lazily (the digest reads the question
log and groups unanswered questions with the embedder). The group's buttons go through the same
checks and views as `/announce`: "New announcement" opens the command's form, whose submission the
announce listener handles; the listing's Withdraw buttons are the announce listener's own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.announce.draft import AnnouncementError
from bot.announce.service import Announcer
from bot.report.build import Report, build_report
from bot.slack import announce_views, home
from bot.slack.blocks import STORE_UNAVAILABLE
from bot.slack.client import SLACK_ERRORS, describe
from bot.slack.context import SlackBot
from bot.state.models import Announcement

log = logging.getLogger(__name__)
WEEK = timedelta(days=7)


class HomeTab:
    def __init__(self, bot: SlackBot, announcer: Announcer) -> None:
        self.services = bot.services
        self.settings = bot.settings
        self.rights = bot.rights
        self.announcer = announcer

    def opened(self, event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Publish on the Home tab only; opening the Messages tab needs nothing from the bot."""
        if event.get("tab") != "home" or not event.get("user"):
            return
        self.publish(client, event["user"], context)

    def publish(self, client: WebClient, user_id: str, context: BoltContext) -> None:
        """A failed publish is logged: the tab keeps its last view and the next opening tries again."""
        try:
            client.views_publish(user_id=user_id, view=self.view(user_id, context))
        except SLACK_ERRORS as exc:
            log.warning("could not publish the Home tab of %s: %s", user_id, describe(exc))

    def view(self, user_id: str, context: BoltContext) -> dict[str, Any]:
        comms = self.announcer.group.check(user_id) is None
        access = self.rights.of_user(user_id, None, context).access
        return home.home_view(
            # announcements are indexed for partners: the public is shown none
            announcements=self._live_announcements() if access.partner else [],
            docs=home.known(d for d, _ in self.services.index.documents() if access.allows(d)),
            web=home.web_block(self.services.links.session(access), self.settings.link_days),
            front_door=self.settings.front_door,
            command=self.settings.slack_command,
            comms=comms,
            report=self._this_week() if comms else None,
            bot_user_id=context.bot_user_id,
        )

    # -- the communications group's buttons --------------------------------------------------------

    def new_announcement(self, body: dict[str, Any], client: WebClient) -> None:
        self._unless_down(self._new_announcement, body, client)

    def list_announcements(self, body: dict[str, Any], client: WebClient) -> None:
        self._unless_down(self._list_announcements, body, client)

    def _unless_down(
        self, action: Callable[[dict[str, Any], WebClient], None], body: dict[str, Any], client: WebClient
    ) -> None:
        """Membership checks are audited: with the state store down a click is told so, not lost."""
        try:
            action(body, client)
        except SQLAlchemyError as exc:
            log.warning("a Home tab button failed: the state store is unavailable (%s)", type(exc).__name__)
            self._notice(client, body, "Try again", STORE_UNAVAILABLE)

    def _new_announcement(self, body: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        try:
            self.announcer.authorise("open", user)
        except AnnouncementError as exc:
            self._notice(client, body, "Not allowed", str(exc))
            return
        if not self.settings.announce_channels:
            self._notice(
                client,
                body,
                "No channels",
                "No announcement channels are configured (PARTNERBOT_ANNOUNCE_CHANNELS).",
            )
            return
        self.announcer.allow("open", user, "slack")
        # no origin: the outcome goes to the author by direct message, as from any place without a channel
        self._open(client, body, announce_views.form_view(self.settings.announce_channels, None))

    def _list_announcements(self, body: dict[str, Any], client: WebClient) -> None:
        try:
            self.announcer.authorise("list", body["user"]["id"])
        except AnnouncementError as exc:
            self._notice(client, body, "Not allowed", str(exc))
            return
        self._open(client, body, home.listing_view(self.services.announcements(limit=home.LISTED)))

    # -- helpers ---------------------------------------------------------------------------------

    def _live_announcements(self) -> list[Announcement] | None:
        try:
            return home.live(self.services.announcements(limit=50))
        except SQLAlchemyError as exc:
            log.warning(
                "the Home tab shows no announcements: the state store failed (%s)", type(exc).__name__
            )
            return None

    def _this_week(self) -> Report | None:
        try:
            return build_report(self.services, datetime.now(UTC) - WEEK)
        except SQLAlchemyError as exc:
            log.warning("the Home tab shows no figures: the state store failed (%s)", type(exc).__name__)
            return None

    def _notice(self, client: WebClient, body: dict[str, Any], title: str, text: str) -> None:
        self._open(client, body, announce_views.notice_view(title, text))

    def _open(self, client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except SLACK_ERRORS as exc:  # e.g. the trigger expired (3 s)
            log.warning("could not open a view for %s: %s", body["user"]["id"], describe(exc))


def register(app: App, bot: SlackBot) -> None:
    # built as the announce listener builds its own: the same membership rules, audited the same way
    tab = HomeTab(bot, Announcer.from_settings(bot.services))

    def ack_now(ack: Ack) -> None:
        ack()

    app.event("app_home_opened")(ack=ack_now, lazy=[tab.opened])
    app.action(home.NEW_ANNOUNCEMENT)(ack=ack_now, lazy=[tab.new_announcement])
    app.action(home.LIST_ANNOUNCEMENTS)(ack=ack_now, lazy=[tab.list_announcements])
    app.action(home.OPEN_WEB)(ack_now)  # Slack opens the link itself; the click only needs its ack
