"""The web app over the real services: in process (TestClient) and on a loopback port (uvicorn).

The web surface is private by default, so `client` is a partner's browser, signed in the way a
person is (a session link, `/?t=…`); `anonymous` is nobody's.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from bot.links import SESSION
from bot.services import Services
from bot.state.db import Database
from bot.web.app import create_app
from bot.web.auth import SESSION_COOKIE
from config.settings import load_settings
from retrieval.access import PARTNERS, Access
from retrieval.assistant import Assistant
from retrieval.embed import Embedder
from tests.conftest import CORPUS, UNLIMITED

ANSWERABLE = "What are the three headline goals of the healthtech strategy?"
UNANSWERABLE = "What is the boiling point of water at sea level?"


@pytest.fixture(scope="module")
def web_services(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Services:
    """The shared model and index, with a state store of its own: the questions these tests ask
    are logged, and must not land in the shared data folder that other tests copy."""
    state = tmp_path_factory.mktemp("web-db")
    settings = services.settings.model_copy(update={"database_url": f"sqlite:///{state / 'web.db'}"})
    db = Database(settings)
    db.migrate()
    return Services(settings, services.assistant, db)


def sign_in(client: TestClient, services: Services, access: Access = PARTNERS) -> TestClient:
    """Open a session link, as a browser does: the session is kept in the client's cookie jar."""
    response = client.get(f"/?t={services.links.token(SESSION, access)}", follow_redirects=False)
    assert response.status_code == 303, response.text
    assert SESSION_COOKIE in client.cookies
    return client


@pytest.fixture(scope="module")
def client(web_services: Services) -> Iterator[TestClient]:
    """A partner's browser."""
    with TestClient(create_app(web_services.settings, web_services)) as test_client:
        yield sign_in(test_client, web_services)


@pytest.fixture(scope="module")
def anonymous(web_services: Services) -> Iterator[TestClient]:
    """A visitor with no session and no token."""
    with TestClient(create_app(web_services.settings, web_services)) as test_client:
        yield test_client


@dataclass
class LiveServer:
    url: str
    services: Services

    @property
    def cookies(self) -> dict[str, str]:
        """A partner's session, for plain HTTP clients."""
        return {SESSION_COOKIE: self.services.links.token(SESSION, PARTNERS)}


@pytest.fixture(scope="session")
def live_server(
    built_data_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The real app under uvicorn in a thread; its public base URL is its own, so citations work."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    state = tmp_path_factory.mktemp("web-state")
    settings = load_settings(
        data_dir=built_data_dir,
        corpus_dir=CORPUS,
        public_base_url=url,
        database_url=f"sqlite:///{state / 'web.db'}",
        **UNLIMITED,
    )
    services = Services.open(settings, Assistant(settings, embedder=embedder))
    server = uvicorn.Server(uvicorn.Config(create_app(settings, services), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
    yield LiveServer(url, services)
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()
