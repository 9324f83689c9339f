"""What the commands share: settings and an Assistant whose index exists."""

from __future__ import annotations

import typer
from tqdm import tqdm

from config.errors import CorpusError
from config.settings import load_settings
from retrieval.assistant import Assistant, IngestReport


def assistant() -> Assistant:
    return Assistant(load_settings())


def ingest_with_progress(bot: Assistant, paths=None) -> IngestReport:  # noqa: ANN001
    """Ingest with a progress bar on stderr (it stays quiet when nothing needs embedding)."""
    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total:
            bar = tqdm(total=total, unit="chunk", desc="embedding", file=typer.get_text_stream("stderr"))
        if bar is not None:
            bar.update(done - bar.n)

    try:
        return bot.ingest(paths, progress)
    finally:
        if bar is not None:
            bar.close()


def ready_assistant() -> Assistant:
    """An Assistant with an index: on first use the configured corpus is ingested."""
    bot = assistant()
    if bot.is_empty:
        typer.echo(f"No index yet: building it from {bot.settings.corpus_dir} …", err=True)
        report = ingest_with_progress(bot)
        for failure in report.failures:
            typer.secho(f"  skipped {failure}", err=True, fg=typer.colors.YELLOW)
        if bot.is_empty:
            raise CorpusError(
                f"{bot.settings.corpus_dir} holds no document that could be read "
                f"({len(report.failures)} failed); add .txt, .md, .html, .pdf or .docx files"
            )
    bot.warm_up()
    return bot
