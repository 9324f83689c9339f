"""A throwaway PostgreSQL server for the test session: initdb in a temp folder, loopback only.

As root, the server runs as the `postgres` user (or `nobody`), since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SKIP_REASON = (
    "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
    "(scripts/system-deps installs Debian's postgresql)"
)


def find_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _runner() -> tuple[list[str], int | None]:
    """The command prefix to drop root, and the uid that must own the data folder."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], user.pw_uid
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


@contextmanager
def postgres_server(bindir: Path) -> Iterator[str]:
    """Yields a SQLAlchemy URL (without database name) of a server that is stopped afterwards."""
    root = Path(tempfile.mkdtemp(prefix="partnerbot-pg-"))
    prefix, uid = _runner()
    if uid is not None:
        os.chown(root, uid, -1)
    data, port = root / "data", _free_port()
    run = lambda *args: subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)  # noqa: E731
    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "partnerbot",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        try:
            yield f"postgresql+psycopg://partnerbot@127.0.0.1:{port}"
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str) -> str:
    """A new empty database on the server; its SQLAlchemy URL."""
    from sqlalchemy import create_engine, make_url, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    server = make_url(server_url)
    engine = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)
