"""POST/GET/DELETE /api/announcements: the communications group's announcements from other tools.

A bearer token with the announce scope (made with `partnerbot token create NAME --scope announce`,
or its SHA-256 set as PARTNERBOT_ANNOUNCE_API_TOKEN_SHA256) stands for membership of the group; every
call, allowed or refused, is audited. An Idempotency-Key header makes a retried request post once.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from bot.announce.draft import AnnouncementError, make_draft
from bot.announce.service import Announcer
from bot.announce.summary import as_dict
from bot.web.auth import REFUSED, BearerDep, api_token
from bot.web.deps import ServicesDep
from bot.web.errors import problems
from config.errors import ConfigError

router = APIRouter(prefix="/api", tags=["announcements"])


class AnnouncementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(examples=["Innovation fund: round 3 open"])
    body: str = Field(examples=["Grants of up to £50k for SMEs piloting with West Yorkshire trusts."])
    channels: list[str] = Field(
        description="Ids among PARTNERBOT_ANNOUNCE_CHANNELS", examples=[["C0PARTNERS"]]
    )
    author: str = Field(
        min_length=1, max_length=200, description="Named in the posts", examples=["Comms team"]
    )
    link: str | None = None
    expires: date | None = Field(None, description="After this date the announcement is no longer cited")


def token_name(request: Request, credentials: BearerDep) -> str:
    """The name of the presented token, which must have the announce scope (`auth.api_token`)."""
    return api_token(request, credentials, "announce").name


TokenDep = Annotated[str, Depends(token_name)]


def _announcer(services: ServicesDep) -> Announcer:
    try:
        return Announcer.from_settings(services)
    except ConfigError as exc:
        raise HTTPException(503, str(exc)) from exc


@router.post(
    "/announcements",
    status_code=201,
    summary="Post an announcement to the chosen channels",
    responses=problems(
        **REFUSED,
        e413="Body over the size limit",
        e422="A bad field: empty title, unknown channel, a date in the past…",
        e503="No Slack bot token configured",
    ),
)
def post_announcement(
    payload: AnnouncementIn,
    services: ServicesDep,
    token: TokenDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> dict[str, Any]:
    fields = payload.model_dump(exclude={"author"})
    try:
        draft = make_draft(services.settings, fields)
    except AnnouncementError as exc:
        raise HTTPException(422, str(exc)) from exc
    content = json.dumps({**draft.model_dump(mode="json"), "author": payload.author}, sort_keys=True)
    key = "api:" + (idempotency_key or hashlib.sha256(content.encode()).hexdigest())
    outcome = _announcer(services).announce(
        draft, key=key, source="api", actor=f"api:{token}", author_id=None, author_name=payload.author.strip()
    )
    if not outcome.created:
        response.status_code = 200
    return {**as_dict(outcome.announcement), "failed": outcome.failed}


@router.get("/announcements", summary="Every announcement, newest first", responses=problems(**REFUSED))
def list_announcements(services: ServicesDep, token: TokenDep) -> list[dict[str, Any]]:
    return [as_dict(row) for row in services.announcements()]


@router.delete(
    "/announcements/{announcement_id}",
    summary="Withdraw: delete the posts, leave the index",
    responses=problems(
        **REFUSED,
        e404="No announcement with this id",
        e422="The id is not a whole number from 1 to 2^63-1",
        e503="No Slack bot token configured",
    ),
)
def withdraw_announcement(
    announcement_id: Annotated[int, Path(ge=1, le=2**63 - 1, description="The announcement's id")],
    services: ServicesDep,
    token: TokenDep,
) -> dict[str, Any]:
    if services.announcement(announcement_id) is None:
        raise HTTPException(404, f"there is no announcement {announcement_id}")
    outcome = _announcer(services).withdraw(announcement_id, actor=f"api:{token}", source="api")
    return {**as_dict(outcome.announcement), "failed": outcome.failed}
