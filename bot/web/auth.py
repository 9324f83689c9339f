"""Who is reading, and so what they may read: the `Access` of a web request.

Looked for in this order: an API token (`Authorization: Bearer`, with the `ask` scope: partners'
rights and the token's groups); a signed link's token in `?t=` (a citation's opens its one document,
a session link's any page); the session cookie a session link sets (`/?t=…`); and, only when the
deployment is public (PARTNERBOT_WEB_PUBLIC), anyone, with `PUBLIC` rights. Anything else is
refused, saying how to get in, before any document is looked up: a refusal never depends on
whether a document exists.

Every API's bearer token goes through `api_token`: failures are throttled per address and audited.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from bot.links import LinkRefused
from bot.services import Services
from bot.state.tokens import Token
from bot.throttle import Throttle
from bot.web.deps import client_address
from bot.web.errors import wants_json
from retrieval.access import PUBLIC, Access

SESSION_COOKIE = "partnerbot_session"
CHALLENGE = {"WWW-Authenticate": "Bearer"}
PRIVATE_PAGE = "this partnerbot is private: its pages are for the cluster's partners"
PRIVATE_API = (
    "this partnerbot is private: send Authorization: Bearer <token> with a token of the ask scope "
    "(partnerbot token create NAME --scope ask)"
)
# A route's refusals for OpenAPI (`problems(**REFUSED, …)`)
REFUSED = {
    "e401": "No bearer token (or web session), or one unknown, revoked or expired (WWW-Authenticate: Bearer)",
    "e403": "A token without this API's scope, or a signed link not valid here",
    "e429": "Too many failed tokens from this address (Retry-After)",
}

bearer = HTTPBearer(
    auto_error=False,
    description="A token from `partnerbot token create NAME --scope ask|announce|documents` (stored hashed)",
)
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="Set by opening a session link: partnerbot's Home tab in Slack, or `partnerbot link`",
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def api_token(request: Request, credentials: HTTPAuthorizationCredentials | None, scope: str) -> Token:
    """The presented token when it is known, not revoked and has `scope`; else 401 or 403, audited
    (the scope names the action). A client with too many failed tokens in the last minute gets 429
    and a Retry-After without its token being looked at."""
    services: Services = request.app.state.services
    throttle: Throttle = request.app.state.token_failures
    client = client_address(request)
    if wait := throttle.retry_after(client):
        seconds = str(math.ceil(wait))
        raise HTTPException(
            429,
            f"too many failed tokens from this address: try again in {seconds} s",
            {"Retry-After": seconds},
        )
    if credentials is None or not credentials.credentials:
        _failed(services, throttle, client, scope, "no bearer token")
        raise HTTPException(401, "send Authorization: Bearer <token>", headers=CHALLENGE)
    token = services.api_token(credentials.credentials)
    if token is None:
        _failed(services, throttle, client, scope, "unknown or revoked token")
        raise HTTPException(401, "the bearer token is not valid (unknown or revoked)", headers=CHALLENGE)
    if scope not in token.scopes:  # a real token, used for the wrong API: not a guess, not throttled
        services.audit(scope, f"api:{token.name}", "api", allowed=False, reason=f"no {scope} scope")
        raise HTTPException(
            403,
            f"the token {token.name!r} has no {scope} scope: make one with "
            f"partnerbot token create NAME --scope {scope}",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
        )
    return token


def _failed(services: Services, throttle: Throttle, client: str, action: str, reason: str) -> None:
    throttle.hit(client)
    services.audit(action, "api:?", "api", allowed=False, reason=reason)


def reader(
    request: Request,
    credentials: BearerDep,
    cookie: Annotated[str | None, Depends(session_cookie)],
) -> Access:
    """The rights of whoever sent the request (see the module's docstring), or 401/403 saying why.

    A link's token is checked for the document in the path (`/sources/{doc_id}`, never a query
    parameter, which anyone could add), so a citation link opens its document and nothing else.
    """
    services: Services = request.app.state.services
    if credentials is not None:
        token = api_token(request, credentials, "ask")
        return Access(partner=True, groups=token.groups)
    link = request.query_params.get("t")
    if link is not None:  # LinkRefused is a 403 saying why (`errors`)
        return services.links.check(link, request.path_params.get("doc_id")).access
    if cookie:
        try:
            return services.links.check(cookie).access
        except LinkRefused as exc:
            raise _private(request, f"your session cannot be used: {exc}") from exc
    if services.settings.web_public:
        return PUBLIC
    raise _private(request)


ReaderDep = Annotated[Access, Depends(reader)]


def _private(request: Request, reason: str | None = None) -> HTTPException:
    detail = PRIVATE_API if wants_json(request) else PRIVATE_PAGE
    return HTTPException(401, f"{detail}; {reason}" if reason else detail, headers=CHALLENGE)


def start_session(services: Services, token: str) -> RedirectResponse:
    """Keep a session link's token (already checked by `reader`) in a cookie, and take it out of the
    address bar, where it would be bookmarked, shared or logged."""
    grant = services.links.check(token)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=grant.expires - int(services.links.clock()),
        path="/",
        secure=services.settings.public_base_url.startswith("https://"),
        httponly=True,  # no script reads it
        samesite="lax",  # another site's form or fetch does not carry it
    )
    return response
