"""POST/GET/DELETE /api/announcements: the communications group's announcements from other tools.

A bearer token (made with `partnerbot announcements token create NAME`, or its SHA-256 set as
PARTNERBOT_ANNOUNCE_API_TOKEN_SHA256) stands for membership of the group; every call, allowed or
refused, is audited. An Idempotency-Key header makes a retried request post once.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from bot.announce.draft import AnnouncementError, make_draft
from bot.announce.service import Announcer
from bot.announce.summary import as_dict
from bot.services import Services
from bot.throttle import Throttle
from bot.web.deps import ServicesDep, client_address
from bot.web.errors import problems
from config.errors import ConfigError

router = APIRouter(prefix="/api", tags=["announcements"])
_bearer = HTTPBearer(auto_error=False, description="A token from `partnerbot announcements token create`")
CHALLENGE = {"WWW-Authenticate": "Bearer"}


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


def token_name(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The name of the presented token, or 401 (audited). A client with too many failures in the
    last minute gets 429 and a Retry-After without its token being looked at."""
    client = client_address(request)
    throttle: Throttle = request.app.state.token_failures
    wait = throttle.retry_after(client)
    if wait:
        seconds = str(math.ceil(wait))
        raise HTTPException(
            429,
            f"too many failed tokens from this address: try again in {seconds} s",
            {"Retry-After": seconds},
        )
    if credentials is None or not credentials.credentials:
        _refuse(services, throttle, client, "no bearer token")
        raise HTTPException(401, "send Authorization: Bearer <token>", headers=CHALLENGE)
    name = services.token_name(credentials.credentials)
    if name is None:
        _refuse(services, throttle, client, "unknown or revoked token")
        raise HTTPException(401, "the bearer token is not valid (unknown or revoked)", headers=CHALLENGE)
    return name


def _refuse(services: Services, throttle: Throttle, client: str, reason: str) -> None:
    throttle.hit(client)
    services.audit("announce", "api:?", "api", allowed=False, reason=reason)


TokenDep = Annotated[str, Depends(token_name)]
REFUSED = {
    "e401": "No bearer token, or one unknown or revoked (WWW-Authenticate: Bearer)",
    "e429": "Too many failed tokens from this address (Retry-After)",
}


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
