"""`partnerbot serve` as a person runs it: a real process on a real port; and the commands that let
people into a private web surface (`partnerbot link`, `partnerbot token`)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.links import SESSION, Links
from bot.state import tokens
from bot.state.db import Database
from config.settings import load_settings
from retrieval.access import Access
from tests.conftest import CORPUS

PARTNERBOT = str(Path(sys.executable).parent / "partnerbot")


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    env.update(PARTNERBOT_DATA_DIR=str(data), PARTNERBOT_CORPUS_DIR=str(CORPUS))
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.unit
def test_a_taken_port_is_one_clear_line_and_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run(
            [PARTNERBOT, "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env=_env(tmp_path),
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"partnerbot: port {port} on 127.0.0.1 is already in use: stop the other server or pass --port"
    )
    assert time.monotonic() - started < 30  # refused before the model is loaded


@pytest.mark.unit
@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_a_bad_port_is_refused(tmp_path, port):
    result = subprocess.run(
        [PARTNERBOT, "serve", "--port", port], capture_output=True, text=True, env=_env(tmp_path), timeout=120
    )
    assert result.returncode == 2
    assert "--port" in result.stderr


@pytest.mark.integration
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_over_http(built_data_dir, tmp_path, workers):
    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    port = _free_port()
    process = subprocess.Popen(
        [PARTNERBOT, "serve", "--port", str(port), "--workers", str(workers)],
        env=_env(data) | {"PARTNERBOT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not become ready"
            time.sleep(0.25)
        env = {"PARTNERBOT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
        made = subprocess.run([PARTNERBOT, "link"], capture_output=True, text=True, env=_env(data) | env)
        link = made.stdout.strip()  # signed with the key file the server made in the same data folder
        assert made.returncode == 0 and link.startswith(f"http://127.0.0.1:{port}/?t="), made.stderr
        ask = f"http://127.0.0.1:{port}/api/ask"
        with httpx.Client(timeout=60, follow_redirects=True) as browser:
            assert browser.post(ask, json={"question": "Who is Rob Webster?"}).status_code == 401
            assert browser.get(link).status_code == 200  # the session is a cookie now
            answer = browser.post(ask, json={"question": "Who is Rob Webster?"}).json()
        viewer = httpx.get(answer["sources"][0]["url"], timeout=30)  # signed: no session needed
        assert viewer.status_code == 200
        assert f'id="chunk-{answer["sources"][0]["chunk"]}"' in viewer.text
    finally:
        process.terminate()
        process.wait(timeout=30)
    log = process.stdout.read().decode()
    assert log.count("Started server process") == workers, log
    assert log.count("the web surface is private: `partnerbot link` prints a link") == 1, log
    assert '"GET /?t=… HTTP/1.1" 303' in log, log  # the access log keeps no token
    for url in (link, answer["sources"][0]["url"]):
        token = url.split("?t=")[1].split("#")[0]
        assert token.split(".")[1] not in log, log


def _run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PARTNERBOT, *args], capture_output=True, text=True, env=_env(data), timeout=120)


@pytest.mark.unit
def test_link_prints_a_session_link_with_the_rights_asked_for(tmp_path):
    made = _run(tmp_path, "link", "--as", "partners", "--group", "S0BOARD", "--days", "2")
    assert made.returncode == 0, made.stderr
    url, token = made.stdout.strip().split("?t=")
    assert url == "http://127.0.0.1:8000/"
    grant = Links(load_settings(data_dir=tmp_path, corpus_dir=CORPUS)).check(token)  # the same key file
    assert (grant.doc_id, grant.access) == (SESSION, Access(partner=True, groups=frozenset({"S0BOARD"})))
    assert 2 * 86400 - 60 < grant.expires - time.time() <= 2 * 86400
    refused = _run(tmp_path, "link", "--as", "public", "--group", "S0BOARD")
    assert refused.returncode == 2 and "--group" in refused.stderr


@pytest.mark.unit
def test_token_create_and_revoke_with_scopes(tmp_path):
    made = _run(tmp_path, "token", "create", "dashboard", "--scope", "ask", "--group", "S0BOARD")
    assert made.returncode == 0, made.stderr
    db = Database(load_settings(data_dir=tmp_path, corpus_dir=CORPUS))
    expected = tokens.Token("dashboard", frozenset({"ask"}), frozenset({"S0BOARD"}))
    assert tokens.verify(db, made.stdout.strip()) == expected
    bad = _run(tmp_path, "token", "create", "other", "--scope", "admin")
    assert bad.returncode == 2
    assert (
        bad.stderr.strip()
        == "partnerbot: admin: a token's scopes are ask, announce and documents, one or more"
    )
    assert _run(tmp_path, "token", "create", "other").returncode == 2  # --scope is required
    assert _run(tmp_path, "token", "revoke", "dashboard").returncode == 0
    assert tokens.verify(db, made.stdout.strip()) is None
    again = _run(tmp_path, "token", "revoke", "dashboard")
    assert again.returncode == 1 and "no active token named 'dashboard'" in again.stderr
