"""`/docs`: Swagger UI from local assets, started by a static script, so the strict CSP holds there too."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.web.deps import TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger(request: Request, templates: TemplatesDep) -> HTMLResponse:
    context = {"openapi_url": request.app.openapi_url, "title": request.app.title}
    return templates.TemplateResponse(request, "swagger.html", context)
