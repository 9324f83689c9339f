"""The JSON API: ask a question (the answer contract of DESIGN.md), list the indexed documents.

Both answer for the reader (`auth.reader`: an ask-scoped token, a web session, or anyone on a public
deployment): only the documents the reader may see are searched or listed, and links are signed for them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from bot.web.auth import REFUSED, ReaderDep
from bot.web.deps import IndexDep, ServicesDep, client_address
from bot.web.errors import problems
from retrieval.answer import Answer

router = APIRouter(prefix="/api", tags=["api"])


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        description="The question in plain words; at most PARTNERBOT_MAX_QUESTION_CHARS characters",
        examples=["I have a wound-care device and want an NHS trial: where do I start?"],
    )


class DocumentInfo(BaseModel):
    doc_id: str
    title: str
    kind: str
    author: str | None
    organisation: str | None
    published: str | None
    source_url: str | None = Field(description="The original public page, where known")
    url: str = Field(description="The source viewer for this document, signed for the reader")
    chunks: int = Field(description="How many passages the document is indexed as")
    origin: str = Field(
        description="'corpus' for the corpus folder's files, 'library' for documents the communications "
        "group added (Slack, CLI, API), 'announcement' for posts made through the bot"
    )


@router.post(
    "/ask",
    response_model=Answer,
    responses=problems(
        **{
            **REFUSED,
            "e413": "Body over the size limit",
            "e422": "Empty, over-long or malformed question",
            "e429": "Too many questions, or failed tokens, from this address (Retry-After)",
            "e503": "No index yet",
        }
    ),
)
def ask(body: AskRequest, request: Request, services: ServicesDep, access: ReaderDep) -> Answer:
    """A sync route: FastAPI runs it in the thread pool, so answering never blocks the event loop."""
    answer, _ = services.answer(body.question, surface="web", access=access, asker=client_address(request))
    return answer


@router.get("/documents", response_model=list[DocumentInfo], responses=problems(**REFUSED))
def documents(index: IndexDep, services: ServicesDep, access: ReaderDep) -> list[DocumentInfo]:
    """The documents the reader may see; any other is left out as if it did not exist."""
    return [
        DocumentInfo(
            doc_id=doc.doc_id,
            title=doc.title,
            kind=doc.kind,
            author=doc.author,
            organisation=doc.organisation,
            published=doc.published,
            source_url=doc.source_url,
            url=services.links.document(doc.doc_id, access),
            chunks=count,
            origin=doc.origin,
        )
        for doc, count in sorted(index.documents(), key=lambda d: d[0].title.lower())
        if access.allows(doc)
    ]
