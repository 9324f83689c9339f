"""Answer quality beside a plain LangChain pipeline: the same question sets, the same run.

The plain pipeline is a first RAG prototype: the files read as they are (PDFs through pypdf, as
LangChain's PyPDFLoader does), LangChain's RecursiveCharacterTextSplitter at 1,000 characters with 200
of overlap, the same all-MiniLM-L6-v2 embeddings in Chroma, and the top 3 chunks pasted as the answer.
It never declines. Both are scored by `retrieval.evaluation`, so every figure means the same.

    .venv/bin/python bench/quality.py [--corpus DIR ...] [--questions FILE ...]

Defaults: the reference corpus and the four question sets of the README.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from config.settings import ROOT, load_settings
from corpus.documents import find_files
from corpus.manifest import MANIFEST, read_manifest
from corpus.model import Chunk, Document
from retrieval.answer import Answer, Source
from retrieval.assistant import Assistant
from retrieval.conversation import Turn
from retrieval.embed import Embedder, make_embedder
from retrieval.evaluation import Report, evaluate, read_cases
from retrieval.passage import Passage
from retrieval.vectors import VectorIndex

SHARED = ROOT.parent / "shared"
SETS = [
    SHARED / "eval" / "dev.jsonl",
    SHARED / "eval" / "dev_paraphrase.jsonl",
    ROOT / "bench" / "heldout.jsonl",
    ROOT / "bench" / "heldout2.jsonl",
]
TOP = 3


class PlainPipeline:
    """Split, embed, store in Chroma, paste the top 3 chunks: nothing else."""

    def __init__(self, folders: list[Path], embedder: Embedder, index_dir: Path) -> None:
        self.embedder = embedder
        self.index = VectorIndex(index_dir)
        self.chunks: dict[str, Passage] = {}
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        for path in find_files(folders):
            if path.name == MANIFEST:
                continue
            entry = read_manifest(path.parent).entry(path)
            text = _raw_text(path)
            document = Document(entry.doc_id, entry.title or path.stem, text)
            for n, piece in enumerate(splitter.split_text(text)):
                start = max(0, text.find(piece))
                chunk = Chunk(entry.doc_id, n, piece, start, start + len(piece))
                self.chunks[chunk.chunk_id] = Passage(chunk, document, 0.0)
        ids = list(self.chunks)
        vectors = embedder.embed([self.chunks[i].chunk.text for i in ids])
        self.index.add(ids, vectors, [self.chunks[i].chunk.text for i in ids], [{"doc_id": i} for i in ids])

    def retrieve(self, question: str, history: Sequence[Turn | str] = ()) -> list[Passage]:
        vector = self.embedder.embed([question])[0]
        return [self.chunks[i] for i, _ in self.index.search(vector, TOP)]

    def ask(self, question: str, history: Sequence[Turn | str] = ()) -> Answer:
        started = time.perf_counter()
        passages = self.retrieve(question)
        sources = [
            Source(
                n=n,
                doc_id=p.document.doc_id,
                title=p.document.title,
                url="",
                chunk=p.chunk.index,
                snippet="",
                score=0.0,
            )
            for n, p in enumerate(passages, start=1)
        ]
        text = "\n\n".join(p.chunk.text for p in passages)
        latency = round((time.perf_counter() - started) * 1000, 1)
        return Answer(question=question, answered=True, answer=text, sources=sources, latency_ms=latency)


def _raw_text(path: Path) -> str:
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return path.read_text(encoding="utf-8")


def row(name: str, r: Report) -> str:
    scope = f"answered {r.in_scope_answered:.2f}  declined {r.out_of_scope_declined:.2f}"
    latency = f"p50/p95 {r.latency_p50_ms:4.0f}/{r.latency_p95_ms:4.0f} ms"
    words = f"words {r.median_answer_words:4.0f}"
    return f"  {name:12} hit@1 {r.hit_at_1:.2f}  recall {r.key_fact_recall:.2f}  {scope}  {words}  {latency}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, nargs="+", default=[SHARED / "corpus"])
    parser.add_argument("--questions", type=Path, nargs="+", default=SETS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp) / "partnerbot", corpus_dir=args.corpus[0])
        embedder = make_embedder(settings)
        embedder.warm_up()
        bot = Assistant(settings, embedder=embedder)
        report = bot.index.ingest(args.corpus)
        bot.warm_up()
        plain = PlainPipeline(args.corpus, embedder, Path(tmp) / "plain")
        print(f"corpus: {', '.join(map(str, args.corpus))} ({len(report.added)} documents)")
        for path in args.questions:
            cases = read_cases(path)
            print(f"{path.name} ({len(cases)} questions)")
            print(row("partnerbot", evaluate(bot, cases)))
            print(row("langchain", evaluate(plain, cases)))


if __name__ == "__main__":
    main()
