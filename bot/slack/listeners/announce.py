"""/announce: the communications group's form → preview → one post per channel; retry; withdraw.

`/announce` opens the form, `/announce list` shows recent ones, `/announce withdraw ID` takes one back.
Every step checks membership again (a form opened by a member may be submitted after they left), and
each refusal is private and audited. Slack can deliver a submission twice; the record is keyed by the
view id and each channel's post is claimed once, so it posts once.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.announce.draft import AnnouncementError, make_draft
from bot.announce.service import Announcer, Outcome
from bot.services import Services
from bot.slack import announce_views as views
from bot.slack.blocks import STORE_UNAVAILABLE
from bot.slack.client import SLACK_ERRORS
from bot.slack.context import SlackBot
from bot.state import record_number
from bot.state.models import AnnouncementStatus

log = logging.getLogger(__name__)
USAGE = (
    "Use `{cmd}` to write an announcement, `{cmd} list` to see recent ones, "
    "`{cmd} withdraw ID` to take one back."
)


class AnnounceFlow:
    def __init__(self, services: Services, announcer: Announcer) -> None:
        self.services = services
        self.settings = services.settings
        self.announcer = announcer

    def guard(self, handler: Callable[..., None]) -> Callable[..., None]:
        """`handler` refused whole while the state store is down, with a message to act on: an
        announcement cannot wait, and no step of one may be half done or fail in silence."""

        @functools.wraps(handler)  # bolt reads the handler's own arguments through the wrapper
        def guarded(**kwargs: Any) -> None:
            try:
                handler(**kwargs)
            except SQLAlchemyError as exc:
                log.error("an announcement step was refused: the state store failed (%s)", type(exc).__name__)
                self._refuse(kwargs["ack"], kwargs["body"])

        return guarded

    def _refuse(self, ack: Ack, body: dict[str, Any]) -> None:
        acked = ack.response is not None
        if not acked and body.get("type") == "view_submission":
            ack(response_action="update", view=views.notice_view("Not done", STORE_UNAVAILABLE))
            return
        if not acked and body.get("command"):
            ack(text=STORE_UNAVAILABLE)  # seen only by whoever typed the command
            return
        if not acked:
            ack()
        user = body.get("user_id") or (body.get("user") or {}).get("id")
        channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
        self._say(self.announcer.client, user, channel, STORE_UNAVAILABLE)

    # -- the slash command ---------------------------------------------------------------------

    def command(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        user, origin = body.get("user_id"), body.get("channel_id")
        words = (body.get("text") or "").split()
        action = words[0].lower() if words else "open"
        try:
            self.announcer.authorise(action if action in ("withdraw", "list") else "open", user)
        except AnnouncementError as exc:
            ack(text=str(exc))  # the reply to a slash command is seen only by whoever typed it
            return
        if action == "list":
            ack(text=self._listing())
        elif action == "withdraw":
            target = record_number(words[1]) if len(words) == 2 else None
            if target is None:
                ack(
                    text=f"Say which one: `{self.settings.announce_command} withdraw 12` (ids are in `list`)."
                )
                return
            ack(text=f"Withdrawing announcement {words[1]}…")
            self._withdraw(client, user, origin, target)
        elif action == "open" and not words:
            if not self.settings.announce_channels:
                ack(text="No announcement channels are configured (PARTNERBOT_ANNOUNCE_CHANNELS).")
                return
            ack()
            self.announcer.allow("open", user or "?", "slack")
            client.views_open(
                trigger_id=body["trigger_id"], view=views.form_view(self.settings.announce_channels, origin)
            )
        else:
            ack(text=USAGE.format(cmd=self.settings.announce_command))

    # -- the modal -----------------------------------------------------------------------------

    def form_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        try:
            self.announcer.authorise("announce", user)
            draft = make_draft(self.settings, views.read_form(view["state"]["values"]))
        except AnnouncementError as exc:
            ack(response_action="errors", errors=views.field_errors(exc.fields or {"title": str(exc)}))
            return
        row, _ = self.announcer.prepare(
            draft,
            key=f"slack:{view['id']}",
            source="slack",
            author_id=user,
            author_name=body["user"].get("name") or user,
            status=AnnouncementStatus.DRAFT,
        )
        origin = json.loads(view.get("private_metadata") or "{}").get("origin")
        ack(response_action="update", view=views.preview_view(row, self.settings.announce_channels, origin))

    def preview_submitted(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        user = body["user"]["id"]
        meta = json.loads(view.get("private_metadata") or "{}")
        try:
            self.announcer.authorise("announce", user, target=meta.get("id"))
        except AnnouncementError as exc:
            ack(response_action="update", view=views.notice_view("Not posted", str(exc)))
            return
        ack()  # closes the modal; posting may take a few seconds
        outcome = self.announcer.publish(int(meta["id"]), actor=user, source="slack")
        self._tell(client, user, meta.get("origin"), outcome)

    # -- buttons on the author's confirmation ----------------------------------------------------

    def retry_clicked(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        user, target = body["user"]["id"], int(body["actions"][0]["value"])  # read before the ack
        ack()
        channel = (body.get("channel") or {}).get("id")
        try:
            self.announcer.authorise("retry", user, target=target)
        except AnnouncementError as exc:
            self._say(client, user, channel, str(exc))
            return
        self.announcer.allow("retry", user, "slack", target)
        self._tell(client, user, channel, self.announcer.deliver(target))

    def withdraw_clicked(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        user, target = body["user"]["id"], int(body["actions"][0]["value"])  # read before the ack
        ack()
        channel = (body.get("channel") or {}).get("id")
        try:
            self.announcer.authorise("withdraw", user, target=target)
        except AnnouncementError as exc:
            self._say(client, user, channel, str(exc))
            return
        self._withdraw(client, user, channel, target)

    # -- helpers ---------------------------------------------------------------------------------

    def _withdraw(self, client: WebClient, user: str | None, channel: str | None, target: int) -> None:
        try:
            outcome = self.announcer.withdraw(target, actor=user or "?", source="slack")
        except AnnouncementError as exc:
            self._say(client, user, channel, str(exc))
            return
        text = f"Announcement {target} withdrawn: its posts are deleted and it is no longer cited."
        if outcome.failed:
            text += " Could not delete: " + ", ".join(f"{c} ({e})" for c, e in outcome.failed.items())
        self._say(client, user, channel, text)

    def _listing(self) -> str:
        rows = self.services.announcements(limit=10)
        if not rows:
            return "No announcements yet."
        return "\n".join(views.listing_line(r) for r in rows)

    def _tell(self, client: WebClient, user: str, channel: str | None, outcome: Outcome) -> None:
        text, blocks = views.result_blocks(outcome, self.settings.announce_channels)
        self._say(client, user, channel, text, blocks)

    def _say(
        self, client: WebClient, user: str | None, channel: str | None, text: str, blocks: list | None = None
    ) -> None:
        """A private message: ephemeral where the author is (else, or if that fails, a DM from the app)."""
        if not user:
            return
        if channel:
            try:
                client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
                return
            except SLACK_ERRORS as exc:  # e.g. the app is not in that channel
                log.info("ephemeral to %s in %s failed (%s); sending a DM", user, channel, exc)
        try:
            client.chat_postMessage(channel=user, text=text, blocks=blocks)
        except SLACK_ERRORS as exc:
            log.warning("could not tell %s: %s", user, exc)


def register(app: App, bot: SlackBot) -> None:
    services = bot.services
    flow = AnnounceFlow(services, Announcer.from_settings(services))  # its own client: no connection retries
    app.command(services.settings.announce_command)(flow.guard(flow.command))
    app.view(views.FORM)(flow.guard(flow.form_submitted))
    app.view(views.PREVIEW)(flow.guard(flow.preview_submitted))
    app.action(views.RETRY)(flow.guard(flow.retry_clicked))
    app.action(views.WITHDRAW)(flow.guard(flow.withdraw_clicked))
    # posts left unfinished by a crash or an outage are completed at start (claims keep them single)
    threading.Thread(target=flow.announcer.resume_quietly, name="announce-resume", daemon=True).start()
