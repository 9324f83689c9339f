"""Cold start: a fresh process's wall time to its first answer (`partnerbot ask`) and to `/readyz`
200 (`partnerbot serve`), on an existing index, for each encoder backend.

Run: `.venv/bin/python bench/cold_start.py [--runs N]`. The index is built first (not timed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import free_port

BIN = Path(sys.executable).parent / "partnerbot"
QUESTION = "who do I ping about getting my kit trialled?"


def ask(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(BIN), "ask", QUESTION], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def serve(env: dict[str, str]) -> float:
    port = free_port()
    started = time.perf_counter()
    command = [str(BIN), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise SystemExit("serve: not ready after 120 s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they are measured
    with tempfile.TemporaryDirectory(prefix="partnerbot-cold-") as data:
        base = {**os.environ, "PARTNERBOT_DATA_DIR": data, "HF_HUB_OFFLINE": "1"}
        subprocess.run([str(BIN), "ingest"], env=base, check=True, capture_output=True)
        print(f"{os.cpu_count()} cores; {args.runs} runs each on an existing index; wall s, median (min–max)")
        for backend in ("onnx", "torch"):
            env = {**base, "PARTNERBOT_EMBEDDING_BACKEND": backend}
            for name, measure in (("partnerbot ask", ask), ("partnerbot serve → /readyz 200", serve)):
                times = [measure(env) for _ in range(args.runs)]
                print(
                    f"  {backend:5} {name:31} {statistics.median(times):.2f} s "
                    f"({min(times):.2f}–{max(times):.2f})"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
