"""What the benchmark scripts share."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from pathlib import Path

from config.settings import ROOT, load_settings
from retrieval.embed import Embedder, make_embedder

CORPUS = ROOT.parent / "shared" / "corpus"
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the value below which q of the samples fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(description: str, argv: list[str] | None) -> tuple[argparse.Namespace, Embedder, list[str]]:
    """The options, the warmed encoder and the dev questions of a script that measures the reference
    corpus and, with --chunks, a generated one."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--chunks", type=int, default=0, help="also a generated corpus of this many chunks")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    embedder = make_embedder(load_settings())
    embedder.warm_up()
    questions = [json.loads(line)["question"] for line in DEV_SET.read_text().splitlines() if line.strip()]
    return args, embedder, questions
