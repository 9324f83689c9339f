"""What routes need, as `Annotated` aliases: a route's signature says what it uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from bot.services import Services
from config.settings import Settings
from retrieval.index import Index


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_settings(request: Request) -> Settings:
    return request.app.state.services.settings


def get_index(request: Request) -> Index:
    return request.app.state.services.index


def client_address(request: Request) -> str:
    """Who a limit counts on the web: the client's address (behind a proxy, as it forwarded it)."""
    return f"ip:{request.client.host if request.client else '?'}"


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
IndexDep = Annotated[Index, Depends(get_index)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
