"""Servers a test starts on loopback and stops afterwards: a Chroma server (`chroma run`), and a
free port for anything else. PostgreSQL is in `tests/support/postgres.py`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def chroma_server(folder: Path) -> Iterator[str]:
    """The URL of a Chroma server keeping its data in `folder`, stopped afterwards."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "server.log").open("w") as log:
        server = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(folder / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
                    break
                except OSError as exc:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.flush()
                        tail = (folder / "server.log").read_text()[-2000:]
                        raise RuntimeError(f"the chroma server did not start: {tail}") from exc
                    time.sleep(0.3)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)
