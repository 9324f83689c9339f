"""The JSON API: ask a question (the answer contract of DESIGN.md), list the indexed documents."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from bot.web.deps import IndexDep, ServicesDep, SettingsDep, client_address
from bot.web.errors import problems
from retrieval.access import EVERYTHING
from retrieval.answer import Answer, viewer_url

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
    url: str = Field(description="The source viewer for this document")
    chunks: int = Field(description="How many passages the document is indexed as")
    origin: str = Field(description="'corpus' for files, 'announcement' for posts made through the bot")


@router.post(
    "/ask",
    response_model=Answer,
    responses=problems(
        e413="Body over the size limit",
        e422="Empty, over-long or malformed question",
        e429="Too many questions from this address (Retry-After)",
        e503="No index yet",
    ),
)
def ask(body: AskRequest, request: Request, services: ServicesDep) -> Answer:
    """A sync route: FastAPI runs it in the thread pool, so answering never blocks the event loop."""
    answer, _ = services.answer(
        body.question, surface="web", access=EVERYTHING, asker=client_address(request)
    )
    return answer


@router.get("/documents", response_model=list[DocumentInfo])
def documents(index: IndexDep, settings: SettingsDep) -> list[DocumentInfo]:
    return [
        DocumentInfo(
            doc_id=doc.doc_id,
            title=doc.title,
            kind=doc.kind,
            author=doc.author,
            organisation=doc.organisation,
            published=doc.published,
            source_url=doc.source_url,
            url=viewer_url(settings.public_base_url, doc.doc_id),
            chunks=count,
            origin=doc.origin,
        )
        for doc, count in sorted(index.documents(), key=lambda d: d[0].title.lower())
    ]
