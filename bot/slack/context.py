"""What every listener shares: the services, the channel policy, rights and the bot's short memory."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.services import Services
from bot.slack.channels import ChannelPolicy
from bot.slack.client import probe
from bot.slack.memory import Seen
from bot.slack.rights import Rights
from config.errors import ConfigError
from config.settings import Settings
from retrieval.answer import Answer

PROBE_EVERY_S = 30.0


class RecentAnswers:
    """The last answers by question-log id, so Share re-posts exactly what the asker saw."""

    def __init__(self, size: int = 500) -> None:
        self.size = size
        self._answers: OrderedDict[int, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, question_id: int, answer: Answer) -> None:
        with self._lock:
            self._answers[question_id] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def get(self, question_id: int) -> Answer | None:
        with self._lock:
            return self._answers.get(question_id)


@dataclass
class SlackBot:
    services: Services
    policy: ChannelPolicy
    rights: Rights  # who may read what, from Slack
    seen: Seen = field(default_factory=Seen)  # (channel, ts) of messages already taken
    threads: Seen = field(default_factory=lambda: Seen(ttl_s=7 * 86400))  # (channel, root) answered in
    answers: RecentAnswers = field(default_factory=RecentAnswers)
    stopped: str | None = None  # why Slack work stopped (the app was uninstalled, its token revoked)
    _probed: tuple[float, str | None] = (-PROBE_EVERY_S, None)  # (when, what was wrong)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def unreachable(self) -> str | None:
        """Why Slack cannot be used now, None when it can; asked at most every 30 s (/readyz is
        polled, Slack must not be)."""
        if self.stopped:
            return self.stopped
        when, problem = self._probed
        if time.monotonic() - when >= PROBE_EVERY_S:
            try:
                problem = probe(self.settings)
            except ConfigError as exc:  # the token was revoked since start-up
                problem = str(exc)
            self._probed = (time.monotonic(), problem)
        return problem
