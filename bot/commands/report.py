"""`partnerbot report [--since 7d] [--json] [--post]`: what partners asked, and what went unanswered."""

from __future__ import annotations

import json

import typer

from bot.commands.common import open_services
from bot.report.build import build_report
from bot.report.digest import digest_client, post_digest
from bot.report.period import parse_since
from bot.report.render import to_text
from retrieval.access import EVERYTHING, PARTNERS


def report(
    since: str = typer.Option("7d", "--since", help="A span (24h, 7d, 2w) or a date (2026-11-01)"),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON"),
    post: bool = typer.Option(False, "--post", help="Also post the digest to PARTNERBOT_COMMS_CHANNEL"),
) -> None:
    """Questions, share answered, votes, most cited documents, and unanswered questions grouped."""
    start = parse_since(since)
    services = open_services(warm=False)
    client = digest_client(services.settings) if post else None  # fail before the work, not after
    # posted, it is read by partners: documents only some may read are not named in it
    result = build_report(services, start, access=PARTNERS if post else EVERYTHING)
    typer.echo(json.dumps(result.as_dict(), indent=2) if as_json else to_text(result))
    if client is not None:
        ts = post_digest(services.settings, client, result)
        typer.echo(f"Digest posted to {services.settings.comms_channel} (ts {ts}).", err=True)


def register(app: typer.Typer) -> None:
    app.command()(report)
