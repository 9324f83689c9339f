"""`partnerbot ingest [PATH…]`: index new and changed documents, drop vanished ones."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.commands.common import progress_bar
from config.settings import load_settings
from retrieval.assistant import Assistant


def ingest(
    paths: list[Path] = typer.Argument(None, help="Files or folders (default: the configured corpus folder)"),
) -> None:
    """Index the corpus incrementally: unchanged documents are not embedded again."""
    with progress_bar() as progress:
        report = Assistant(load_settings()).index.ingest(paths or None, progress)
    for failure in report.failures:
        typer.secho(f"failed: {failure}", err=True, fg=typer.colors.RED)
    typer.echo(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed"
        + (f", {len(report.repaired)} repaired" if report.repaired else "")
        + f"; {report.chunks_embedded} chunks embedded in {report.seconds:.1f}s"
    )
    if report.failures:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(ingest)
