"""Load on loopback: N concurrent clients for T seconds against `/api/ask` of a real `partnerbot
serve`, with 1 and 2 worker processes: throughput, p50/p95/p99, errors, the cores the server kept
busy and its peak memory.

Run: `.venv/bin/python bench/load.py [--seconds T] [--clients 1 2 4] [--workers 1 2]`. The index of the
reference corpus is built first (not timed); the question limit is switched off for the server.

The clients share the machine's cores with the server, so they are light: one thread of asyncio
writing prepared requests (a few per cent of a core). Each request opens its own connection, as
Slack's do, so the kernel spreads them over the workers (a kept-alive connection stays with the
worker that took it). One worker already keeps more than one core busy (answers overlap where the
encoder, Chroma and numpy release the GIL), so the run is repeated with that worker held to one core:
two workers on two cores against one worker on one is how the workers scale with cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
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


def tree(root: int) -> dict[int, list[str]]:
    """The /proc/PID/stat fields of a process and all its descendants."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
    members, grown = {root}, True
    while grown:
        grown = False
        for pid, fields in stats.items():
            if int(fields[1]) in members and pid not in members:
                members.add(pid)
                grown = True
    return {pid: stats[pid] for pid in members if pid in stats}


def tree_rss_mib(root: int) -> float:
    return sum(int(fields[21]) for fields in tree(root).values()) * os.sysconf("SC_PAGE_SIZE") / 2**20


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user and system) the process tree has used so far."""
    ticks = sum(int(fields[11]) + int(fields[12]) for fields in tree(root).values())
    return ticks / os.sysconf("SC_CLK_TCK")


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


def requests(base: str, questions: list[str], session: str) -> list[bytes]:
    host = base.removeprefix("http://")
    prepared = []
    for question in questions:
        body = json.dumps({"question": question}).encode()
        head = (
            f"POST /api/ask HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Cookie: {SESSION_COOKIE}={session}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        prepared.append(head.encode() + body)
    return prepared


_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


async def run_clients(
    base: str, prepared: list[bytes], clients: int, seconds: float, server: int
) -> dict[str, float]:
    """`clients` loops, each asking one question at a time on a new connection, for `seconds`."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def client(offset: int) -> None:
        nonlocal errors
        i = offset
        while time.monotonic() < stop:
            started = time.perf_counter()
            writer = None
            try:
                reader, writer = await asyncio.open_connection(host, int(port))
                writer.write(prepared[i % len(prepared)])
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                length = _LENGTH.search(head)
                await reader.readexactly(int(length.group(1)) if length else 0)
                ok = head.startswith(b"HTTP/1.1 200")
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                ok = False
            finally:
                if writer is not None:
                    writer.close()
            if ok:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1
            i += clients

    server_cpu, own_cpu = tree_cpu_s(server), time.process_time()
    await asyncio.gather(*(client(n) for n in range(clients)))
    server_cpu, own_cpu = tree_cpu_s(server) - server_cpu, time.process_time() - own_cpu
    answers = len(latencies)
    return {
        "answers": answers,
        "per_s": answers / seconds,
        "p50_ms": percentile(latencies, 0.5) if latencies else 0.0,
        "p95_ms": percentile(latencies, 0.95) if latencies else 0.0,
        "p99_ms": percentile(latencies, 0.99) if latencies else 0.0,
        "errors": errors,
        "server_cores": server_cpu / seconds,
        "server_cpu_ms_per_answer": 1000 * server_cpu / answers if answers else 0.0,
        "client_cores": own_cpu / seconds,
    }


def serve(env: dict[str, str], workers: int, cores: set[int] | None) -> tuple[subprocess.Popen, str]:
    """`cores`: the cores the server may use (all when None)."""
    port = free_port()
    command = [str(BIN), "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # set in the child before it runs: every thread and worker it starts inherits it
        preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
    )
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
    cores = sorted(os.sched_getaffinity(0))
    runs: list[tuple[int, set[int] | None]] = [(w, None) for w in args.workers]
    if 1 in args.workers and len(cores) > 1:
        runs.insert(1, (1, {cores[0]}))  # one worker on one core
    figures: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="partnerbot-load-") as data:
        env = {**os.environ, "PARTNERBOT_DATA_DIR": data, "PARTNERBOT_QUESTIONS_PER_MINUTE": "0"}
        subprocess.run([str(BIN), "ingest"], env=env, check=True, capture_output=True)
        link = subprocess.run([str(BIN), "link"], env=env, check=True, capture_output=True, text=True)
        session = link.stdout.strip().rpartition("?t=")[2]  # a partner's session: the site is private
        print(f"{len(cores)} cores, load average {os.getloadavg()[0]:.1f}; {args.seconds:.0f} s a run")
        for workers, pinned in runs:
            label = f"workers={workers}" + (" one core" if pinned else "")
            server, base = serve(env, workers, pinned)
            prepared = requests(base, questions, session)
            try:
                with PeakMemory(server.pid) as memory:
                    for clients in args.clients:
                        got = asyncio.run(run_clients(base, prepared, clients, args.seconds, server.pid))
                        figures[f"{label} clients={clients}"] = got
                        print(
                            f"  {label}, clients {clients}: {got['per_s']:.1f} answers/s, "
                            f"p50/p95/p99 {got['p50_ms']:.0f}/{got['p95_ms']:.0f}/{got['p99_ms']:.0f} ms, "
                            f"errors {got['errors']:.0f}; server busy {got['server_cores']:.2f} cores, "
                            f"{got['server_cpu_ms_per_answer']:.1f} CPU-ms an answer; "
                            f"clients {got['client_cores']:.2f} cores"
                        )
            finally:
                server.terminate()
                server.wait(timeout=60)
            figures[label] = {"peak_rss_mib": memory.peak}
            print(f"  {label}: peak memory of the server processes {memory.peak:.0f} MiB")
    top = max(args.clients)
    if {1, 2} <= set(args.workers):
        two = figures[f"workers=2 clients={top}"]["per_s"]
        for label in ("workers=1", "workers=1 one core"):
            if f"{label} clients={top}" in figures:
                one = figures[f"{label} clients={top}"]["per_s"]
                against = label.replace("=", " ")
                print(f"throughput with 2 workers against {against}, at {top} clients: {two / one:.2f}×")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
