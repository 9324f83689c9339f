"""Who may announce: configured Slack user ids and/or the members of a Slack user group.

The group's members are read with usergroups.users.list and cached for `comms_cache_s`, so a busy
hour does not call Slack on every click; when Slack cannot be read the last list is used, and with
no list at all the answer is no (closed, not open).
"""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient

from bot.slack.client import SLACK_ERRORS
from config.settings import Settings

log = logging.getLogger(__name__)


class CommsGroup:
    def __init__(self, settings: Settings, client: WebClient | None) -> None:
        self.user_ids = set(settings.comms_user_ids)
        self.usergroup = settings.comms_usergroup
        self.ttl = settings.comms_cache_s
        self.client = client
        self._members: set[str] | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def check(self, user_id: str | None) -> str | None:
        """None when the user may announce, else the reason they may not (for the audit log)."""
        if not user_id:
            return "no user"
        if user_id in self.user_ids:
            return None
        if not self.usergroup:
            return "not in PARTNERBOT_COMMS_USER_IDS"
        members = self._group_members()
        if members is None:
            return f"could not read the user group {self.usergroup} from Slack"
        return None if user_id in members else f"not a member of the user group {self.usergroup}"

    def _group_members(self) -> set[str] | None:
        with self._lock:
            if self._members is not None and time.monotonic() - self._read_at < self.ttl:
                return self._members
            if self.client is None or not self.usergroup:
                return self._members
            try:
                response = self.client.usergroups_users_list(usergroup=self.usergroup)
                self._members = set(response.get("users") or [])
                self._read_at = time.monotonic()
            except SLACK_ERRORS as exc:
                log.warning("usergroups.users.list failed for %s: %s", self.usergroup, exc)
            return self._members
