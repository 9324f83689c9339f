"""partnerbot's benchmark: ingest throughput beside the encoder's limit, and query latency.

Run: `.venv/bin/python bench/run.py [--chunks N] [--quick] [--json FILE]`. Figures, not a test:
the reference corpus first, then a generated corpus of at least N chunks.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from common import percentile
from quality import PlainPipeline
from synthetic import generate

from config.settings import ROOT, load_settings
from corpus.documents import load_files
from retrieval.assistant import Assistant
from retrieval.embed import Embedder, make_embedder
from retrieval.extractive import ExtractiveWriter, sentence_texts
from retrieval.keyword import KeywordIndex
from retrieval.vectors import VectorIndex

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
DEV_SET = SHARED / "eval" / "dev.jsonl"


def questions(limit: int | None) -> list[str]:
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    found = [json.loads(line)["question"] for line in lines if line.strip()]
    return found[:limit] if limit else found


def encoder_throughput(embedder: Embedder, corpus_dir: Path, sample: int | None) -> dict[str, float]:
    """The texts ingest embeds (chunks under their author and headings) through the encoder alone:
    the limit of ingest. The sentences the writer scores are pooled from the same pass. `sample`:
    time only every n-th chunk up to that many (a 100k-chunk corpus would take half an hour more)."""
    result = load_files([corpus_dir], max_bytes=20_000_000)
    pairs = [(loaded.document, chunk) for loaded in result.loaded for chunk in loaded.chunks]
    sentences = [text for document, chunk in pairs for text in sentence_texts(document, chunk)]
    timed = pairs[:: max(1, len(pairs) // sample)][:sample] if sample else pairs
    started = time.perf_counter()
    embedder.embed([chunk.embed_text(document) for document, chunk in timed])
    seconds = time.perf_counter() - started
    return {
        "chunks": len(pairs),
        "timed_chunks": len(timed),
        "sentences": len(sentences),
        "seconds": seconds,
        "chunks_per_s": len(timed) / seconds,
    }


def encoder_by_batch(
    embedder: Embedder, corpus_dir: Path, sizes: tuple[int, ...], passes: int
) -> dict[int, float]:
    """Raw encoder chunks/s at several batch sizes: padding to the longest text makes big batches dear."""
    result = load_files([corpus_dir], max_bytes=20_000_000)
    texts = [chunk.embed_text(loaded.document) for loaded in result.loaded for chunk in loaded.chunks]
    configured, rates = embedder.batch_size, dict.fromkeys(sizes, 0.0)
    try:
        for _ in range(passes):  # best of several: the first pays for warming caches and thread pools
            for size in rates:
                embedder.batch_size = size
                started = time.perf_counter()
                embedder.embed(texts)
                rates[size] = max(rates[size], len(texts) / (time.perf_counter() - started))
    finally:
        embedder.batch_size = configured
    return rates


def ingest_throughput(assistant: Assistant) -> dict[str, float]:
    started = time.perf_counter()
    report = assistant.index.ingest()
    seconds = time.perf_counter() - started
    if report.failures:
        raise SystemExit(f"bench: ingest failed for {report.failures}")
    chunks = report.chunks_embedded
    documents = len(report.added)
    return {"documents": documents, "chunks": chunks, "seconds": seconds, "chunks_per_s": chunks / seconds}


def query_latency(assistant: Assistant, asked: list[str], rounds: int) -> dict[str, float]:
    """Wall time of `ask` per question, after one untimed warm-up pass over every question."""
    for question in asked:
        assistant.ask(question)
    times: list[float] = []
    for _ in range(rounds):
        for question in asked:
            started = time.perf_counter()
            assistant.ask(question)
            times.append((time.perf_counter() - started) * 1000)
    return {"queries": len(times), "p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)}


# Where a question's time goes: each part timed where it is called, the rest (reading the question,
# fusion, the registry, composing the answer) is what is left of the whole.
STAGES: dict[str, tuple[object, str]] = {
    "encode the question": (None, "embed"),  # the embedder instance, set per run
    "dense search (Chroma)": (VectorIndex, "search"),
    "keyword search (BM25)": (KeywordIndex, "search"),
    "score the sentences": (ExtractiveWriter, "rank"),
    "write the answer": (ExtractiveWriter, "write"),
}


@contextmanager
def timed_stages(embedder: Embedder) -> Iterator[dict[str, list[float]]]:
    """Wrap each stage's method so every call adds its milliseconds to `spent[stage]`."""
    spent: dict[str, list[float]] = defaultdict(list)
    patched: list[tuple[object, str, Callable]] = []

    def timing(stage: str, method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[stage].append((time.perf_counter() - started) * 1000)

        return wrapper

    for stage, (owner, name) in STAGES.items():
        target = embedder if owner is None else owner
        original = getattr(target, name)
        patched.append((target, name, original))
        setattr(target, name, timing(stage, original))
    try:
        yield spent
    finally:
        for target, name, original in patched:
            if target is embedder:
                delattr(target, name)  # the instance attribute goes; the class's method is back
            else:
                setattr(target, name, original)


def stage_breakdown(assistant: Assistant, asked: list[str]) -> dict[str, float]:
    """Mean milliseconds per question in each stage (one pass, after the timed rounds)."""
    with timed_stages(assistant.embedder) as spent:
        started = time.perf_counter()
        for question in asked:
            assistant.ask(question)
        total = (time.perf_counter() - started) * 1000
    per_question = {stage: sum(spent.get(stage, [])) / len(asked) for stage in STAGES}
    per_question["everything else"] = total / len(asked) - sum(per_question.values())
    return per_question


def peak_memory_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(
    name: str,
    corpus_dir: Path,
    data_dir: Path,
    embedders: dict[str, Embedder],
    backend: str,
    asked: list[str],
    rounds: int,
    sample: int | None,
) -> dict:
    """Everything is built first and the latencies are timed last, back to back, so that a long
    build's end does not overlap them."""
    embedder = embedders[backend]
    assistant = Assistant(load_settings(data_dir=data_dir, corpus_dir=corpus_dir), embedder=embedder)
    started = time.perf_counter()
    _ = assistant.index.vectors  # opening Chroma (and importing it, the first time) is start-up, not ingest
    open_s = time.perf_counter() - started
    print(f"  {datetime.now(UTC):%H:%M} ingesting {corpus_dir.name}")
    ingest = ingest_throughput(assistant)
    print(f"  {datetime.now(UTC):%H:%M} timing the raw encoder, then building the plain pipeline")
    encoder = encoder_throughput(embedder, corpus_dir, sample)
    plain_pipeline = PlainPipeline([corpus_dir], embedder, data_dir / "plain")
    started = time.perf_counter()
    again = assistant.index.ingest()  # nothing changed: every document is skipped by its hash
    reingest_s = time.perf_counter() - started
    print(f"  {datetime.now(UTC):%H:%M} timing questions")
    latency = query_latency(assistant, asked, rounds)
    stages = stage_breakdown(assistant, asked)
    plain = query_latency(plain_pipeline, asked, rounds)
    # The pipeline as LangChain builds it by default (sentence-transformers on torch) asks with the
    # torch encoder; its index is the same (the two backends' vectors agree to a cosine of 0.99999).
    plain_pipeline.embedder = embedders["torch"]
    plain_torch = query_latency(plain_pipeline, asked, rounds)
    print(
        f"{name} corpus: {ingest['documents']} documents, {ingest['chunks']} chunks "
        f"({encoder['sentences']} sentences pooled from them)"
    )
    print(f"  index open: {open_s:.1f} s (not counted in ingest)")
    print(
        f"  ingest throughput: {ingest['chunks_per_s']:.1f} chunks/s ({ingest['seconds']:.1f} s); "
        f"raw encoder: {encoder['chunks_per_s']:.1f} chunks/s ({encoder['seconds']:.1f} s"
        + (f" for {encoder['timed_chunks']} of them)" if encoder["timed_chunks"] < encoder["chunks"] else ")")
    )
    print(
        f"  query latency: p50 {latency['p50_ms']:.0f} ms, p95 {latency['p95_ms']:.0f} ms "
        f"({latency['queries']} queries); the plain LangChain pipeline on the same questions: "
        f"p50 {plain['p50_ms']:.0f} ms, p95 {plain['p95_ms']:.0f} ms with this encoder, "
        f"p50 {plain_torch['p50_ms']:.0f} ms, p95 {plain_torch['p95_ms']:.0f} ms with "
        "sentence-transformers on torch"
    )
    print("  per question, mean: " + ", ".join(f"{stage} {ms:.1f} ms" for stage, ms in stages.items()))
    per_thousand = reingest_s / max(1, len(again.unchanged)) * 1000
    print(
        f"  re-ingest, nothing changed: {reingest_s:.2f} s for {len(again.unchanged)} documents "
        f"({per_thousand:.2f} s per 1,000)"
    )
    print(f"  peak memory of this process so far: {peak_memory_mib():.0f} MiB")
    return {
        "index_open_s": open_s,
        "ingest": ingest,
        "encoder": encoder,
        "latency": latency,
        "plain_langchain_latency": plain,
        "plain_langchain_torch_latency": plain_torch,
        "stages_ms": stages,
        "reingest_unchanged_s": reingest_s,
        "peak_memory_mib": peak_memory_mib(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000, help="size of the generated corpus (chunks)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the dev questions")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 100 chunks, 3 questions, batch sizes 16 and 64"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--encoder-sample",
        type=int,
        help="time the raw encoder on this many of the generated corpus's chunks (default: all)",
    )
    parser.add_argument(
        "--backend", choices=("onnx", "torch"), default="onnx", help="the encoder ingest and questions use"
    )
    args = parser.parse_args(argv)
    min_chunks, rounds, asked, sizes, passes = args.chunks, args.rounds, questions(None), (8, 16, 32, 64), 2
    if args.quick:
        min_chunks, rounds, asked, sizes, passes = min(min_chunks, 100), 1, questions(3), (16, 64), 1

    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they are measured, even into a file
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    figures: dict = {"cores": os.cpu_count(), "date": datetime.now(UTC).isoformat(), "backend": args.backend}
    embedders = {}
    for backend in ("torch", "onnx"):  # both, in the same run, so that their ratio means something
        embedder = make_embedder(load_settings(embedding_backend=backend))
        started = time.perf_counter()
        embedder.warm_up()
        load_s = time.perf_counter() - started
        embedder.embed(["warm-up"])  # first-call costs belong to neither figure
        batches = encoder_by_batch(embedder, CORPUS, sizes, passes)
        figures[backend] = {"model_load_s": load_s, "encoder_by_batch_size": batches}
        print(
            f"{backend}: model load {load_s:.1f} s; raw encoder by batch size (reference chunks): "
            + ", ".join(f"{size}: {rate:.1f} chunks/s" for size, rate in batches.items())
        )
        embedders[backend] = embedder
    with tempfile.TemporaryDirectory(prefix="partnerbot-bench-") as tmp:
        root = Path(tmp)
        figures["reference"] = measure(
            "reference", CORPUS, root / "ref-data", embedders, args.backend, asked, rounds, None
        )
        started = time.perf_counter()
        docs, chunks = generate(root / "generated", CORPUS, min_chunks)
        print(f"generated {docs} documents ({chunks} chunks) in {time.perf_counter() - started:.1f} s")
        generated = measure(
            "generated",
            root / "generated",
            root / "gen-data",
            embedders,
            args.backend,
            asked,
            rounds,
            args.encoder_sample,
        )
        figures["generated"] = generated
    figures["load_average_end"] = os.getloadavg()[0]
    print(f"load average at the end: {figures['load_average_end']:.1f} (other work here skews the figures)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
