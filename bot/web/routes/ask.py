"""The ask page: a plain form that posts back to `/` (no JavaScript needed); `ask.js` upgrades it
to fetch `/api/ask` without a reload. `/?t=…` (a session link) signs the browser in first.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from bot.web.auth import ReaderDep, reader, start_session
from bot.web.deps import ServicesDep, TemplatesDep, client_address
from config.errors import QuestionError

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse, dependencies=[Depends(reader)])
def page(request: Request, services: ServicesDep, templates: TemplatesDep, t: str | None = None) -> Response:
    if t is not None:  # a session link, which `reader` has checked
        return start_session(services, t)
    return templates.TemplateResponse(request, "ask.html", {"question": "", "answer": None, "error": None})


@router.post("/", response_class=HTMLResponse)
def submit(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    access: ReaderDep,
    question: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Sync, so the answer is computed in the thread pool; a bad question re-renders with its error."""
    try:
        answer, _ = services.answer(question, surface="web", access=access, asker=client_address(request))
    except QuestionError as exc:
        context = {"question": question, "answer": None, "error": str(exc)}
        return templates.TemplateResponse(request, "ask.html", context, status_code=422)
    return templates.TemplateResponse(
        request, "ask.html", {"question": question, "answer": answer, "error": None}
    )
