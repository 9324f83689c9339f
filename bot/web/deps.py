"""What routes need, as `Annotated` aliases: a route's signature says what it uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from bot.services import Services
from config.settings import Settings
from retrieval.assistant import Assistant


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_settings(request: Request) -> Settings:
    return request.app.state.services.settings


def get_assistant(request: Request) -> Assistant:
    return request.app.state.services.assistant


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
