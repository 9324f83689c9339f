"""The source viewer: every citation opens here, whether or not the document has a public page.

Ids are only ever looked up in the index's registry (a dictionary), never joined to a path. A
document the reader may not see (`auth.reader`) is the same 404 as one that does not exist.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from bot.web.auth import ReaderDep
from bot.web.deps import IndexDep, TemplatesDep
from bot.web.viewer import parts

router = APIRouter(include_in_schema=False)
_INDEX = re.compile(r"[0-9]{1,9}")  # ASCII digits only: "²".isdigit() is true, int("²") fails


@router.get("/sources", response_class=HTMLResponse)
def listing(request: Request, index: IndexDep, templates: TemplatesDep, access: ReaderDep) -> HTMLResponse:
    documents = sorted(
        (found for found in index.documents() if access.allows(found[0])), key=lambda d: d[0].title.lower()
    )
    return templates.TemplateResponse(request, "sources.html", {"documents": documents})


@router.get("/sources/{doc_id:path}", response_class=HTMLResponse)
def source(
    request: Request,
    doc_id: str,
    index: IndexDep,
    templates: TemplatesDep,
    access: ReaderDep,
    chunk: str | None = None,
    t: str | None = None,
) -> Response:
    """`?chunk=N` redirects to `#chunk-N`, for links whose fragment was dropped along the way; a
    signed link's `t` goes with it. The reader is known (or refused) before the id is looked up."""
    found = index.document(doc_id)
    if found is None or not access.allows(found[0]):
        raise HTTPException(404, f"There is no document with the id “{doc_id[:200]}”.")
    document, chunks = found
    if chunk is not None and _INDEX.fullmatch(chunk) and int(chunk) < len(chunks):
        signed = f"?{urlencode({'t': t})}" if t is not None else ""
        return RedirectResponse(
            f"/sources/{quote(doc_id, safe='')}{signed}#chunk-{int(chunk)}", status_code=303
        )
    notice = (
        None if chunk is None else f"This document has no passage “{chunk[:40]}”; here is the whole text."
    )
    context = {
        "document": document,
        "parts": parts(document, chunks),
        "chunks": len(chunks),
        "notice": notice,
    }
    return templates.TemplateResponse(request, "source.html", context)
