"""The benchmark script still runs end to end and prints its figures (a smoke run, not a timing test)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import ROOT

pytestmark = pytest.mark.integration

INGEST = r"^  ingest throughput: \d+\.\d chunks/s \(\d+\.\d s\); raw encoder: \d+\.\d chunks/s \(\d+\.\d s\)$"
FIGURES = [
    *(
        rf"^{backend}: model load \d+\.\d s; raw encoder by batch size \(reference chunks\): "
        r"16: \d+\.\d chunks/s, 64: \d+\.\d chunks/s$"
        for backend in ("torch", "onnx")
    ),
    r"^reference corpus: 5 documents, \d+ chunks \(\d+ sentences pooled from them\)$",
    r"^generated corpus: \d+ documents, \d+ chunks \(\d+ sentences pooled from them\)$",
    r"^  index open: \d+\.\d s \(not counted in ingest\)$",
    INGEST,
    r"^  query latency: p50 \d+ ms, p95 \d+ ms \(3 queries\); the plain LangChain pipeline on the same "
    r"questions: p50 \d+ ms, p95 \d+ ms with this encoder, p50 \d+ ms, p95 \d+ ms with "
    r"sentence-transformers on torch$",
    r"^  per question, mean: encode the question \d+\.\d ms, dense search \(Chroma\) \d+\.\d ms, "
    r"keyword search \(BM25\) \d+\.\d ms, score the sentences \d+\.\d ms, write the answer \d+\.\d ms, "
    r"everything else -?\d+\.\d ms$",
    r"^  re-ingest, nothing changed: \d+\.\d\d s for \d+ documents \(\d+\.\d\d s per 1,000\)$",
    r"^  peak memory of this process so far: \d+ MiB$",
]


def test_quick_benchmark_prints_every_figure(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--json", str(out)],
        env={**env, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    for figure in FIGURES:
        assert any(re.match(figure, line) for line in lines), (figure, result.stdout)
    assert sum(bool(re.match(INGEST, line)) for line in lines) == 2  # reference and generated
    figures = json.loads(out.read_text())
    assert figures["generated"]["ingest"]["chunks"] >= 100
    for corpus in ("reference", "generated"):
        assert figures[corpus]["ingest"]["chunks"] == figures[corpus]["encoder"]["chunks"]
        assert 0 < figures[corpus]["latency"]["p50_ms"] <= figures[corpus]["latency"]["p95_ms"]
        stages = figures[corpus]["stages_ms"]
        assert stages["encode the question"] > 0 and stages["score the sentences"] > 0, stages


def test_quality_benchmark_prints_partnerbot_beside_the_plain_pipeline(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "a", "question": "who wrote the LAHP blog?", "answerable": true, '
        '"gold_docs": ["new-healthtech-agreement"], "key_facts": [["Jo-Anne Wass"]]}\n'
        '{"id": "b", "question": "boiling point of water?", "answerable": false}\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "quality.py"), "--questions", str(questions)],
        env={**env, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "q.jsonl (2 questions)"
    figure = r"hit@1 \d\.\d\d  recall \d\.\d\d  answered \d\.\d\d  declined (\d\.\d\d)"
    ours = re.search(rf"^  partnerbot +{figure}", lines[2])
    plain = re.search(rf"^  langchain +{figure}", lines[3])
    assert ours and plain, lines
    assert ours.group(1) == "1.00" and plain.group(1) == "0.00", "the plain pipeline never declines"


def test_hostile_benchmark_prints_inputs_and_5xx_per_entry_point() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "hostile.py"), "--api", "2", "--slack", "4"],
        env={**env, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    rows = re.findall(r"^(\S.*?) +(\d+) +(\d+) +(\d+) +(\d+)$", result.stdout, re.M)
    doors = {door for door, *_ in rows}
    assert {"POST /api/ask", "Slack events", "Slack slash commands", "Slack interactions"} <= doors, rows
    assert [row for row in rows if row[0].startswith("Slack")] and all(row[1] == "4" for row in rows[-3:])
    assert re.search(r"^total +\d+; 5xx: 0$", result.stdout, re.M) and "failed checks: 0" in result.stdout
