"""`partnerbot serve` as a person runs it: a real process on a real port."""

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
        answer = httpx.post(
            f"http://127.0.0.1:{port}/api/ask", json={"question": "Who is Rob Webster?"}, timeout=60
        ).json()
        viewer = httpx.get(answer["sources"][0]["url"], timeout=30)
        assert viewer.status_code == 200
        assert f'id="chunk-{answer["sources"][0]["chunk"]}"' in viewer.text
    finally:
        process.terminate()
        process.wait(timeout=30)
    log = process.stdout.read().decode()
    assert log.count("Started server process") == workers, log
