"""`partnerbot ask QUESTION`: one answer with its sources; `--json -` answers a question per stdin line."""

from __future__ import annotations

import json
import sys

import typer

from bot.commands.common import open_services
from bot.render import to_text
from config.errors import QuestionError


def ask(
    question: str = typer.Argument(..., help="The question, or - to read one question per line from stdin"),
    as_json: bool = typer.Option(False, "--json", help="Print the answer contract as JSON"),
) -> None:
    """Answer a question from the cluster's documents, citing the passages used."""
    services = open_services()  # every question is logged, the CLI's too (surface "cli")
    front_door = services.settings.front_door
    if question != "-":
        answer, _ = services.answer(question, surface="cli")
        typer.echo(answer.model_dump_json() if as_json else to_text(answer, front_door))
        return
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer, _ = services.answer(line, surface="cli")
        except QuestionError as exc:  # one bad line must not lose the others
            typer.echo(json.dumps({"question": line.strip()[:200], "error": str(exc)}), nl=True)
            continue
        typer.echo(answer.model_dump_json() if as_json else to_text(answer, front_door) + "\n")
        sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command()(ask)
