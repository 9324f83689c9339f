"""What keeping every process current costs: one process adds a document, another (sharing the data
folder) notices and answers from it.

Printed: the writer's time to index one added document; the reader's idle check (a stat of the
registry file, at most once a second); its re-opening of the index once the file changed; its first
question afterwards (registry, keyword index and reader's view read again) against a warm question.

Run: `.venv/bin/python bench/live.py [--chunks N]`. The reference corpus; with --chunks, also a
generated corpus of N chunks. The two Assistants run in one process on the same data folder, each
with its own Index, as two processes would. Figures, not a test.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import CORPUS, percentile, start
from synthetic import generate

from config.settings import load_settings
from corpus.documents import from_text
from retrieval.assistant import Assistant
from retrieval.embed import Embedder

BODY = "\n\n".join(
    f"## Section {i}\n\nThe kit trial passport lets an SME reuse one set of NHS trial paperwork across "
    f"West Yorkshire trust number {i}. It is issued by the Grimsdyke Evaluation Office within {i + 5} "
    "working days, and covers devices, diagnostics and digital tools alike."
    for i in range(12)
)


def ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def measure(corpus: Path, data: Path, embedder: Embedder, questions: list[str], rounds: int) -> dict:
    settings = load_settings(data_dir=data, corpus_dir=corpus)
    writer = Assistant(settings, embedder=embedder)
    writer.index.ingest()
    reader = Assistant(settings, embedder=embedder)
    reader.warm_up()
    for question in questions:  # warm
        reader.ask(question)
    warm = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            reader.ask(question)
            warm.append(ms(started))
    idle = []
    for _ in range(1000):
        reader.index._looked = 0.0  # the once-a-second gate, lifted to time the stat
        started = time.perf_counter()
        reader.index.refresh()
        idle.append(ms(started))
    adds, reopens, firsts = [], [], []
    for n in range(rounds):
        document = from_text(f"kit-trial-passport-{n}", "Kit trial passport", BODY, origin="library")
        started = time.perf_counter()
        writer.index.add_document(document)
        adds.append(ms(started))
        reader.index._looked = 0.0  # as a second later
        started = time.perf_counter()
        assert reader.index.refresh()
        reopens.append(ms(started))
        started = time.perf_counter()
        answer = reader.ask("who issues the kit trial passport?")
        firsts.append(ms(started))
        assert answer.answered and answer.sources[0].doc_id.startswith("kit-trial-passport"), answer
    chunks = len(writer.index.registry.all_chunks())
    figures = {
        "chunks": chunks,
        "add_ms": percentile(adds, 0.5),
        "idle_check_us": percentile(idle, 0.5) * 1000,
        "reopen_ms": percentile(reopens, 0.5),
        "first_question_ms": percentile(firsts, 0.5),
        "warm_question_p50_ms": percentile(warm, 0.5),
    }
    print(
        f"  {chunks:,} chunks: add one document {figures['add_ms']:.0f} ms (writer); reader: idle check "
        f"{figures['idle_check_us']:.0f} µs, re-open {figures['reopen_ms']:.1f} ms, first question after "
        f"{figures['first_question_ms']:.0f} ms (warm p50 {figures['warm_question_p50_ms']:.0f} ms)"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    args, embedder, questions = start(__doc__.splitlines()[0], argv)
    figures = {}
    with tempfile.TemporaryDirectory(prefix="partnerbot-live-") as tmp:
        root = Path(tmp)
        figures["reference"] = measure(CORPUS, root / "ref-data", embedder, questions, args.rounds)
        if args.chunks:
            generate(root / "gen", CORPUS, args.chunks)
            figures["generated"] = measure(root / "gen", root / "gen-data", embedder, questions[:10], 1)
            shutil.rmtree(root / "gen-data", ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
