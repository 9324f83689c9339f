"""`partnerbot announcements list|withdraw|retry`: the announcements, outside Slack. Their API's
tokens are made with `partnerbot token create NAME --scope announce`."""

from __future__ import annotations

import getpass
import json

import typer

from bot.announce.service import Announcer
from bot.announce.summary import as_dict, status
from bot.commands.common import open_services

app = typer.Typer(help="The communications group's announcements: list, withdraw, retry.")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="One JSON object per line")) -> None:
    """Every announcement, newest first, with the status of each channel's post."""
    rows = open_services(warm=False).announcements(limit=1000)
    for row in rows:
        if as_json:
            typer.echo(json.dumps(as_dict(row)))
            continue
        posts = ", ".join(f"{p.channel}:{p.status}" for p in row.posts)
        when = f"{row.created_at:%Y-%m-%d}"
        typer.echo(f"{row.id:>4}  {status(row):<9}  {when}  {row.author_name}: {row.title}  [{posts}]")
    if not rows and not as_json:
        typer.echo("No announcements yet.")


@app.command()
def withdraw(announcement_id: int = typer.Argument(..., help="The id shown by `announcements list`")) -> None:
    """Delete the announcement's posts and take it out of the index; its record stays, withdrawn."""
    outcome = Announcer.from_settings(open_services(warm=False)).withdraw(
        announcement_id, actor=f"cli:{getpass.getuser()}", source="cli"
    )
    typer.echo(f"Announcement {announcement_id} withdrawn.")
    for channel, error in outcome.failed.items():
        typer.secho(f"  could not delete the post in {channel}: {error}; run withdraw again", fg="yellow")
    if outcome.failed:
        raise typer.Exit(1)


@app.command()
def retry(
    announcement_id: int | None = typer.Argument(None, help="One id; all unfinished ones if left out"),
) -> None:
    """Post to the channels an announcement did not reach yet (never posts twice)."""
    services = open_services(warm=False)
    announcer = Announcer.from_settings(services)
    announcer.allow("retry", f"cli:{getpass.getuser()}", "cli", announcement_id)
    outcomes = [announcer.deliver(announcement_id)] if announcement_id else announcer.resume()
    for outcome in outcomes:
        row = outcome.announcement
        typer.echo(f"{row.id:>4}  {row.status:<9}  posted in {', '.join(outcome.posted) or 'no channel'}")
        for channel, error in outcome.failed.items():
            typer.secho(f"        {channel}: {error}", fg="yellow")
    if any(o.failed for o in outcomes):
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="announcements")
