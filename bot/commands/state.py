"""Services for the state commands: the database and the index, without loading the model."""

from __future__ import annotations

from bot.services import Services
from bot.state.db import Database
from config.settings import load_settings
from retrieval.assistant import Assistant


def light_services() -> Services:
    """Enough to list, withdraw and report on state; the model loads only if something embeds."""
    settings = load_settings()
    db = Database(settings)
    db.migrate()
    return Services(settings, Assistant(settings), db)
