"""Who may announce: configured Slack user ids and/or the members of a Slack user group.

The group's members are read with usergroups.users.list and cached for `comms_cache_s`, so a busy
hour does not call Slack on every click; when Slack cannot be read the last list is used, and with
no list at all the answer is no (closed, not open).
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.slack.rights import Kept
from config.settings import Settings


class CommsGroup:
    def __init__(self, settings: Settings, client: WebClient | None) -> None:
        self.user_ids = set(settings.comms_user_ids)
        self.usergroup = settings.comms_usergroup
        self.client = client
        self._members: Kept[set[str]] = Kept("usergroups.users.list", settings.comms_cache_s)

    def check(self, user_id: str | None) -> str | None:
        """None when the user may announce, else the reason they may not (for the audit log)."""
        if not user_id:
            return "no user"
        if user_id in self.user_ids:
            return None
        if not self.usergroup:
            return "not in PARTNERBOT_COMMS_USER_IDS"
        members = self._group_members(self.usergroup)
        if members is None:
            return f"could not read the user group {self.usergroup} from Slack"
        return None if user_id in members else f"not a member of the user group {self.usergroup}"

    def _group_members(self, usergroup: str) -> set[str] | None:
        client = self.client
        if client is None:
            return None
        return self._members.get(
            usergroup, lambda: set(client.usergroups_users_list(usergroup=usergroup).get("users") or [])
        )
