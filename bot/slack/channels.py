"""Per-channel behaviour from a YAML file: when to answer, where to answer, whether to speak at all.

    default:                 # every channel and DM not listed below
      answer: mentions       # mentions | questions (every top-level message that asks something)
      reply: thread          # thread | private (only the asker sees it)
      enabled: true          # false: the bot does not answer there (the asker is told where it does)
      external: false        # true: answer people from other organisations too (public documents only)
    channels:
      C0123ABCDEF: {answer: questions}
      C0456GHIJKL: {enabled: false}
      C0789SHARED: {external: true}

Keys are channel ids (C…, G… or D…), because names change. Anything else is a `ChannelConfigError`
at start-up naming the file and the entry: a silent bot is worse than one that refuses to start.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from config.errors import ConfigError

CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")


class ChannelConfigError(ConfigError):
    """The per-channel file (PARTNERBOT_SLACK_CHANNELS_FILE) cannot be used."""


class ChannelRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    answer: Literal["mentions", "questions"] = "mentions"
    reply: Literal["thread", "private"] = "thread"
    enabled: bool = True
    # People from other organisations (Slack Connect) are answered only where this is true, and from
    # `public` documents only; elsewhere they are told so privately.
    external: bool = False


EXTERNAL_NOTE = (
    "Sorry, in this channel I answer only members of the cluster's own Slack workspace, not people "
    "from other organisations."
)


class ChannelPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default: ChannelRule = ChannelRule()
    channels: dict[str, ChannelRule] = {}

    def rule(self, channel: str | None) -> ChannelRule:
        return self.channels.get(channel or "", self.default)

    def elsewhere(self) -> str:
        """The private note to someone asking where the bot is switched off: where it does answer
        (channel ids are checked at load, so `<#…>` is safe mrkdwn)."""
        listed = [f"<#{c}>" for c, r in self.channels.items() if r.enabled and not c.startswith("D")]
        if self.default.enabled:
            places = "in a direct message, or in " + (
                f"another channel I'm in, such as {', '.join(listed)}" if listed else "another channel I'm in"
            )
        elif listed:
            places = "in " + ", ".join(listed)
        else:
            return "I don't answer in this channel."
        return f"I don't answer in this channel. Ask me {places}."


def load_policy(path: Path | None) -> ChannelPolicy:
    """The policy in `path`, or the defaults when no file is configured."""
    if path is None:
        return ChannelPolicy()
    where = f"Slack channel config {path}"
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ChannelConfigError(f"{where} does not exist (PARTNERBOT_SLACK_CHANNELS_FILE)") from None
    except yaml.YAMLError as exc:
        raise ChannelConfigError(f"{where} is not valid YAML: {exc}") from None
    data = data or {}
    if not isinstance(data, dict):
        raise ChannelConfigError(f"{where} must be a mapping with 'default' and/or 'channels'")
    channels = data.get("channels") or {}
    if not isinstance(channels, dict):
        raise ChannelConfigError(f"{where}: 'channels' must map channel ids to settings")
    for key in channels:
        if not CHANNEL_ID.match(str(key)):
            raise ChannelConfigError(
                f"{where}: channel {key!r} is not a channel id; use the id (like C0123ABCDEF) shown at "
                "the bottom of the channel's details in Slack, not its name"
            )
    try:
        return ChannelPolicy.model_validate(
            {**data, "channels": {str(k): v or {} for k, v in channels.items()}}
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ChannelConfigError(f"{where}: {problems}") from None
