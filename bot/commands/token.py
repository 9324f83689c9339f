"""`partnerbot token create|revoke`: bearer tokens of the HTTP APIs, each with its scopes."""

from __future__ import annotations

import typer

from bot.commands.common import open_services

app = typer.Typer(
    help="Bearer tokens of the HTTP APIs (stored hashed): ask (/api/ask, GET /api/documents), announce "
    "(/api/announcements) and documents (adding, refreshing and removing documents: /api/documents/…)."
)


@app.command()
def create(
    name: str = typer.Argument(..., help="Who uses it, e.g. newsletter-tool"),
    scopes: list[str] = typer.Option(
        ...,
        "--scope",
        help="ask (the questions API), announce (the announcements API) or documents (adding and removing "
        "documents); repeat for more than one",
    ),
    groups: list[str] = typer.Option(
        [], "--group", help="With --scope ask: a user group or channel id whose internal documents it reads"
    ),
) -> None:
    """Make a token and print it once; only its SHA-256 is stored."""
    typer.echo(open_services(warm=False).create_token(name, scopes, groups))


@app.command()
def revoke(name: str = typer.Argument(..., help="The name it was created with")) -> None:
    """Stop a token working at once, on every API."""
    if not open_services(warm=False).revoke_token(name):
        typer.secho(f"no active token named {name!r}", err=True, fg="red")
        raise typer.Exit(1)
    typer.echo(f"Token {name!r} revoked.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="token")
