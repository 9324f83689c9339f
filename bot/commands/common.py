"""What the commands share: the Services every surface opens, the index built with a progress bar,
and whose rights a command acts with (`--as`, `--group`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from tqdm import tqdm

from bot.services import Services
from config.errors import CorpusError
from config.settings import Settings, load_settings
from retrieval.access import EVERYTHING, PARTNERS, PUBLIC, Access
from retrieval.assistant import Assistant
from retrieval.index import Progress

READERS = {"everything": EVERYTHING, "partners": PARTNERS, "public": PUBLIC}


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """An ingest progress callback drawing a bar on stderr; quiet when nothing needs embedding."""
    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total:
            stderr = typer.get_text_stream("stderr")
            bar = tqdm(total=total, unit="passage", desc="embedding passages", file=stderr)
        if bar is not None:
            bar.update(done - bar.n)

    try:
        yield progress
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
    with progress_bar() as progress:
        report = bot.index.build_if_empty(progress)
    for failure in report.failures if report else []:
        typer.secho(f"  skipped {failure}", err=True, fg=typer.colors.YELLOW)
    if bot.index.is_empty:
        failed = len(report.failures) if report else 0
        raise CorpusError(
            f"{bot.settings.corpus_dir} holds no document that could be read ({failed} failed); "
            "add .txt, .md, .html, .pdf or .docx files"
        )
    bot.warm_up()
    return bot


def reader_access(reader: str, groups: list[str]) -> Access:
    """The rights named by `--as` and `--group`."""
    if reader not in READERS:
        raise typer.BadParameter(f"one of {', '.join(READERS)}, not {reader!r}", param_hint="--as")
    if groups and reader != "partners":
        raise typer.BadParameter("internal documents are read only --as partners", param_hint="--group")
    return Access(partner=True, groups=frozenset(groups)) if groups else READERS[reader]
