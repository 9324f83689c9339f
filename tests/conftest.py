"""Shared fixtures: one real embedding model and one real index of the reference corpus per session.

Tests that change the index get their own copy (`fresh_services`), so the shared one stays as built.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from langchain_core.language_models import BaseChatModel

from bot.services import Services
from config.settings import ROOT, Settings, load_settings
from retrieval.assistant import Assistant
from retrieval.embed import Embedder, OnnxEmbedder
from tests.support.fixtures import chroma_url, postgres  # noqa: F401  (servers any test may start)

SHARED = ROOT.parent / "shared"
UNLIMITED = {"questions_per_minute": 0}  # suites ask hundreds of questions; limits have their own tests
CORPUS = SHARED / "corpus"
DEV_SET = SHARED / "eval" / "dev.jsonl"


# Secrets by their form: Slack tokens, API tokens, a password in a database URL
SECRET_FORMS = re.compile(r"xox[abpe]-[\w-]{6,}|xapp-[\w-]{6,}|pbt_[\w-]{20,}|://[^\s/:@]+:[^\s/@]+@")


_printed: list[str] = []  # what each test printed to stdout and stderr (pytest's captured output)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _printed.extend(content for name, content in report.sections if not name.startswith("Captured log"))


@pytest.fixture(scope="session", autouse=True)
def _no_secret_in_any_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Issue 15: every log record of the session (INFO and up, tracebacks included) is written to
    suite.log, which is searched afterwards, with everything the tests printed, for tokens by their
    form and for the signing secrets and link keys the tests used by their value. A leak fails the
    session's last test."""
    basetemp = tmp_path_factory.getbasetemp()
    handler = logging.FileHandler(basetemp / "suite.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root, level = logging.getLogger(), logging.getLogger().level
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO))
    yield
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()
    from tests.announcements.conftest import SECRET as ANNOUNCE_SECRET
    from tests.slack.conftest import SECRET as SLACK_SECRET

    text = "\n".join([(basetemp / "suite.log").read_text(encoding="utf-8", errors="replace"), *_printed])
    keys = {path.read_text(encoding="utf-8").strip() for path in basetemp.rglob("link-secret.key")}
    values = {ANNOUNCE_SECRET, SLACK_SECRET, *keys}
    leaked = SECRET_FORMS.findall(text) + sorted(value for value in values if value and value in text)
    assert not leaked, f"secrets in the log the suite wrote ({basetemp / 'suite.log'}): {leaked[:10]}"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PARTNERBOT_* variable of the developer's shell leaks into a test."""
    import os

    for name in list(os.environ):
        if name.startswith("PARTNERBOT_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The default backend, its export kept where the CLI's subprocesses find it too."""
    model = OnnxEmbedder()
    model.warm_up()
    return model


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings with a private data folder; keyword arguments override any setting."""

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": tmp_path / "data", "corpus_dir": CORPUS, **UNLIMITED}
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture(scope="session")
def built_data_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data folder holding the index of the reference corpus, built once."""
    data = tmp_path_factory.mktemp("built") / "data"
    assistant = Assistant(load_settings(data_dir=data, corpus_dir=CORPUS), embedder=embedder)
    report = assistant.index.ingest()
    assert not report.failures, report.failures
    return data


@pytest.fixture(scope="session")
def services(built_data_dir: Path, embedder: Embedder) -> Services:
    """Read-only services over the reference corpus: do not ingest or add documents through it."""
    settings = load_settings(data_dir=built_data_dir, corpus_dir=CORPUS, **UNLIMITED)
    return Services.open(settings, Assistant(settings, embedder=embedder))


@pytest.fixture
def fresh_services(built_data_dir: Path, tmp_path: Path, embedder: Embedder) -> Callable[..., Services]:
    """Services over a private copy of the built index; keyword arguments override settings."""

    def make(*, model: BaseChatModel | None = None, **overrides: object) -> Services:
        """`model`: a (fake) chat model for the LLM writer."""
        data = tmp_path / "data"
        if not data.exists():
            shutil.copytree(built_data_dir, data)
        values: dict[str, object] = {"data_dir": data, "corpus_dir": CORPUS, **UNLIMITED}
        values.update(overrides)
        settings = load_settings(**values)
        return Services.open(settings, Assistant(settings, embedder=embedder, chat_model=model))

    return make


@pytest.fixture
def assistant(services: Services) -> Iterator[Assistant]:
    yield services.assistant
