"""`partnerbot link`: a session link to the private web surface, for the operator or to hand on.

Opening it signs a browser in with the rights it names until it expires. Nothing is stored, so the
only way to end one early is a new secret (PARTNERBOT_LINK_SECRET, or the data folder's key file),
which ends every link.
"""

from __future__ import annotations

import typer

from bot.commands.common import reader_access
from bot.links import Links
from config.settings import load_settings


def link(
    reader: str = typer.Option(
        "partners", "--as", help="With whose rights: partners (a workspace member), public or everything"
    ),
    groups: list[str] = typer.Option(
        [], "--group", help="With --as partners: a user group or channel id whose internal documents to read"
    ),
    days: int | None = typer.Option(
        None, min=1, max=366, help="How long it lasts (default PARTNERBOT_LINK_DAYS, 7)"
    ),
) -> None:
    """Print a link that opens the web surface (ask page, documents) in a browser."""
    access = reader_access(reader, groups)
    settings = load_settings()
    if days is not None:
        settings = settings.model_copy(update={"link_days": days})
    typer.echo(Links(settings).session(access))


def register(app: typer.Typer) -> None:
    app.command()(link)
