"""A sliding window per key: at most `limit` events a window, then a wait until the oldest leaves it.

Used for failed bearer tokens (per address: guessing costs a minute per ten tries, and the audit log
gets one row per refusal allowed, not one per guess) and for questions (per person or address).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

WINDOW_S = 60.0
CLIENTS = 10_000  # clients remembered at once: the oldest are forgotten first


class Throttle:
    def __init__(
        self, limit: int, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> float:
        """Seconds this client must wait before its next try; 0 when it may try now (always, with
        a limit of 0)."""
        if self.limit <= 0:
            return 0.0
        with self._lock:
            recent = self._recent(client)
            if len(recent) < self.limit:
                return 0.0
            return max(0.0, recent[0] + self.window_s - self.clock())

    def hit(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(self.clock())
            self._failures.move_to_end(client)
            while len(self._failures) > CLIENTS:
                self._failures.popitem(last=False)

    def _recent(self, client: str) -> deque[float]:
        recent = self._failures.setdefault(client, deque())
        while recent and recent[0] <= self.clock() - self.window_s:
            recent.popleft()
        return recent
