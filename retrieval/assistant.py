"""The Assistant: the one object every surface calls. Ingest documents, ask questions, list sources."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

import numpy as np

from config.errors import IndexMissingError, QuestionError
from config.settings import Settings
from corpus.documents import Loaded, find_files, load_files
from corpus.model import Chunk, Document
from retrieval.answer import Answer, Source
from retrieval.conversation import Turn
from retrieval.embed import Embedder, SentenceTransformerEmbedder
from retrieval.extractive import ExtractiveWriter, Sentence
from retrieval.fuse import convex_fusion
from retrieval.keyword import KeywordIndex
from retrieval.lexicon import Lexicon, read_glossary
from retrieval.passage import Draft, Passage
from retrieval.query import Kind, Query, analyse
from retrieval.registry import Registry
from retrieval.scope import decline_reason
from retrieval.vectors import VectorIndex
from retrieval.writer import Writer

log = logging.getLogger(__name__)

CANDIDATES = 30  # per index, before fusion
FOLLOW_BOOST = 0.15  # fused-score lift of a follow-up's candidates from the document it leans on
NEAR = 0.45  # a passage this similar is worth showing even when it does not answer
NOT_FOUND = "I couldn't find that in the cluster's documents."
Progress = Callable[[int, int], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0


class Assistant:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        chat_model=None,  # noqa: ANN001 (a LangChain chat model, imported only when configured)
        today: Callable[[], date] = date.today,
    ) -> None:
        """`today` is the clock expiry is read against: tests move it instead of patching `date`."""
        self.settings = settings
        self.today = today
        self.embedder = embedder or SentenceTransformerEmbedder(settings.embedding_model)
        self._chat_model = chat_model
        self._vectors: VectorIndex | None = None
        self._keyword: KeywordIndex | None = None
        self._registry: Registry | None = None
        self._writer: ExtractiveWriter | None = None
        self._lexicon: Lexicon | None = None

    # -- start-up ------------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the model and open the indexes once, so no request pays for it."""
        self.embedder.warm_up()
        _ = self.vectors, self.registry, self.keyword
        if self._chat_model is None and self.settings.chat_model:
            from retrieval.llm import load_chat_model  # LangChain loads only when a model is configured

            self._chat_model = load_chat_model(self.settings.chat_model)

    @property
    def vectors(self) -> VectorIndex:
        if self._vectors is None:
            self._vectors = VectorIndex(self.settings.index_dir, self.settings.chroma_url)
        return self._vectors

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = Registry(self.settings.index_dir / "documents.json")
        return self._registry

    @property
    def keyword(self) -> KeywordIndex:
        if self._keyword is None:
            folder = self.settings.index_dir / "keyword"
            self._keyword = (
                KeywordIndex.load(folder) if (folder / "ids.json").is_file() else self._rebuild_keyword()
            )
        return self._keyword

    @property
    def is_empty(self) -> bool:
        return len(self.registry) == 0

    # -- ingest --------------------------------------------------------------------------------

    def ingest(self, paths: Sequence[Path] | None = None, progress: Progress | None = None) -> IngestReport:
        """Index new and changed files, drop vanished ones; unchanged ones are not re-embedded."""
        started = time.perf_counter()
        roots = list(paths) if paths else [self.settings.corpus_dir]
        found = {str(p) for p in find_files(roots)}
        result = load_files(roots, max_bytes=self.settings.max_file_bytes)
        report = IngestReport(failures=result.failures)
        changed: list[Loaded] = []
        moved = False
        for loaded in result.loaded:
            doc = loaded.document
            previous = self.registry.document(doc.doc_id)
            if previous is None or previous.content_hash != doc.content_hash:
                (report.updated if previous else report.added).append(doc.doc_id)
                changed.append(loaded)
                continue
            report.unchanged.append(doc.doc_id)
            if previous.path != doc.path:  # moved: same content, nothing to embed again
                self.registry.put(doc, loaded.chunks)
                moved = True
        loaded_ids = {loaded.document.doc_id for loaded in result.loaded}
        for doc_id in self.registry.ids():
            indexed = self.registry.document(doc_id)
            if (
                indexed
                and doc_id not in loaded_ids
                and indexed.origin == "corpus"
                and indexed.path
                and _under(indexed.path, roots)
                and indexed.path not in found
            ):
                self._remove(doc_id)
                report.removed.append(doc_id)
        report.chunks_embedded = self._index(changed, progress)
        if changed or report.removed:
            self._commit()
        elif moved:
            self.registry.save()
        report.seconds = time.perf_counter() - started
        return report

    def add_document(self, loaded: Loaded) -> None:
        """Index one document that is not a file (an announcement), replacing any earlier version."""
        self._index([loaded], None)
        self._commit()

    def remove_document(self, doc_id: str) -> bool:
        if doc_id not in self.registry:
            return False
        self._remove(doc_id)
        self._commit()
        return True

    def _index(self, changed: list[Loaded], progress: Progress | None) -> int:
        chunks = [(loaded.document, c) for loaded in changed for c in loaded.chunks]
        for loaded in changed:
            self.vectors.delete_document(loaded.document.doc_id)
        batch = 64
        done = 0
        if chunks:
            self.embedder.warm_up()  # before the progress bar starts, so it measures embedding only
        if progress:
            progress(0, len(chunks))
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            vectors = self.embedder.embed([c.embed_text(d) for d, c in part])
            metadatas = [{**d.metadata(), "chunk": c.index, "start": c.start, "end": c.end} for d, c in part]
            self.vectors.add([c.chunk_id for _, c in part], vectors, [c.text for _, c in part], metadatas)
            done += len(part)
            if progress:
                progress(done, len(chunks))
        for loaded in changed:
            self.registry.put(loaded.document, loaded.chunks)
        return len(chunks)

    def _remove(self, doc_id: str) -> None:
        self.vectors.delete_document(doc_id)
        self.registry.remove(doc_id)

    def _commit(self) -> None:
        self.registry.save()
        self._keyword = self._rebuild_keyword()
        self._writer = None
        self._lexicon = None

    def _rebuild_keyword(self) -> KeywordIndex:
        pairs = self.registry.all_chunks()
        index = KeywordIndex([c.chunk_id for _, c in pairs], [c.embed_text(d) for d, c in pairs])
        index.save(self.settings.index_dir / "keyword")
        return index

    # -- reading -------------------------------------------------------------------------------

    def documents(self) -> list[tuple[Document, int]]:
        """Every indexed document with its chunk count."""
        return [
            (d, len(self.registry.chunks(i))) for i in self.registry.ids() if (d := self.registry.document(i))
        ]

    def document(self, doc_id: str) -> tuple[Document, list[Chunk]] | None:
        doc = self.registry.document(doc_id)
        return (doc, self.registry.chunks(doc_id)) if doc else None

    def viewer_url(self, doc_id: str, chunk: int | None = None) -> str:
        url = f"{self.settings.public_base_url.rstrip('/')}/sources/{quote(doc_id, safe='')}"
        return f"{url}#chunk-{chunk}" if chunk is not None else url

    # -- asking --------------------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[Turn | str] = ()) -> Answer:
        """Answer from the documents, or say plainly that they do not answer.

        `history` holds the earlier turns of the same conversation, so that a follow-up such as
        "and who funds that?" is answered about what the conversation was about.
        """
        started = time.perf_counter()
        question = " ".join(question.split())
        if not question:
            raise QuestionError("the question is empty: ask something about the cluster's documents")
        if _SURROGATE.search(question):
            raise QuestionError("the question holds a character that is not text (a lone surrogate)")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"the question is {len(question):,} characters long; the limit is "
                f"{self.settings.max_question_chars:,}"
            )
        reason = decline_reason(question)
        if reason:
            return self._answer(question, False, reason, [], started, refer=True, declined=reason)
        if self.is_empty:
            raise IndexMissingError("there is no index yet: run `partnerbot ingest` first")
        query = self.understand(question, history)
        q_vec = self.embedder.embed([query.embedded])[0]
        passages = self._retrieve(query, q_vec)
        ranked = self.writer.rank(query, q_vec, passages) if passages else []
        if not ranked or not self.writer.answers(ranked):
            near = _nearest(passages)
            return self._answer(question, False, NOT_FOUND, near, started, refer=True)
        draft = self._write(query, passages, ranked)
        refer = query.kind in (Kind.ROUTE, Kind.CONTACT)  # "who do I ping?": a person is part of it
        return self._answer(question, True, draft.text, draft.cited, started, refer=refer)

    def understand(self, question: str, history: Sequence[Turn | str] = ()) -> Query:
        turns = [t if isinstance(t, Turn) else Turn(t) for t in history]
        return analyse(question, self.lexicon, turns)

    @property
    def writer(self) -> ExtractiveWriter:
        if self._writer is None:
            self._writer = ExtractiveWriter(
                self.embedder,
                self.keyword.idf,
                self.keyword.doc_freq,
                self.settings.answer_words,
                self.lexicon.spelled_out,
            )
        return self._writer

    @property
    def lexicon(self) -> Lexicon:
        """The corpus's vocabulary and short forms, rebuilt whenever the index changes."""
        if self._lexicon is None:
            documents = [d for i in self.registry.ids() if (d := self.registry.document(i))]
            glossary = read_glossary(self.settings.glossary_file)
            authors = [d.author for d in documents if d.author]
            self._lexicon = Lexicon.build(
                (d.text for d in documents), self.keyword.doc_freq, glossary, authors
            )
        return self._lexicon

    def retrieve(self, question: str, history: Sequence[Turn | str] = ()) -> list[Passage]:
        """The passages a question is answered from, best first."""
        query = self.understand(question, history)
        return self._retrieve(query, self.embedder.embed([query.embedded])[0])

    def _retrieve(self, query: Query, vector: np.ndarray) -> list[Passage]:
        """Dense and keyword candidates, fused; passages of expired documents left out.

        For a follow-up the dense side reads it with the question it leans on and the keyword side
        reads its own words ("presented"); candidates from the document the previous answer led with
        rank a little higher: the conversation is about it.
        """
        similarity = dict(self.vectors.search(vector, CANDIDATES))
        keyword = dict(self.keyword.search(query.search, CANDIDATES))  # a follow-up's own words
        for chunk_id, v in self.vectors.vectors([i for i in keyword if i not in similarity]).items():
            similarity[chunk_id] = float(v @ vector)  # keyword-only candidates get their true cosine
        fused = convex_fusion(similarity, keyword)
        if query.context_docs:
            fused = sorted(
                (
                    (c, s + (FOLLOW_BOOST if c.rpartition("#")[0] in query.context_docs else 0.0))
                    for c, s in fused
                ),
                key=lambda pair: -pair[1],
            )
        today = self.today().isoformat()
        passages: list[Passage] = []
        for chunk_id, _ in fused:
            doc_id, _, index = chunk_id.rpartition("#")
            doc = self.registry.document(doc_id)
            chunks = self.registry.chunks(doc_id)
            if doc is None or int(index) >= len(chunks) or (doc.expires and doc.expires < today):
                continue
            passages.append(Passage(chunks[int(index)], doc, similarity.get(chunk_id, 0.0)))
            if len(passages) == self.settings.top_k:
                break
        return passages

    def _write(self, query: Query, passages: list[Passage], ranked: list[Sentence]) -> Draft:
        """The first writer that gives a draft: the chat model when one is configured, else (or
        when it fails, times out or finds nothing) the extractive writer, which always writes."""
        for writer in self._writers():
            draft = writer.write(query, passages, ranked)
            if draft is not None:
                return draft
        raise AssertionError("the extractive writer always writes")  # pragma: no cover

    def _writers(self) -> list[Writer]:
        writers: list[Writer] = []
        if self._chat_model is not None:
            from retrieval.llm import LLMWriter

            s = self.settings
            writers.append(LLMWriter(self._chat_model, s.answer_words, s.chat_timeout_s))
        return [*writers, self.writer]

    def _answer(
        self,
        question: str,
        answered: bool,
        text: str,
        cited: list[Passage],
        started: float,
        *,
        refer: bool = False,
        declined: str | None = None,
    ) -> Answer:
        sources = [
            Source(
                n=n,
                doc_id=p.document.doc_id,
                title=p.document.title,
                url=self.viewer_url(p.document.doc_id, p.chunk.index),
                source_url=p.document.source_url,
                organisation=p.document.organisation,
                published=p.document.published,
                kind=p.document.kind,
                chunk=p.chunk.index,
                snippet=_snippet(p.chunk.text),
                score=round(p.similarity, 3),
            )
            for n, p in enumerate(cited[: self.settings.max_sources], start=1)
        ]
        return Answer(
            question=question,
            answered=answered,
            answer=text,
            sources=sources,
            refer=refer,
            declined=declined,
            latency_ms=_ms(started),
        )


_SURROGATE = re.compile("[\ud800-\udfff]")  # JSON can carry them; no tokenizer or database takes them


def _nearest(passages: list[Passage], count: int = 3) -> list[Passage]:
    """The closest passages of a question the documents do not answer: really close ones, one a document."""
    best: dict[str, Passage] = {}
    for p in sorted(passages, key=lambda p: -p.similarity):
        if p.similarity >= NEAR:
            best.setdefault(p.document.doc_id, p)
    return list(best.values())[:count]


def _snippet(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _under(path: str, roots: Sequence[Path]) -> bool:
    resolved = Path(path).resolve()
    return any(resolved == r.resolve() or r.resolve() in resolved.parents for r in roots)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
