"""What the benchmark scripts share."""

from __future__ import annotations

import socket


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the value below which q of the samples fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
