"""The FastAPI app factory. Services start once here, never per request.

Routes live in `bot/web/routes/`, one module per concern; `ROUTERS` is the one list to extend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from bot.library.schedule import Schedule
from bot.services import Services
from bot.throttle import Throttle
from bot.web import errors
from bot.web.docs import SWAGGER_ASSETS
from bot.web.routes import announcements, api, ask, docs, health, library, sources
from bot.web.security import Allowance, BodyLimit, SecurityHeaders
from bot.web.templating import STATIC_DIR, make_templates
from config.settings import Settings, load_settings

ROUTERS: list[APIRouter] = [
    health.router,
    api.router,
    announcements.router,
    library.router,
    ask.router,
    sources.router,
    docs.router,
]

TOKEN_FAILURES = 10  # failed bearer tokens an address may send a minute
DESCRIPTION = (
    "Answers partners' questions from the West Yorkshire healthtech cluster's documents, "
    "citing the passages used. Every citation links to the source viewer at `/sources/{doc_id}`, "
    "signed for whom the answer is for. Private unless the deployment is public: send a bearer token "
    "of the `ask` scope (`partnerbot token create NAME --scope ask`) or the web session's cookie."
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The documents schedule runs while the app does, and stops with it (no thread left behind by
    the apps tests build)."""
    schedule = Schedule.start(app.state.services)
    try:
        yield
    finally:
        await anyio.to_thread.run_sync(schedule.stop)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or load_settings()
    services = services or Services.open(settings)
    app = FastAPI(
        lifespan=lifespan,
        title="partnerbot",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,  # served by routes/docs.py from local assets, within the CSP
        redoc_url=None,
    )
    app.state.services = services
    app.state.token_failures = Throttle(limit=TOKEN_FAILURES)
    app.state.templates = make_templates(settings)
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_ASSETS), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    errors.install(app)
    upload = Allowance(
        settings.max_file_bytes + library.MULTIPART_OVERHEAD,
        f"the file is larger than the {settings.max_file_bytes:,}-byte limit (PARTNERBOT_MAX_FILE_BYTES)",
    )
    app.add_middleware(BodyLimit, larger={library.UPLOAD_PATH: upload})
    app.add_middleware(SecurityHeaders, https=settings.public_base_url.startswith("https://"))

    if settings.slack_bot_token and settings.slack_signing_secret:
        from bot.slack.http import mount

        mount(app, services)
    return app
