"""`partnerbot doctor`: checks a deployment and says what is missing or wrong, naming no secret.

Each check prints one line, ok or not; the exit code is 1 when any check failed. Slack and the
database are given a few seconds each, never minutes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

import typer

from config.errors import PartnerbotError
from config.settings import Settings, load_settings

Check = Callable[[Settings], str]  # returns what it found; raises CheckFailed (or any error) when wrong


class CheckFailed(Exception):
    """A finding worded for the operator: what is wrong and what to do."""


def corpus(settings: Settings) -> str:
    from corpus.documents import find_files

    files = list(find_files([settings.corpus_dir])) if settings.corpus_dir.is_dir() else []
    if not files:
        raise CheckFailed(f"no readable documents in {settings.corpus_dir} (PARTNERBOT_CORPUS_DIR)")
    return f"{len(files)} documents in {settings.corpus_dir}"


def index(settings: Settings) -> str:
    from retrieval.assistant import Assistant

    found = Assistant(settings).index
    if problems := found.problems():
        raise CheckFailed("; ".join(problems))
    return f"{len(found.registry)} documents, {found.vectors.count()} passages, all in step"


def model(settings: Settings) -> str:
    from retrieval.embed import make_embedder

    embedder = make_embedder(settings)
    if embedder.embed(["a check"]).shape != (1, embedder.dimensions) or not embedder.dimensions:
        raise CheckFailed("the embedding model returned no vector")
    return f"{settings.embedding_backend} encoder, {embedder.dimensions} dimensions"


def state(settings: Settings) -> str:
    from bot.state.db import Database

    Database(settings).ping()  # not migrated here: a check changes nothing
    return f"{urlsplit(settings.db_url).scheme} database reachable"


def slack(settings: Settings) -> str:
    if not settings.slack_bot_token:
        return "not configured (no PARTNERBOT_SLACK_BOT_TOKEN): web and command line only"

    from bot.slack.client import missing_scopes, probe

    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)  # the finding below says it once
    if problem := probe(settings):  # a refused token raises: reported as a failure like the others
        raise CheckFailed(f"Slack cannot be reached at {settings.slack_api_url}: {problem}")
    offered = (("HTTP", settings.slack_signing_secret), ("Socket Mode", settings.slack_app_token))
    modes = " and ".join(mode for mode, setting in offered if setting)
    if not modes:
        raise CheckFailed(
            "set PARTNERBOT_SLACK_SIGNING_SECRET (HTTP mode) or PARTNERBOT_SLACK_APP_TOKEN (Socket Mode)"
        )
    if missing := missing_scopes(settings):
        raise CheckFailed(
            f"the bot token lacks the scopes {', '.join(missing)}: reinstall the app from "
            "config/slack-manifest.yaml (without users:read and the others, every answer is public-only)"
        )
    return f"Slack accepts the bot token; {modes} set up"


def chat_model(settings: Settings) -> str:
    if not settings.chat_model:
        return "none configured: answers are extractive"
    from retrieval.llm import load_chat_model

    load_chat_model(settings.chat_model)
    return f"{settings.chat_model} can be built (not called: that would cost a request)"


def public_url(settings: Settings) -> str:
    host = urlsplit(settings.public_base_url).hostname or ""
    if settings.slack_bot_token and host in ("127.0.0.1", "localhost", "::1"):
        raise CheckFailed(
            f"citations link to {settings.public_base_url}, which partners in Slack cannot open: "
            "set PARTNERBOT_PUBLIC_BASE_URL"
        )
    return f"citations link to {settings.public_base_url}"


CHECKS: dict[str, Check] = {
    "corpus": corpus,
    "index": index,
    "model": model,
    "state store": state,
    "Slack": slack,
    "chat model": chat_model,
    "public URL": public_url,
}


def doctor() -> None:
    """Check the settings, corpus, index, model, state store, Slack and public URL; exit 1 if any fails."""
    settings = load_settings()  # a bad setting is one line and exit 2, as for every command
    failed = 0
    for name, check in CHECKS.items():
        try:
            typer.secho(f"ok    {name}: {check(settings)}", fg=typer.colors.GREEN)
        except (CheckFailed, PartnerbotError) as exc:
            failed += 1
            typer.secho(f"FAIL  {name}: {exc}", fg=typer.colors.RED)
        except Exception as exc:  # a check must report, never crash the others
            failed += 1
            typer.secho(f"FAIL  {name}: {type(exc).__name__}: {str(exc)[:200]}", fg=typer.colors.RED)
    typer.echo(f"{len(CHECKS) - failed} of {len(CHECKS)} checks passed")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(doctor)
