"""What reading rights cost: per-question latency for each kind of reader, the first question of a
reader after the index changed (its view is built), and "not allowed" against "not found": the same
questions, answered by a hidden document, asked of an index that hides it and of one without it.

Run: `.venv/bin/python bench/access.py [--chunks N]`. The reference corpus, one document internal
and one public; then, with --chunks, a generated corpus of N chunks with 1 % of documents internal.
Figures, not a test.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml
from common import CORPUS, percentile, start
from synthetic import generate

from config.settings import load_settings
from retrieval.access import EVERYTHING, PARTNERS, PUBLIC, Access
from retrieval.assistant import Assistant
from retrieval.embed import Embedder

BOARD = Access(partner=True, groups=frozenset({"S0BOARD"}))
READERS = {"everything": EVERYTHING, "partners": PARTNERS, "board member": BOARD, "public": PUBLIC}
# Answered by the internal document alone (the reference corpus's Rob Webster blog), and by nothing.
HIDDEN_QUESTIONS = [
    "What does Rob Webster say about the integrated care system?",
    "who wrote the guest blog on advancing healthtech innovation?",
    "what did the WY&H partnership sign up to with the universities?",
]


def timed(assistant: Assistant, questions: list[str], access: Access, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            assistant.ask(question, access=access)
            times.append((time.perf_counter() - started) * 1000)
    return times


def measure(assistant: Assistant, name: str, questions: list[str], rounds: int) -> dict:
    report = assistant.index.ingest()
    print(f"{name}: {len(report.added)} documents, {report.chunks_embedded} chunks")
    figures: dict = {}
    for label, access in READERS.items():
        assistant.index.version += 1  # as after an ingest: every reader's view is made again
        started = time.perf_counter()
        assistant.view(access)
        first_ms = (time.perf_counter() - started) * 1000
        timed(assistant, questions, access, 1)  # warm
        times = timed(assistant, questions, access, rounds)
        figures[label] = {
            "view_ms": first_ms,
            "p50_ms": percentile(times, 0.5),
            "p95_ms": percentile(times, 0.95),
            "hidden": len(assistant.view(access).hidden),
        }
        print(
            f"  {label:>12}: {figures[label]['hidden']} documents hidden; view made in {first_ms:.0f} ms; "
            f"per question p50 {figures[label]['p50_ms']:.0f} ms, p95 {figures[label]['p95_ms']:.0f} ms"
        )
    return figures


def not_allowed_vs_not_found(hiding: Assistant, without: Assistant, rounds: int) -> dict[str, float]:
    """Interleaved, so that a busy moment of the machine falls on both."""
    allowed, found = [], []
    for _ in range(rounds):
        allowed += timed(hiding, HIDDEN_QUESTIONS, PARTNERS, 1)
        found += timed(without, HIDDEN_QUESTIONS, PARTNERS, 1)
    figures = {"not_allowed_p50_ms": percentile(allowed, 0.5), "not_found_p50_ms": percentile(found, 0.5)}
    print(
        f"  as partners, questions only the hidden document answers: not allowed p50 "
        f"{figures['not_allowed_p50_ms']:.1f} ms, not found (an index without it) p50 "
        f"{figures['not_found_p50_ms']:.1f} ms ({len(allowed)} questions each)"
    )
    return figures


def assistant(corpus: Path, data: Path, embedder: Embedder) -> Assistant:
    return Assistant(load_settings(data_dir=data, corpus_dir=corpus), embedder=embedder)


def with_visibility(source: Path, target: Path, internal: list[str], public: list[str]) -> Path:
    """A copy of `source` whose manifest makes the `internal` files internal and `public` ones public."""
    shutil.copytree(source, target)
    path = target / "manifest.yaml"
    manifest = yaml.safe_load(path.read_text()) if path.is_file() else {"documents": []}
    entries = {e["file"]: e for e in manifest["documents"]}
    for name in internal:
        entries.setdefault(name, {"file": name}).update(visibility="internal", readers=["S0BOARD"])
    for name in public:
        entries.setdefault(name, {"file": name}).update(visibility="public")
    manifest["documents"] = list(entries.values())
    path.write_text(yaml.safe_dump(manifest))
    return target


def main(argv: list[str] | None = None) -> int:
    args, embedder, questions = start(__doc__.splitlines()[0], argv)
    figures = {}
    with tempfile.TemporaryDirectory(prefix="partnerbot-access-") as tmp:
        root = Path(tmp)
        internal, public = ["advancing-healthtech-innovation.txt"], ["digital-health-strategy-for-all.txt"]
        reference = with_visibility(CORPUS, root / "ref", internal, public)
        hiding = assistant(reference, root / "ref-data", embedder)
        figures["reference"] = measure(hiding, "reference", questions, args.rounds)
        gone = with_visibility(CORPUS, root / "gone", [], public)
        (gone / internal[0]).unlink()
        without = assistant(gone, root / "gone-data", embedder)
        without.index.ingest()
        figures["reference"] |= not_allowed_vs_not_found(hiding, without, args.rounds * 10)
        if args.chunks:
            generate(root / "gen-raw", CORPUS, args.chunks)
            names = sorted(p.name for p in (root / "gen-raw").glob("*.md"))
            generated = with_visibility(root / "gen-raw", root / "gen", names[::100], names[1::100])
            big = assistant(generated, root / "gen-data", embedder)
            figures["generated"] = measure(big, "generated", questions, args.rounds)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
