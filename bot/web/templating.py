"""The Jinja environment: autoescaped templates, plus the few filters the pages share."""

from __future__ import annotations

from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates

from bot.web.markup import cited_answer, http_url, sentence
from config.settings import Settings

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
TEMPLATE_DIR = HERE / "templates"


def make_templates(settings: Settings) -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True)
    templates = Jinja2Templates(env=env)
    env.filters["cited"] = cited_answer
    env.filters["http_url"] = http_url
    env.filters["sentence"] = sentence
    env.globals["max_question_chars"] = settings.max_question_chars
    env.globals["front_door"] = settings.front_door  # a person to ask when the documents do not answer
    return templates
