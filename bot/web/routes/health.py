"""`/healthz`: the process is up. `/readyz`: it can answer (index, model and state store usable)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bot.services import Services
from bot.web.deps import ServicesDep

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class NotReady(RuntimeError):
    """A check's own finding, worded to be shown: what is missing and what to run."""


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """On the event loop on purpose: it answers while answers are computed in the thread pool."""
    return Health(status="ok")


@router.get(
    "/readyz", response_model=Readiness, responses={503: {"model": Readiness, "description": "Not ready"}}
)
def readyz(request: Request, services: ServicesDep) -> JSONResponse:
    """Runs in the thread pool: the checks touch the model, Chroma, the database and Slack."""
    checks = {name: _run(check, services) for name, check in CHECKS.items()}
    slack = getattr(request.app.state, "slack", None)  # HTTP mode is mounted
    if slack is not None:
        problem = slack.unreachable()
        checks["slack"] = f"unreachable: {problem}" if problem else "ok"
    ready = all(v == "ok" for v in checks.values())
    body = Readiness(status="ready" if ready else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


def _documents(services: Services) -> None:
    if services.index.is_empty:
        raise NotReady("no documents are indexed: run `partnerbot ingest`")


def _index(services: Services) -> None:
    if services.index.vectors.count() == 0:
        raise NotReady("the vector index holds no passages: run `partnerbot ingest`")


def _model(services: Services) -> None:
    if len(services.assistant.embedder.embed(["ready"])) != 1:
        raise NotReady("the embedding model returned no vector")


def _state(services: Services) -> None:
    services.db.ping()


CHECKS: dict[str, Callable[[Services], None]] = {
    "documents": _documents,
    "index": _index,
    "model": _model,
    "state": _state,
}


def _run(check: Callable[[Services], None], services: Services) -> str:
    try:
        check(services)
    except NotReady as exc:
        return str(exc)
    except Exception as exc:  # a readiness probe reports, it never fails with a 500
        # Anyone may call /readyz: a driver's message can name hosts, ports and users, so it goes
        # to the log only.
        log.warning("not ready: %s: %s", check.__name__, exc)
        return f"{exc.__class__.__name__} (details in the server log)"
    return "ok"
