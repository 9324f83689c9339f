"""`partnerbot ask QUESTION`: one answer with its sources; `--json -` answers a question per stdin line."""

from __future__ import annotations

import json
import sys

import typer

from bot.commands.common import open_services, reader_access
from bot.render import to_text
from config.errors import QuestionError


def ask(
    question: str = typer.Argument(..., help="The question, or - to read one question per line from stdin"),
    as_json: bool = typer.Option(False, "--json", help="Print the answer contract as JSON"),
    reader: str = typer.Option(
        "everything",
        "--as",
        help="Answer as whom: everything (the operator), partners (a workspace member) or public",
    ),
    groups: list[str] = typer.Option(
        [], "--group", help="With --as partners: a user group or channel id whose internal documents to read"
    ),
) -> None:
    """Answer a question from the cluster's documents, citing the passages used."""
    access = reader_access(reader, groups)
    services = open_services()  # every question is logged, the CLI's too (surface "cli")
    front_door = services.settings.front_door
    if question != "-":
        answer, _ = services.answer(question, surface="cli", access=access)
        typer.echo(answer.model_dump_json() if as_json else to_text(answer, front_door))
        return
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer, _ = services.answer(line, surface="cli", access=access)
        except QuestionError as exc:  # one bad line must not lose the others
            typer.echo(json.dumps({"question": line.strip()[:200], "error": str(exc)}), nl=True)
            continue
        typer.echo(answer.model_dump_json() if as_json else to_text(answer, front_door) + "\n")
        sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command()(ask)
