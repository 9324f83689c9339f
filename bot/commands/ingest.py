"""`partnerbot ingest [PATH…]`: index new and changed documents, drop vanished ones."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.commands.common import progress_bar
from config.settings import load_settings
from retrieval.assistant import Assistant


def ingest(
    paths: list[Path] = typer.Argument(None, help="Files or folders (default: the configured corpus folder)"),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Build the whole index again from the corpus (a damaged index file)"
    ),
) -> None:
    """Index the corpus incrementally: unchanged documents are not embedded again."""
    if rebuild and paths:
        raise typer.BadParameter("--rebuild builds the configured corpus: give no paths with it")
    index = Assistant(load_settings()).index
    with progress_bar() as progress:
        report = index.rebuild(progress) if rebuild else index.ingest(paths or None, progress)
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
