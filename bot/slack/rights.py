"""Who an answer in Slack is for, worked out from Slack (issue 11).

A member of the workspace reads `partners` documents, and the `internal` ones whose readers (a user
group S…, or a channel C…/G…) they belong to; someone from another organisation, met in a Slack
Connect channel, reads `public` ones only. An answer posted in a channel is for everyone in it: a
channel shared with another organisation shows public documents only, and an internal document
shows only where its readers name the channel or take in every member of it.

Slack's answers are kept `comms_cache_s` seconds, as the communications group's are. When Slack
cannot be read, rights shrink, never grow: the last answer read is used, else an asker counts as the
public (a member without groups when the request itself names the app's workspace as theirs), a
channel as public and a group as not joined; each is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any, Generic, TypeVar

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.services import Services
from bot.slack.client import SLACK_ERRORS, describe
from retrieval.access import PARTNERS, PUBLIC, Access

log = logging.getLogger(__name__)
T = TypeVar("T")
KEPT = 10_000  # Slack answers remembered per kind: a workspace's users and channels
PAGE = 1000  # conversations.members' largest page


class Kept(Generic[T]):
    """Slack's answers by key for `ttl` seconds; the last one read when Slack cannot be read now."""

    def __init__(self, what: str, ttl: float) -> None:
        self.what = what
        self.ttl = ttl
        self._values: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, read: Callable[[], T]) -> T | None:
        with self._lock:
            kept = self._values.get(key)
        if kept is not None and time.monotonic() - kept[0] < self.ttl:
            return kept[1]
        try:  # read outside the lock: one slow call must not hold up every other asker
            value = read()
        except SLACK_ERRORS as exc:
            log.warning(
                "%s failed for %s (%s): %s",
                self.what,
                key,
                describe(exc),
                "using what was read before" if kept else "counted as unknown",
            )
            return kept[1] if kept else None
        with self._lock:
            self._values[key] = (time.monotonic(), value)
            self._values.move_to_end(key)
            while len(self._values) > KEPT:
                self._values.popitem(last=False)
        return value


@dataclass(frozen=True)
class Asker:
    """What the asker may read, and whether the channel's `external` setting applies to them."""

    access: Access
    external: bool = False  # known to be from another organisation: answered only where a channel allows


class Rights:
    """The rights of askers and channels, read from Slack with `client`; held by `SlackBot`.

    Methods take the request's bolt `context`: the app's own workspace (`team_id`) tells members from
    outsiders, and the bot (`bot_user_id`) is not counted among a channel's members.
    """

    def __init__(self, client: WebClient, services: Services) -> None:
        self.client = client
        self.services = services
        ttl = services.settings.comms_cache_s
        self._users: Kept[dict[str, Any]] = Kept("users.info", ttl)
        self._channels: Kept[dict[str, Any]] = Kept("conversations.info", ttl)
        self._members: Kept[frozenset[str]] = Kept("reading members", ttl)

    # -- people ------------------------------------------------------------------------------------

    def of_user(self, user: str | None, team: str | None, context: BoltContext) -> Asker:
        """`team`: the asker's workspace as the request names it (event `user_team`, a click's
        `user.team_id`), None where it names none."""
        home = context.team_id
        if not user:
            return Asker(PUBLIC)
        if team and home and team != home:
            return Asker(PUBLIC, external=True)
        profile = self._users.get(user, lambda: self.client.users_info(user=user)["user"])
        if profile is None:
            trusted = bool(team and team == home)
            log.warning("answering %s as %s", user, "a member without groups" if trusted else "the public")
            return Asker(PARTNERS if trusted else PUBLIC)
        if profile.get("is_stranger") or (home and profile.get("team_id") not in (None, home)):
            return Asker(PUBLIC, external=True)
        joined = frozenset(r for r in self.readers() if user in (self._members_of(r) or ()))
        return Asker(Access(partner=True, groups=joined))

    # -- places ------------------------------------------------------------------------------------

    def of_channel(self, channel: str, context: BoltContext) -> Access:
        """What everyone in `channel` may see: a DM its person's rights, a group DM what all its
        members may see, a channel shared with another organisation public documents only."""
        info = self._channels.get(channel, lambda: self.client.conversations_info(channel=channel)["channel"])
        if info is None:
            return PUBLIC
        if info.get("is_im"):
            return self.of_user(info.get("user"), None, context).access
        if info.get("is_mpim"):
            rights = [self.of_user(m, None, context).access for m in self._people_in(channel, context)]
            return reduce(Access.__and__, rights) if rights else PUBLIC
        if _shared_outside(info):
            return PUBLIC
        readers = self.readers()
        groups = {channel} & readers
        if (others := readers - groups) and (members := self._people_in(channel, context)):
            groups |= {r for r in others if members <= (self._members_of(r) or frozenset())}
        return Access(partner=True, groups=frozenset(groups))

    def audience(self, channel: str, asker: Access, context: BoltContext) -> Access:
        """What an answer posted in `channel` for `asker` may show: only what both the asker and
        everyone in the channel may see. In a DM (`D…`) that is the asker's own."""
        return asker if channel.startswith("D") else self.of_channel(channel, context) & asker

    # -- documents ---------------------------------------------------------------------------------

    def readers(self) -> frozenset[str]:
        """Every user group and channel some indexed document names as its readers."""
        return frozenset(r for d, _ in self.services.index.documents() for r in d.readers)

    def hidden(self, doc_ids: Iterable[str], access: Access) -> list[str]:
        """Those of `doc_ids` that `access` may not read; a document no longer indexed among them
        (who may read it is no longer known)."""
        allowed = {d.doc_id for d, _ in self.services.index.documents() if access.allows(d)}
        return [i for i in dict.fromkeys(doc_ids) if i not in allowed]

    def _people_in(self, channel: str, context: BoltContext) -> frozenset[str]:
        """The channel's members but the bot; empty when unread (no group is then sure to take in
        everyone)."""
        return (self._members_of(channel) or frozenset()) - {context.bot_user_id}

    def _members_of(self, reader: str) -> frozenset[str] | None:
        """The members of a user group (S…) or channel; None when Slack cannot say."""
        if reader.startswith("S"):
            return self._members.get(
                reader, lambda: frozenset(self.client.usergroups_users_list(usergroup=reader)["users"])
            )
        return self._members.get(reader, lambda: self._channel_members(reader))

    def _channel_members(self, channel: str) -> frozenset[str]:
        members: set[str] = set()
        cursor = None
        while True:
            page = self.client.conversations_members(channel=channel, limit=PAGE, cursor=cursor)
            members.update(page["members"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return frozenset(members)


def _shared_outside(info: dict[str, Any]) -> bool:
    """Shared with another organisation, or on its way to be (Slack Connect); a channel shared only
    between an Enterprise Grid organisation's own workspaces is not."""
    return bool(
        info.get("is_ext_shared")
        or info.get("is_pending_ext_shared")
        or (info.get("is_shared") and not info.get("is_org_shared"))
    )
