"""What the bot remembers between Slack requests: messages already taken, threads it answered in.

Slack retries an event it thinks was lost (X-Slack-Retry-Num) and delivers a mention twice, as
`app_mention` and as `message`; both carry the message's channel and ts, so (channel, ts) is the
key that makes one answer. In memory, bounded and expiring; replicas are kept apart by the 👀
reaction claim in `delivery.claim` (Slack refuses the second identical reaction).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class Seen:
    """A bounded, expiring set with an atomic test-and-add."""

    def __init__(self, ttl_s: float = 3600.0, size: int = 20_000) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self._keys: OrderedDict[tuple[str, ...], float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, *key: str) -> bool:
        """True the first time `key` is added (within the ttl), False after."""
        now = time.monotonic()
        with self._lock:
            while self._keys and (len(self._keys) >= self.size or next(iter(self._keys.values())) < now):
                self._keys.popitem(last=False)
            if key in self._keys:
                return False
            self._keys[key] = now + self.ttl_s
            return True

    def __contains__(self, key: tuple[str, ...]) -> bool:
        with self._lock:
            expiry = self._keys.get(key)
            return expiry is not None and expiry >= time.monotonic()


def message_key(event: dict) -> tuple[str, str]:
    """(channel, ts) of the message an event is about; client_msg_id when Slack gives no ts."""
    channel = event.get("channel") or ""
    ts = event.get("ts") or event.get("event_ts") or event.get("client_msg_id") or ""
    return channel, ts
