"""The `partnerbot` command. Errors a person can act on become one line and a non-zero exit."""

from __future__ import annotations

import logging
import sys

import typer

from bot.commands import (
    announcements,
    ask,
    doctor,
    documents,
    evaluate,
    ingest,
    link,
    report,
    serve,
    slack,
    token,
)
from config.errors import PartnerbotError

app = typer.Typer(
    help="partnerbot: answers partners' questions from the healthtech cluster's documents, with sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for module in (ingest, ask, evaluate, serve, link, slack, announcements, documents, token, report, doctor):
    module.register(app)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except PartnerbotError as exc:
        typer.secho(f"partnerbot: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(2)
