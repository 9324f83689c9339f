"""`partnerbot serve`: the web app (ask page, API, source viewer, Slack HTTP mode) under uvicorn."""

from __future__ import annotations

import copy
import errno
import logging
import re
import socket
from typing import Any

import typer

from config.errors import PartnerbotError
from config.settings import load_settings

PRIVATE = (
    "partnerbot: the web surface is private: `partnerbot link` prints a link that opens it "
    "(PARTNERBOT_WEB_PUBLIC=true opens it to anyone, for public documents)"
)
PUBLIC = "partnerbot: the web surface is public (PARTNERBOT_WEB_PUBLIC): anyone may read the public documents"


_LINK_TOKEN = re.compile(r"([?&]t=)[^&#\s]*")


class HideLinkTokens(logging.Filter):
    """uvicorn's access log shows each request's query: a signed link's `?t=` (whoever holds it
    reads what it opens) is logged as `t=…`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:  # client, method, path, …
            path = _LINK_TOKEN.sub(r"\1…", str(record.args[2]))
            record.args = (*record.args[:2], path, *record.args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with HideLinkTokens on the access log (in every worker: it is configuration)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"link_tokens": {"()": HideLinkTokens}}
    config["loggers"]["uvicorn.access"]["filters"] = ["link_tokens"]
    return config


class ServeError(PartnerbotError):
    """The server cannot start (e.g. its port is taken)."""


def bind(host: str, port: int) -> socket.socket:
    """Bind before loading the model, so a taken port fails in a second with one clear line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(
                f"port {port} on {host} is already in use: stop the other server or pass --port"
            ) from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for every interface)"),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on"),
    workers: int = typer.Option(
        1, min=1, max=64, help="Processes serving at once, each with its own model and index (one per core)"
    ),
) -> None:
    """Serve the ask page, the JSON API, the source viewer and Slack events over HTTP."""
    import uvicorn

    settings = load_settings()
    sock = bind(host, port)
    typer.echo(
        f"partnerbot: loading the model and index in {workers} process{'es' if workers > 1 else ''}, "
        f"then serving on http://{host}:{port}",
        err=True,
    )
    typer.echo(PUBLIC if settings.web_public else PRIVATE, err=True)  # never a token: logs are kept
    if workers == 1:
        from bot.web.app import create_app

        config = uvicorn.Config(
            create_app(settings), log_level="info", log_config=log_config(), proxy_headers=True
        )
        uvicorn.Server(config).run(sockets=[sock])
        return
    from uvicorn.supervisors import Multiprocess

    # Each worker builds the app itself; they share the socket, the data folder (index writes take a
    # file lock, and each worker reads another's changes within a second) and the state store.
    config = uvicorn.Config(
        "bot.web.app:create_app",
        factory=True,
        workers=workers,
        log_level="info",
        log_config=log_config(),
        proxy_headers=True,
    )
    Multiprocess(config, sockets=[sock]).run()


def register(app: typer.Typer) -> None:
    app.command()(serve)
