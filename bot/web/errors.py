"""Errors as a person can act on them: one-line JSON `{"detail": ...}` for the API, a page for people."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from bot.library.service import LibraryError
from bot.links import LinkRefused
from config.errors import IndexMissingError, PartnerbotError, QuestionError, RateLimited

log = logging.getLogger(__name__)


class Problem(BaseModel):
    """Every error the API returns: `{"detail": "..."}`."""

    detail: str = Field(description="What was wrong and what to send instead")


def problems(**described: str) -> dict[int | str, dict[str, Any]]:
    """A route's error responses for OpenAPI: `problems(e422="…", e429="…")`."""
    return {
        int(code.removeprefix("e")): {"model": Problem, "description": text}
        for code, text in described.items()
    }


JSON_PATHS = ("/api/", "/slack/", "/healthz", "/readyz", "/openapi.json")
BODY_UNREADABLE = "There was an error parsing the body"
EXAMPLE = '{"question": "Where do I start with an NHS trial?"}'
TITLES = {
    401: "This partnerbot is private",
    403: "This link cannot be opened",
    404: "Page not found",
    405: "Method not allowed",
    413: "Request too large",
    429: "Too many questions",
    503: "Not ready yet",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PATHS)


def error_response(request: Request, status: int, detail: str) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status)
    title = TITLES.get(status, "Something went wrong")
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"title": title, "detail": detail, "status": status}, status_code=status
    )


def validation_message(errors: Sequence[Any]) -> str:
    """Pydantic's errors → one sentence saying what to send instead."""
    messages: list[str] = []
    for error in errors:
        kind = error.get("type", "")
        field = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        if kind == "json_invalid":
            messages.append(f"the body is not valid JSON; send {EXAMPLE} with Content-Type: application/json")
        elif kind in ("model_attributes_type", "dict_type") or (kind == "missing" and not field):
            messages.append(f"the body must be a JSON object such as {EXAMPLE}, sent as application/json")
        elif kind == "missing":
            messages.append(f"'{field}' is missing; send {EXAMPLE}")
        elif kind == "extra_forbidden":
            messages.append(f"'{field}' is not a field of this request; send {EXAMPLE}")
        elif kind == "string_type":
            messages.append(f"'{field}' must be a string of text")
        else:
            messages.append(f"'{field}': {error.get('msg', 'invalid')}" if field else error.get("msg", ""))
    return "; ".join(dict.fromkeys(messages)) or "the request is not valid"


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    return error_response(request, 422, validation_message(exc.errors()))


async def _http(request: Request, exc: HTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    status = exc.status_code
    if status == 404 and detail == "Not Found":
        detail = f"There is no page at {request.url.path}."
    elif status == 400 and detail == BODY_UNREADABLE:  # FastAPI's answer to a body that is not UTF-8
        status, detail = 422, f"the body could not be read as UTF-8 JSON; send {EXAMPLE} as application/json"
    response = error_response(request, status, detail)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _partnerbot(request: Request, exc: PartnerbotError) -> Response:
    if isinstance(exc, QuestionError | LibraryError):  # the input itself cannot be used as it is
        return error_response(request, 422, str(exc))
    if isinstance(exc, IndexMissingError):
        return error_response(request, 503, str(exc))
    if isinstance(exc, LinkRefused):  # a signed link that does not open this page
        return error_response(request, 403, str(exc))
    if isinstance(exc, RateLimited):
        response = error_response(request, 429, str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    log.error("request failed: %s", exc)
    return error_response(request, 500, str(exc))


async def _state_store(request: Request, exc: SQLAlchemyError) -> Response:
    """What must not be half done while the state store is down (an announcement, a token check) is
    refused whole, with a message to act on; answers do not come here (they are spooled)."""
    log.error("the state store failed: %s", type(exc).__name__)
    response = error_response(
        request, 503, "the state store is unavailable: nothing was done; try again shortly"
    )
    response.headers["Retry-After"] = "30"
    return response


def install(app: FastAPI) -> None:
    # Starlette types a handler as taking any Exception; each of these takes the one it is registered for
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(PartnerbotError, _partnerbot)  # type: ignore[arg-type]
    app.add_exception_handler(SQLAlchemyError, _state_store)  # type: ignore[arg-type]
