"""The FastAPI app factory. Services start once here, never per request."""

from __future__ import annotations

from fastapi import FastAPI

from bot.services import Services
from config.settings import Settings, load_settings


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or load_settings()
    services = services or Services.start(settings)
    app = FastAPI(title="partnerbot", version="0.1.0")
    app.state.services = services

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if settings.slack_bot_token and settings.slack_signing_secret:
        from bot.slack.http import mount

        mount(app, services)
    return app
