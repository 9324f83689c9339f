"""Load on loopback: N concurrent clients for T seconds against `/api/ask` of a real `partnerbot
serve`, with 1 and 2 worker processes: throughput, p50/p95/p99, errors and the server's peak memory.

Run: `.venv/bin/python bench/load.py [--seconds T] [--clients 1 2 4] [--workers 1 2]`. The index of the
reference corpus is built first (not timed); the question limit is switched off for the server.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from common import free_port, percentile

from bot.web.auth import SESSION_COOKIE

BIN = Path(sys.executable).parent / "partnerbot"
DEV_SET = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev_paraphrase.jsonl"


def tree_rss_mib(root: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    tree, grown = {root}, True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    return sum(rss.get(pid, 0) for pid in tree) / 2**20


class PeakMemory:
    """Samples a process tree's memory twice a second while in use."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, tree_rss_mib(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, tree_rss_mib(self.pid))


def run_clients(
    url: str, questions: list[str], clients: int, seconds: float, session: str
) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        with httpx.Client(timeout=30, cookies={SESSION_COOKIE: session}) as http:
            i = offset
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    ok = http.post(url, json={"question": questions[i % len(questions)]}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    if ok:
                        latencies.append((time.perf_counter() - started) * 1000)
                    else:
                        errors[0] += 1
                i += clients

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "answers": len(latencies),
        "per_s": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 0.5) if latencies else 0.0,
        "p95_ms": percentile(latencies, 0.95) if latencies else 0.0,
        "p99_ms": percentile(latencies, 0.99) if latencies else 0.0,
        "errors": errors[0],
    }


def serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [str(BIN), "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("serve did not become ready in 180 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they are measured
    questions = [json.loads(line)["question"] for line in DEV_SET.read_text().splitlines() if line.strip()]
    figures: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="partnerbot-load-") as data:
        env = {**os.environ, "PARTNERBOT_DATA_DIR": data, "PARTNERBOT_QUESTIONS_PER_MINUTE": "0"}
        subprocess.run([str(BIN), "ingest"], env=env, check=True, capture_output=True)
        link = subprocess.run([str(BIN), "link"], env=env, check=True, capture_output=True, text=True)
        session = link.stdout.strip().rpartition("?t=")[2]  # a partner's session: the site is private
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {args.seconds:.0f} s a run")
        for workers in args.workers:
            server, base = serve(env, workers)
            try:
                with PeakMemory(server.pid) as memory:
                    for clients in args.clients:
                        got = run_clients(f"{base}/api/ask", questions, clients, args.seconds, session)
                        figures[f"workers={workers} clients={clients}"] = got
                        print(
                            f"  workers {workers}, clients {clients}: {got['per_s']:.1f} answers/s, "
                            f"p50/p95/p99 {got['p50_ms']:.0f}/{got['p95_ms']:.0f}/{got['p99_ms']:.0f} ms, "
                            f"errors {got['errors']:.0f}"
                        )
            finally:
                server.terminate()
                server.wait(timeout=60)
            figures[f"workers={workers}"] = {"peak_rss_mib": memory.peak}
            print(f"  workers {workers}: peak memory of the server processes {memory.peak:.0f} MiB")
    top = max(args.clients)
    if {1, 2} <= set(args.workers):
        one, two = (figures[f"workers={w} clients={top}"]["per_s"] for w in (1, 2))
        print(f"throughput with 2 workers against 1, at {top} clients: {two / one:.2f}×")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
