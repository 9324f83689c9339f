"""What the commands share: the Services every surface opens, and the index built with a progress bar."""

from __future__ import annotations

import typer
from tqdm import tqdm

from bot.services import Services
from config.errors import CorpusError
from config.settings import Settings, load_settings
from retrieval.assistant import Assistant
from retrieval.index import Index, IngestReport


def ingest_with_progress(index: Index, paths=None) -> IngestReport:  # noqa: ANN001
    """Ingest with a progress bar on stderr (it stays quiet when nothing needs embedding)."""
    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total:
            bar = tqdm(total=total, unit="chunk", desc="embedding", file=typer.get_text_stream("stderr"))
        if bar is not None:
            bar.update(done - bar.n)

    try:
        return index.ingest(paths, progress)
    finally:
        if bar is not None:
            bar.close()


def open_services(*, warm: bool = True) -> Services:
    """`Services.open` for a command. Without `warm` (state commands: list, withdraw, report) no
    model loads; with it the index is built first, on first use, with a progress bar."""
    settings = load_settings()
    return Services.open(settings, open_assistant(settings) if warm else None, warm=warm)


def open_assistant(settings: Settings | None = None) -> Assistant:
    """An Assistant with an index, for commands that keep no state (eval, the benchmarks): on first
    use the configured corpus is ingested, with a progress bar, and an empty corpus is an error."""
    bot = Assistant(settings or load_settings())
    if bot.index.is_empty:
        typer.echo(f"No index yet: building it from {bot.settings.corpus_dir} …", err=True)
        report = ingest_with_progress(bot.index)
        for failure in report.failures:
            typer.secho(f"  skipped {failure}", err=True, fg=typer.colors.YELLOW)
        if bot.index.is_empty:
            raise CorpusError(
                f"{bot.settings.corpus_dir} holds no document that could be read "
                f"({len(report.failures)} failed); add .txt, .md, .html, .pdf or .docx files"
            )
    bot.warm_up()
    return bot
