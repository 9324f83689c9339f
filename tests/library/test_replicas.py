"""Every process sees a change: a document added through one `partnerbot serve` is answered, listed
and shown by another running on the same index, without a restart; removed, it is gone from both.

Run as a deployment runs: real processes, on a shared data folder alone (workers of one machine), or
with a Chroma server and PostgreSQL shared as well (replicas)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.conftest import CORPUS
from tests.support.postgres import create_database
from tests.support.servers import free_port

pytestmark = pytest.mark.integration
PARTNERBOT = str(Path(sys.executable).parent / "partnerbot")
PAGE = """<html><head><title>Kit trial passport</title></head><body><h1>Kit trial passport</h1>
<p>The kit trial passport lets an SME reuse one set of NHS trial paperwork across every West Yorkshire
trust. It is issued by the Grimsdyke Evaluation Office within ten working days.</p></body></html>"""
QUESTION = "who issues the kit trial passport?"


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line on stderr per request."""


@contextmanager
def web_page(folder: Path) -> Iterator[str]:
    """An address on loopback serving `folder`."""
    handler = functools.partial(QuietFiles, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """A `partnerbot serve` process, ready; its address."""
    port = free_port()
    process = subprocess.Popen(
        [PARTNERBOT, "serve", "--port", str(port)],
        env=env | {"PARTNERBOT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _ready(url, process), 180, "serve did not become ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _ready(url: str, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def wait_until(check: Callable[[], bool], seconds: float, failure: str) -> float:
    """Seconds until `check` held (polled every 0.2 s)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, failure
        time.sleep(0.2)
    return time.monotonic() - started


def cited(url: str, token: str) -> list[str]:
    answer = httpx.post(
        f"{url}/api/ask",
        json={"question": QUESTION},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return [source["doc_id"] for source in answer.json()["sources"]]


@pytest.mark.parametrize(
    "shared", ["data folder", pytest.param("chroma server and postgresql", marks=pytest.mark.postgres)]
)
def test_a_document_added_through_one_process_is_answered_by_another(
    shared: str, built_data_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    env |= {
        "PARTNERBOT_DATA_DIR": str(data),
        "PARTNERBOT_CORPUS_DIR": str(CORPUS),
        "PARTNERBOT_FETCH_PRIVATE": "true",
        "PARTNERBOT_QUESTIONS_PER_MINUTE": "0",
    }
    if shared == "data folder":
        shutil.copytree(built_data_dir, data)
    else:  # the first process builds the index into the Chroma server
        env["PARTNERBOT_CHROMA_URL"] = request.getfixturevalue("chroma_url")
        env["PARTNERBOT_DATABASE_URL"] = create_database(request.getfixturevalue("postgres"))
    made = subprocess.run(
        [PARTNERBOT, "token", "create", "replicas", "--scope", "ask", "--scope", "documents"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().split()[-1]
    site = tmp_path / "site"
    site.mkdir()
    (site / "passport.html").write_text(PAGE, encoding="utf-8")

    with web_page(site) as pages, serving(env) as first, serving(env) as second:
        assert "kit-trial-passport" not in cited(second, token)
        added = httpx.post(
            f"{first}/api/documents",
            json={"url": f"{pages}/passport.html", "organisation": "Grimsdyke Evaluation Office"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert added.status_code == 201, added.text
        doc_id = added.json()["doc_id"]
        assert doc_id == "kit-trial-passport"

        seconds = wait_until(lambda: doc_id in cited(second, token), 15, "the other process never saw it")
        print(f"\nanswered by the other process {seconds:.1f} s after it was added ({shared})")
        listed = httpx.get(
            f"{second}/api/documents", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert doc_id in [d["doc_id"] for d in listed.json()]
        viewer = httpx.get(next(d["url"] for d in listed.json() if d["doc_id"] == doc_id), timeout=30)
        assert viewer.status_code == 200 and "Grimsdyke Evaluation Office" in viewer.text

        removed = httpx.delete(
            f"{second}/api/documents/{doc_id}", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        assert removed.status_code == 200, removed.text
        wait_until(lambda: doc_id not in cited(first, token), 15, "the first process still cites it")
        assert httpx.get(viewer.url, timeout=30).status_code == 404
