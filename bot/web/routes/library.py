"""The documents the communications group adds, from other tools: add by address or upload, list,
refresh, remove. Every route goes through `Library`, the one path Slack and the CLI take too.

A bearer token with the documents scope (`partnerbot token create NAME --scope documents`) stands for
membership of the group; every change, allowed or refused, is audited. An Idempotency-Key header makes
a retried add add once. The routes are sync: fetching and embedding run in the thread pool.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    Header,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
)
from pydantic import BaseModel, ConfigDict, Field

from bot.library.service import Fields, Library, LibraryError
from bot.links import Links
from bot.services import Services
from bot.state.models import LibraryDocument, LibraryStatus
from bot.web.auth import REFUSED, BearerDep, api_token
from bot.web.deps import ServicesDep
from bot.web.errors import problems
from retrieval.access import PARTNERS

router = APIRouter(prefix="/api", tags=["documents"])
SCOPE = "documents"
UPLOAD_PATH = "/api/documents/upload"
MULTIPART_OVERHEAD = 64 * 1024  # a multipart body is the file plus its boundaries and form fields


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        max_length=2000,
        description="An http(s) address: a web page, a PDF, a Word file… fetched again on refresh",
        examples=["https://www.wyhealthtech.org/news/innovation-fund-round-3"],
    )
    title: str | None = Field(None, description="None: the title the page or file carries")
    author: str | None = Field(None, description="Who wrote it; searched with the text")
    organisation: str | None = Field(None, examples=["West Yorkshire Health and Care Partnership"])
    published: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD", examples=["2025-03-14"])
    kind: str | None = Field(None, description="What it is: report, guide, news…; 'document' if left out")
    visibility: str | None = Field(None, description="public, partners (the default) or internal")
    readers: list[str] = Field(
        default_factory=list,
        description="For internal documents: the Slack user group (S…) or channel (C…, G…) ids that read it",
    )
    topics: list[str] = Field(default_factory=list, examples=[["NHS trials", "funding"]])

    def fields(self) -> Fields:
        return Fields(
            title=self.title,
            author=self.author,
            topics=tuple(self.topics),
            organisation=self.organisation,
            published=self.published,
            kind=self.kind or "document",
            visibility=self.visibility or "partners",
            readers=tuple(self.readers),
        )


class AddedDocument(BaseModel):
    """A document the communications group added, as its record holds it."""

    id: int = Field(description="The record's number")
    doc_id: str = Field(description="Its id in the index and in the viewer's address")
    title: str
    author: str | None
    organisation: str | None
    topics: list[str]
    published: str | None
    kind: str
    visibility: str
    readers: list[str]
    url: str | None = Field(
        description="The address it was fetched from and is refreshed from; None: an upload"
    )
    source: str = Field(description="Where it was added: slack, cli or api")
    added_by: str = Field(description="A Slack user id, api:<token name> or cli:<user>")
    added_at: datetime
    refreshed_at: datetime | None = Field(description="When its content was last read")
    checked_at: datetime | None = Field(description="When its address was last fetched, whatever came of it")
    passages: int = Field(description="How many passages it is indexed as")
    status: str = Field(description="indexed, or removed (pending and cancelled: Slack's previews)")
    problem: str | None = Field(description="Why the last refresh failed; None when it worked")
    gone_at: datetime | None = Field(description="When its address was first found gone (404, 410)")
    removed_at: datetime | None
    removed_by: str | None
    viewer: str | None = Field(
        description="The source viewer, signed to open this document for whoever holds the link, with a "
        "partner's rights; None once removed, and for an internal document (its readers open it)"
    )

    @classmethod
    def of(cls, record: LibraryDocument, links: Links) -> AddedDocument:
        shown = record.status == LibraryStatus.INDEXED and record.visibility != "internal"
        viewer = links.document(record.doc_id, PARTNERS) if shown else None
        return cls(
            id=record.id,
            doc_id=record.doc_id,
            title=record.title,
            author=record.author,
            organisation=record.organisation,
            topics=list(record.topics or ()),
            published=record.published,
            kind=record.kind,
            visibility=record.visibility,
            readers=list(record.readers or ()),
            url=record.url,
            source=record.source,
            added_by=record.added_by,
            added_at=record.added_at,
            refreshed_at=record.refreshed_at,
            checked_at=record.checked_at,
            passages=record.passages,
            status=record.status,
            problem=record.problem,
            gone_at=record.gone_at,
            removed_at=record.removed_at,
            removed_by=record.removed_by,
            viewer=viewer,
        )


class RefreshedDocument(AddedDocument):
    outcome: Literal["unchanged", "changed", "gone", "failed"] = Field(
        description="unchanged: nothing re-indexed; changed: the new content replaced the old; gone (404, "
        "410) or failed: the last copy is still answered from, and `problem` says why"
    )


def token_name(request: Request, credentials: BearerDep) -> str:
    """The name of the presented token, which must have the documents scope (`auth.api_token`)."""
    return api_token(request, credentials, SCOPE).name


TokenDep = Annotated[str, Depends(token_name)]


def _library(services: ServicesDep) -> Library:
    return Library.from_settings(services)


LibraryDep = Annotated[Library, Depends(_library)]
ADD_REFUSED = (
    "A bad field (named), or an address or file that cannot be fetched or read, or a page that has gone"
)


def _key(idempotency_key: str | None) -> str:
    """The record's key: without an Idempotency-Key every request is a new one, even for the same URL."""
    return "api:" + (idempotency_key or uuid.uuid4().hex)


def _added(services: Services, record: LibraryDocument, created: bool, response: Response) -> AddedDocument:
    if not created:
        response.status_code = 200
    return AddedDocument.of(record, services.links)


@router.post(
    "/documents",
    status_code=201,
    response_model=AddedDocument,
    summary="Add a document by its address: fetched, read and indexed at once",
    responses={
        200: {
            "model": AddedDocument,
            "description": "The same Idempotency-Key was sent before: its document",
        },
        **problems(**REFUSED, e413="Body over the size limit", e422=ADD_REFUSED),
    },
)
def add_document(
    payload: DocumentIn,
    services: ServicesDep,
    library: LibraryDep,
    token: TokenDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> AddedDocument:
    added = library.add_url(  # a LibraryError (a bad field, a page that cannot be read) is a 422
        payload.url, actor=f"api:{token}", source="api", key=_key(idempotency_key), fields=payload.fields()
    )
    return _added(services, added.record, added.created, response)


@router.post(
    "/documents/upload",
    status_code=201,
    response_model=AddedDocument,
    summary="Add a document by uploading its file (multipart/form-data): read and indexed at once",
    responses={
        200: {
            "model": AddedDocument,
            "description": "The same Idempotency-Key was sent before: its document",
        },
        **problems(
            **REFUSED,
            e413="A file over PARTNERBOT_MAX_FILE_BYTES",
            e422="A bad field (named), or a file that cannot be read",
        ),
    },
)
def upload_document(
    file: Annotated[UploadFile, File(description="A .pdf, .docx, .html, .md or .txt file")],
    services: ServicesDep,
    library: LibraryDep,
    token: TokenDep,
    response: Response,
    title: Annotated[str | None, Form()] = None,
    author: Annotated[str | None, Form()] = None,
    organisation: Annotated[str | None, Form()] = None,
    published: Annotated[str | None, Form(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    kind: Annotated[str | None, Form()] = None,
    visibility: Annotated[str | None, Form(description="public, partners (the default) or internal")] = None,
    readers: Annotated[list[str] | None, Form(description="Repeat for each group or channel id")] = None,
    topics: Annotated[list[str] | None, Form(description="Repeat for each topic")] = None,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> AddedDocument:
    limit = services.settings.max_file_bytes
    data = file.file.read(limit + 1)  # one byte over is enough to refuse it
    fields = Fields(
        title=title,
        author=author,
        topics=tuple(topics or ()),
        organisation=organisation,
        published=published,
        kind=kind or "document",
        visibility=visibility or "partners",
        readers=tuple(readers or ()),
    )
    try:
        added = library.add_bytes(
            file.filename or "upload",
            data,
            actor=f"api:{token}",
            source="api",
            key=_key(idempotency_key),
            fields=fields,
        )
    except LibraryError as exc:
        raise HTTPException(413 if len(data) > limit else 422, str(exc)) from exc
    return _added(services, added.record, added.created, response)


@router.get(
    "/documents/added",
    response_model=list[AddedDocument],
    summary="The documents added from Slack, the CLI and this API, newest first",
    responses=problems(**REFUSED, e422="`removed` is not true or false"),
)
def list_added(
    services: ServicesDep,
    library: LibraryDep,
    token: TokenDep,
    removed: Annotated[bool, Query(description="With the removed ones too (their records stay)")] = False,
) -> list[AddedDocument]:
    return [AddedDocument.of(record, services.links) for record in library.records(removed=removed)]


def _record(services: Services, library: Library, doc_id: str) -> LibraryDocument:
    """The added document `doc_id`, or a 404 saying why: a corpus folder's document is not changed here."""
    try:
        return library.find(doc_id)
    except LibraryError as exc:
        indexed = services.index.document(doc_id)
        origin = indexed[0].origin if indexed is not None else None
        if origin == "announcement":
            detail = f"{doc_id!r} is an announcement, not an added document: withdraw it instead"
        elif origin is not None and origin != "library":
            detail = (
                f"{doc_id!r} is a document of the corpus folder, not an added one: it is removed by deleting "
                "its file from the corpus folder and running `partnerbot ingest`"
            )
        else:
            detail = str(exc)
        raise HTTPException(404, detail) from exc


@router.delete(
    "/documents/{doc_id}",
    response_model=AddedDocument,
    summary="Remove an added document: out of the index and the viewer at once; its record stays",
    responses=problems(
        **REFUSED, e404="No added document has this id (a corpus folder's cannot be removed here)"
    ),
)
def remove_document(
    doc_id: str, services: ServicesDep, library: LibraryDep, token: TokenDep
) -> AddedDocument:
    record = _record(services, library, doc_id)
    removed = library.remove(record, actor=f"api:{token}", source="api")  # a LibraryError is a 422
    return AddedDocument.of(removed, services.links)


@router.post(
    "/documents/{doc_id}/refresh",
    response_model=RefreshedDocument,
    summary="Fetch an added document's address again now; unchanged content is not re-indexed",
    responses=problems(
        **REFUSED,
        e404="No added document has this id",
        e422="The document was uploaded, not added by address: upload the new version instead",
    ),
)
def refresh_document(
    doc_id: str, services: ServicesDep, library: LibraryDep, token: TokenDep
) -> RefreshedDocument:
    record = _record(services, library, doc_id)
    refreshed = library.refresh(record, actor=f"api:{token}", source="api")  # a LibraryError is a 422
    body: dict[str, Any] = AddedDocument.of(refreshed.record, services.links).model_dump()
    return RefreshedDocument.model_validate({**body, "outcome": refreshed.outcome})
