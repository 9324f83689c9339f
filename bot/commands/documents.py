"""`partnerbot documents add|list|remove|refresh`: the documents the communications group adds, from
the command line. Every command goes through `Library`, the path Slack and the API take too; the
schedule's work is `partnerbot documents refresh --due` (the one cron line, where no server runs)."""

from __future__ import annotations

import getpass
import uuid
from datetime import datetime
from pathlib import Path

import typer

from bot.commands.common import open_services
from bot.library.service import Added, Fields, Library, LibraryError, Refreshed
from bot.services import Services
from bot.state.models import LibraryDocument
from retrieval.access import EVERYTHING

app = typer.Typer(help="Documents the communications group added: add, list, remove, refresh.")
WHO_READS = {"public": "anyone", "partners": "the cluster's partners"}


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _library(*, warm: bool = True) -> tuple[Services, Library]:
    services = open_services(warm=warm)
    return services, Library.from_settings(services)


def _is_address(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at else "never"


def _who_reads(record: LibraryDocument) -> str:
    return WHO_READS.get(record.visibility) or f"members of {', '.join(record.readers or ())} only"


@app.command()
def add(
    source: str = typer.Argument(..., help="An http(s) address, or the path of a local file"),
    title: str | None = typer.Option(None, help="The title shown and cited (default: the file's own)"),
    author: str | None = typer.Option(None, help="Who wrote it (searched with the text)"),
    organisation: str | None = typer.Option(None, help="Who published it"),
    published: str | None = typer.Option(None, help="When: 2025-03-14, 2025-03 or 2025"),
    kind: str = typer.Option("document", help="What it is: report, guide, news…"),
    visibility: str = typer.Option("partners", help="public, partners or internal"),
    readers: list[str] = typer.Option(
        [], "--reader", help="With --visibility internal: a user group or channel id that reads it; repeat"
    ),
    topics: list[str] = typer.Option([], "--topic", help="What it is about; repeat"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Add it without showing it first"),
) -> None:
    """Read a document and index it; without --yes it is shown first, and added only if you say so."""
    services, library = _library()
    fields = Fields(
        title=title,
        author=author,
        organisation=organisation,
        published=published,
        kind=kind,
        visibility=visibility,
        readers=tuple(readers),
        topics=tuple(topics),
    )
    actor, key = _actor(), "cli:" + uuid.uuid4().hex
    if _is_address(source):
        added = (library.add_url if yes else library.preview_url)(
            source, actor=actor, source="cli", key=key, fields=fields
        )
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise LibraryError(f"{source} is neither an http(s) address nor a file")
        with path.open("rb") as file:  # one byte over the limit is enough to refuse it
            data = file.read(services.settings.max_file_bytes + 1)
        added = (library.add_bytes if yes else library.preview_bytes)(
            path.name, data, actor=actor, source="cli", key=key, fields=fields
        )
    record = added.record
    if not yes:
        _show(added)
        if not typer.confirm("Add it?", default=False):
            library.cancel(record.id, actor=actor, source="cli")
            typer.echo("Cancelled: nothing was added.")
            return
        record = library.confirm(record.id, actor=actor, source="cli")
    passages = f"{record.passages} passage{'' if record.passages == 1 else 's'}"
    typer.echo(f"Added {record.doc_id} ({passages}): it is answered from now on.")
    typer.echo(services.links.document(record.doc_id, EVERYTHING))


def _show(added: Added) -> None:
    """What a person checks before adding: the fields as read, who may read it, and how it starts."""
    record = added.record
    typer.echo(f"Title:         {record.title}")
    typer.echo(f"Author:        {record.author or '—'}")
    typer.echo(f"Organisation:  {record.organisation or '—'}")
    typer.echo(f"Date:          {record.published or '—'}")
    typer.echo(f"Kind:          {record.kind}")
    typer.echo(f"Who may read:  {_who_reads(record)}")
    typer.echo(f"Passages:      {record.passages}")
    typer.echo(f"From:          {record.url or record.file_name}")
    typer.echo("First lines:")
    for line in [line for line in record.first_lines.splitlines() if line.strip()][:8]:
        typer.echo(f"  {line}")


@app.command("list")
def list_(
    all_: bool = typer.Option(False, "--all", help="Include the removed ones (their records stay)"),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line"),
) -> None:
    """The documents added from Slack, the command line and the API, newest first."""
    from bot.web.routes.library import AddedDocument  # the API's JSON, so both print the same fields

    services, library = _library(warm=False)
    records = library.records(removed=all_)
    for record in records:
        if as_json:
            typer.echo(AddedDocument.of(record, services.links).model_dump_json())
            continue
        line = (
            f"{record.doc_id}  {record.status}  added by {record.added_by} {_when(record.added_at)}  "
            f"refreshed {_when(record.refreshed_at)}"
        )
        typer.echo(line)
        if record.problem:
            typer.secho(f"    ⚠ {record.problem}", fg="yellow")
    if not records and not as_json:
        typer.echo("No documents added yet.")


@app.command()
def remove(
    ref: str = typer.Argument(..., help="The doc id (as `documents list` shows it) or record number"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask first"),
) -> None:
    """Take a document out of the index and the viewer at once; its record stays, marked removed."""
    _, library = _library(warm=False)
    record = library.find(ref)
    if not yes and not typer.confirm(f"Remove {record.title} ({record.doc_id})?", default=False):
        typer.echo("Nothing was removed.")
        return
    library.remove(record, actor=_actor(), source="cli")
    typer.echo(f"Removed {record.doc_id}: it is no longer answered from; its record stays.")


@app.command()
def refresh(
    ref: str | None = typer.Argument(None, help="One document's doc id; all added by address if left out"),
    due: bool = typer.Option(
        False, "--due", help="Only those not fetched for PARTNERBOT_REFRESH_HOURS (what the schedule does)"
    ),
) -> None:
    """Fetch documents added by address again; exits 1 when a refresh failed or found a page gone."""
    if ref and due:
        raise typer.BadParameter("give a document or --due, not both", param_hint="--due")
    _, library = _library()
    done: list[Refreshed]
    if due:
        if not library.settings.refresh_hours:
            typer.echo("PARTNERBOT_REFRESH_HOURS is 0: no document is ever due.")
        done = library.refresh_due()
    elif ref:
        done = [library.refresh(ref, actor=_actor(), source="cli")]
    else:
        done = [library.refresh(r, actor=_actor(), source="cli") for r in library.records() if r.url]
    for refreshed in done:
        typer.echo(f"{refreshed.record.doc_id}  {refreshed.outcome}")
        if refreshed.problem:
            typer.secho(f"    ⚠ {refreshed.problem}", fg="yellow")
    if not done:
        typer.echo("Nothing to refresh.")
    if any(r.outcome in ("gone", "failed") for r in done):
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="documents")
