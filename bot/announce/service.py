"""Announcer: the one path from a checked Draft to Slack posts and an indexed document.

Order of work, so that a crash or a failed call never loses or repeats a post:
1. write the record and one row per channel (idempotent on `key`);
2. claim each unposted row, post (with metadata naming the announcement), store ts and permalink
   right away; a row tried before is first looked for in the channel (`_earlier_post`);
3. index the document once a post exists (the permalink is its source link).
Running `deliver` again completes what is left and repeats nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from slack_sdk import WebClient

from bot.announce import render
from bot.announce.access import CommsGroup
from bot.announce.draft import AnnouncementError, Draft
from bot.services import Services
from bot.slack.client import SLACK_ERRORS, describe, error_code, web_client
from bot.state import announcements as store
from bot.state.db import Database
from bot.state.models import Announcement, AnnouncementStatus, PostStatus, now
from corpus.documents import from_text

log = logging.getLogger(__name__)
ORGANISATION = "West Yorkshire healthtech cluster"
LOOKUP_PAGE = 200  # messages per conversations.history page when looking for an earlier post
LOOKUP_PAGES = 5  # pages read at most; a busier channel is "could not check", never "not there"
LOOKUP_SLACK_S = 60  # history is read from this long before the record was written (clock skew)


class Unchecked(Exception):
    """Whether an earlier attempt reached a channel could not be found out."""


@dataclass
class Outcome:
    announcement: Announcement
    created: bool = True
    failed: dict[str, str] = field(default_factory=dict)  # channel -> error, for this delivery

    @property
    def posted(self) -> list[str]:
        return [p.channel for p in self.announcement.posts if p.status == PostStatus.POSTED]


class Announcer:
    def __init__(self, services: Services, client: WebClient, group: CommsGroup | None = None) -> None:
        self.services = services
        self.client = client
        self.group = group or CommsGroup(services.settings, client)
        self._me: tuple[str | None, str | None] | None = None  # see _identity

    @property
    def db(self) -> Database:
        return self.services.db  # the one state store, whichever the services hold now

    @classmethod
    def from_settings(cls, services: Services) -> Announcer:
        """An Announcer posting with the configured bot token (for the API and the CLI)."""
        return cls(services, web_client(services.settings, retry_connections=False))

    # -- who may ------------------------------------------------------------------------------

    def authorise(
        self, action: str, user_id: str | None, *, source: str = "slack", target: int | None = None
    ) -> None:
        """Raise (and audit) when a Slack user is not in the communications group."""
        reason = self.group.check(user_id)
        if reason:
            self.services.audit(
                action, user_id or "?", source, allowed=False, reason=reason, announcement_id=target
            )
            raise AnnouncementError(
                "Only the communications group can do this. Ask them to post it, or to add you "
                "to their Slack user group."
            )

    def allow(
        self, action: str, actor: str, source: str, target: int | None = None, reason: str | None = None
    ) -> None:
        self.services.audit(action, actor, source, allowed=True, reason=reason, announcement_id=target)

    # -- announcing ---------------------------------------------------------------------------

    def prepare(
        self,
        draft: Draft,
        *,
        key: str,
        source: str,
        author_id: str | None,
        author_name: str,
        status: AnnouncementStatus,
    ) -> tuple[Announcement, bool]:
        """Write the record and its channel rows (status "draft" while a Slack preview is open)."""
        return store.create(
            self.db,
            key=key,
            source=source,
            author_id=author_id,
            author_name=author_name,
            title=draft.title,
            body=draft.body,
            link=draft.link,
            expires=draft.expires,
            channels=draft.channels,
            status=status,
        )

    def publish(
        self, announcement_id: int, *, actor: str, source: str, repeated: bool | None = None
    ) -> Outcome:
        """Post a prepared announcement. The caller has authorised `actor`.

        A draft is released once; `repeated` (by default: it was released already) marks a submission
        delivered again, which is audited but posts nothing new.
        """
        released = store.set_status(
            self.db, announcement_id, AnnouncementStatus.PENDING, only_from=AnnouncementStatus.DRAFT
        )
        repeated = not released if repeated is None else repeated
        self.allow("announce", actor, source, announcement_id, "repeated submission" if repeated else None)
        return self.deliver(announcement_id)

    def announce(
        self, draft: Draft, *, key: str, source: str, actor: str, author_id: str | None, author_name: str
    ) -> Outcome:
        """Record, then post once per channel (the API's path: no preview)."""
        row, created = self.prepare(
            draft,
            key=key,
            source=source,
            author_id=author_id,
            author_name=author_name,
            status=AnnouncementStatus.PENDING,
        )
        outcome = self.publish(row.id, actor=actor, source=source, repeated=not created)
        outcome.created = created
        return outcome

    def deliver(self, announcement_id: int) -> Outcome:
        """Post to every channel not posted yet, then index. Safe to call any number of times."""
        row = self._get(announcement_id)
        failed: dict[str, str] = {}
        if row.status in (AnnouncementStatus.WITHDRAWN, AnnouncementStatus.DRAFT):
            return Outcome(row, failed=failed)
        for post in row.posts:
            if post.status == PostStatus.POSTED and post.ts and post.permalink is None:
                self._fetch_permalink(post.id, post.channel, post.ts)
            earlier = store.claim(self.db, post.id)
            if earlier is None:
                continue
            error = self._post(row, post.id, post.channel, checked=earlier == 0)
            if error:
                failed[post.channel] = error
                store.set_post(self.db, post.id, status=PostStatus.FAILED, error=error)
                log.warning("announcement %s: posting to %s failed: %s", row.id, post.channel, error)
        store.refresh_status(self.db, announcement_id)
        row = self._get(announcement_id)
        if row.status != AnnouncementStatus.WITHDRAWN and any(
            p.status == PostStatus.POSTED for p in row.posts
        ):
            self._index(row)
        return Outcome(row, failed=failed)

    def resume(self) -> list[Outcome]:
        """Complete every announcement left half-posted (after a restart or a Slack outage), and put
        back in the index any posted one it lacks (an index rebuilt in a new data folder)."""
        for row in self.services.announcements(limit=10_000):
            if (
                row.status in (AnnouncementStatus.PUBLISHED, AnnouncementStatus.PARTIAL)
                and row.doc_id not in self.services.index.registry
            ):
                self._index(row)
        return [self.deliver(i) for i in store.unfinished(self.db)]

    def resume_quietly(self) -> None:
        """`resume` for a start-up thread: a failure is logged, never raised."""
        try:
            for outcome in self.resume():
                log.info("announcement %s resumed: %s", outcome.announcement.id, outcome.announcement.status)
        except Exception:  # a background start-up task must log, not die silently
            log.exception(
                "resuming unfinished announcements failed; `partnerbot announcements retry` retries"
            )

    # -- withdrawing --------------------------------------------------------------------------

    def withdraw(self, announcement_id: int, *, actor: str, source: str) -> Outcome:
        """Delete the posts, drop the document from the index; the record stays, marked withdrawn."""
        row = self._get(announcement_id)
        self.allow("withdraw", actor, source, row.id)
        store.set_status(
            self.db, row.id, AnnouncementStatus.WITHDRAWN, withdrawn_at=now(), withdrawn_by=actor
        )
        self.services.index.remove_document(row.doc_id)
        failed: dict[str, str] = {}
        for post in row.posts:
            if post.status == PostStatus.POSTING:
                failed[post.channel] = "a post was in flight; run withdraw again in a minute"
            if post.status != PostStatus.POSTED or not post.ts:
                continue
            try:
                self.client.chat_delete(channel=post.channel, ts=post.ts)
            except SLACK_ERRORS as exc:
                error = describe(exc)
                if not error.startswith("message_not_found"):
                    failed[post.channel] = error
                    store.set_post(self.db, post.id, error=error)
                    continue
            store.set_post(self.db, post.id, status=PostStatus.DELETED, error=None)
        return Outcome(self._get(announcement_id), failed=failed)

    # -- helpers ------------------------------------------------------------------------------

    def _get(self, announcement_id: int) -> Announcement:
        row = self.services.announcement(announcement_id)
        if row is None:
            raise AnnouncementError(
                f"there is no announcement {announcement_id}; `partnerbot announcements list`"
            )
        return row

    def _post(self, row: Announcement, post_id: int, channel: str, *, checked: bool) -> str | None:
        """Post to one claimed channel and record it; the error when it failed.

        `checked` is False when an earlier attempt was made (a crashed worker's claim taken over, or
        a failure that may have come after Slack posted, such as a dropped connection). Slack may then
        hold the post already, so it is looked for by its metadata before posting again; when the
        channel cannot be read, nothing is posted: a post missing until a retry beats a post twice.
        """
        if not checked:
            try:
                ts = self._earlier_post(row, channel)
            except (*SLACK_ERRORS, Unchecked) as exc:
                return _unchecked(row.id, exc)
            if ts:
                log.info("announcement %s: the earlier post in %s was found (%s)", row.id, channel, ts)
                store.set_post(self.db, post_id, status=PostStatus.POSTED, ts=ts, error=None)
                self._fetch_permalink(post_id, channel, ts)
                return None
        try:
            response = self.client.chat_postMessage(
                channel=channel,
                text=render.post_text(row),
                blocks=render.post_blocks(row),
                metadata=render.post_metadata(row),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SLACK_ERRORS as exc:
            return describe(exc)
        store.set_post(self.db, post_id, status=PostStatus.POSTED, ts=response["ts"], error=None)
        self._fetch_permalink(post_id, channel, response["ts"])
        return None

    def _earlier_post(self, row: Announcement, channel: str) -> str | None:
        """The ts of this bot's post of `row` in `channel` (found by its metadata), or None.

        Reads the channel's history since the record was written; raises Unchecked when the history
        is longer than it reads, and Slack's errors (not_in_channel, missing_scope…) as they come.
        """
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        oldest = f"{created.timestamp() - LOOKUP_SLACK_S:.6f}"
        me = self._identity()
        cursor: str | None = None
        for _ in range(LOOKUP_PAGES):
            page = self.client.conversations_history(
                channel=channel, oldest=oldest, include_all_metadata=True, limit=LOOKUP_PAGE, cursor=cursor
            )
            for message in page.get("messages") or []:
                if _is_post_of(message, row.id, me):
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or not cursor:
                return None
        raise Unchecked(f"more than {LOOKUP_PAGES * LOOKUP_PAGE} messages since it was written")

    def _identity(self) -> tuple[str | None, str | None]:
        """The bot's user id and bot id (one auth.test per Announcer): whose posts count as ours."""
        if self._me is None:
            answer = self.client.auth_test()
            self._me = (answer.get("user_id"), answer.get("bot_id"))
        return self._me

    def _fetch_permalink(self, post_id: int, channel: str, ts: str) -> None:
        try:
            link = self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        except (*SLACK_ERRORS, KeyError) as exc:  # kept for the next deliver(); the post itself stands
            log.warning("chat.getPermalink failed for %s %s: %s", channel, ts, exc)
            return
        store.set_post(self.db, post_id, permalink=link)

    def _index(self, row: Announcement) -> None:
        permalinks = [p.permalink for p in row.posts if p.status == PostStatus.POSTED and p.permalink]
        loaded = from_text(
            row.doc_id,
            row.title,
            render.document_body(row),
            kind="announcement",
            origin="announcement",
            published=row.created_at.date().isoformat(),
            source_url=permalinks[0] if permalinks else row.link,
            expires=row.expires.isoformat() if row.expires else None,
            organisation=ORGANISATION,
            author=row.author_name,
        )
        self.services.index.add_document(loaded)  # a version already indexed costs nothing


def _is_post_of(message: dict[str, Any], announcement_id: int, me: tuple[str | None, str | None]) -> bool:
    """A message carrying this announcement's metadata, posted by this bot (when Slack said who it is:
    another app could write the same metadata, a person cannot)."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    user, bot_id = me
    return (
        metadata.get("event_type") == render.METADATA_EVENT
        and str(payload.get("announcement_id")) == str(announcement_id)
        and (
            not (user or bot_id)
            or bool(user and message.get("user") == user)
            or bool(bot_id and message.get("bot_id") == bot_id)
        )
    )


HINTS = {
    "missing_scope": "the bot token needs channels:history (groups:history for a private channel)",
    "not_in_channel": "invite the app to the channel",
    "channel_not_found": "invite the app to the channel",
}


def _unchecked(announcement_id: int, exc: BaseException) -> str:
    """The error kept on a row not posted because its earlier attempt could not be looked for."""
    reason, code = (str(exc), None) if isinstance(exc, Unchecked) else (describe(exc), error_code(exc))
    hint = f"; {HINTS[code]}" if code in HINTS else ""
    return (
        f"not posted: an earlier attempt may have reached Slack and the channel could not be checked "
        f"({reason}{hint}); run `partnerbot announcements retry {announcement_id}` (or Retry) to look "
        "again and post if it is missing"
    )[:500]
