"""The index answers come from: vectors (Chroma), keywords (BM25) and the document registry, kept
in step. Ingest, add and remove take one lock, so the threads of a server never write at once;
`version` grows with every change, so what is derived from the index knows when to rebuild.

Another process may change the index too (`partnerbot ingest` beside a running server): `refresh`
notices, once that process is done, and opens everything again, so answers and the document list
follow without a restart.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from config.settings import Settings
from corpus.documents import Loaded, find_files, load_files
from corpus.model import Chunk, Document
from retrieval.embed import Embedder
from retrieval.keyword import KeywordIndex
from retrieval.registry import Registry
from retrieval.sentences import SENTENCES, SentenceVectors, Splitter
from retrieval.vectors import VectorIndex, drop

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (chunks embedded, chunks to embed)
REFRESH_EVERY_S = 1.0  # how often a reader looks at the registry file for another process's change
BATCH = 16  # chunks per write to Chroma and per step of the progress bar


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # unchanged, but missing from the vectors
    failures: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0


class Index:
    def __init__(self, settings: Settings, embedder: Embedder, splitter: Splitter) -> None:
        """`splitter`: the sentences the answer writer scores in a chunk, embedded here at ingest."""
        self.settings = settings
        self.embedder = embedder
        self.splitter = splitter
        self.sentences = SentenceVectors(settings.index_dir / SENTENCES)
        self.version = 0
        self._lock = threading.RLock()
        self._vectors: VectorIndex | None = None
        self._keyword: KeywordIndex | None = None
        self._registry: Registry | None = None
        self._looked = 0.0  # when refresh last looked at the index's files
        self._stamp = self._files_stamp()  # the files as this process last read or wrote them

    def open(self) -> None:
        """Open Chroma, the registry and the keyword index once, so no request pays for it."""
        _ = self.vectors, self.registry, self.keyword
        known = self.registry.ids()
        if unsplit := [i for i in known if not self.sentences.has(i)]:
            # an index written by an older version: answers still come, slower and ranked differently
            log.warning(
                "%d of %d documents have no sentence vectors: their sentences are embedded at question "
                "time, and ranked differently, until `partnerbot ingest` repairs them",
                len(unsplit),
                len(known),
            )

    def refresh(self) -> bool:
        """Open everything again when another process changed the index (at most one look a
        second: a stat of the registry and keyword files). Not while another process is writing:
        the folder then mixes old files and new, and the reader keeps the whole old index until the
        writer is done. True when it opened it again."""
        now = time.monotonic()
        if now - self._looked < REFRESH_EVERY_S:
            return False
        self._looked = now
        if self._files_stamp() == self._stamp or self._being_written():
            return False
        with self._lock:
            return self._reopen_if_changed()

    def _reopen_if_changed(self) -> bool:
        stamp = self._files_stamp()
        if stamp == self._stamp:
            return False
        log.info("the index was changed by another process: reading it again")
        if self._vectors is not None:
            self._vectors.reopen()
        self._registry = self._keyword = None
        self.sentences = SentenceVectors(self.settings.index_dir / SENTENCES)  # none cached
        self._stamp = stamp
        self.version += 1
        return True

    def _files_stamp(self) -> tuple[tuple[int, int] | None, ...]:
        """The registry and the keyword index's last file, each written last in its part."""
        folder = self.settings.index_dir
        return tuple(_stat(path) for path in (folder / "documents.json", folder / "keyword" / "ids.json"))

    def _being_written(self) -> bool:
        """Another process holds the write lock (`_writing`): an ingest is part way through."""
        try:
            fd = os.open(self.settings.index_dir / "write.lock", os.O_RDONLY)
        except OSError:
            return False  # never written by anyone
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing releases the shared lock, if taken
        return False

    @property
    def vectors(self) -> VectorIndex:
        with self._lock:  # opened once, by whichever thread comes first
            if self._vectors is None:
                self._vectors = VectorIndex(self.settings.index_dir, self.settings.chroma_url)
            return self._vectors

    @property
    def registry(self) -> Registry:
        with self._lock:
            if self._registry is None:
                self._registry = Registry(self.settings.index_dir / "documents.json")
            return self._registry

    @property
    def keyword(self) -> KeywordIndex:
        with self._lock:  # a missing keyword index is rebuilt, never while an ingest writes it
            if self._keyword is None:
                folder = self.settings.index_dir / "keyword"
                self._keyword = self._load_keyword(folder)
            return self._keyword

    @property
    def is_empty(self) -> bool:
        return len(self.registry) == 0

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer at a time, among this process's threads (the lock) and other processes (a
        file lock: server workers, `partnerbot ingest` beside a server); each write starts from the
        index as it is on disk."""
        with self._lock:
            self.settings.index_dir.mkdir(parents=True, exist_ok=True)
            with (self.settings.index_dir / "write.lock").open("a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # say why nothing moves: the other writer may take minutes
                    log.warning("another process is writing the index: waiting for it to finish")
                    fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    self._reopen_if_changed()  # start from the index as it is on disk
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def build_if_empty(self, progress: Progress | None = None) -> IngestReport | None:
        """On first use, the configured corpus is ingested; None when there was an index already
        (another worker may have built it while this one waited)."""
        with self._writing():
            return self._ingest(None, progress) if self.is_empty else None

    # -- changing --------------------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None) -> IngestReport:
        """The whole index built again from the corpus (`partnerbot ingest --rebuild`), for a file of
        it that cannot be read. Documents that are not files (announcements) are indexed again from
        the registry's copy when the registry can still be read."""
        with self._writing():
            kept = [
                Loaded(d, self.registry.chunks(i))
                for i in self.registry.ids()
                if (d := self.registry.document(i)) and d.origin != "corpus"
            ]
            for doc_id in list(self.registry.ids()):  # emptied here, on disk at the commit: until
                self.registry.remove(doc_id)  # then a running server answers from what it holds
            self._vectors = self._keyword = None
            drop(self.settings.index_dir, self.settings.chroma_url)
            for derived in ("keyword", SENTENCES):
                shutil.rmtree(self.settings.index_dir / derived, ignore_errors=True)
            self.sentences = SentenceVectors(self.settings.index_dir / SENTENCES)
            embedded = self._index(kept, None)  # first: a corpus file cannot take their ids
            report = self._ingest(None, progress)
            report.chunks_embedded += embedded
            report.added += [loaded.document.doc_id for loaded in kept]
            self._commit()  # even with nothing left to index: the old registry must go
            return report

    def ingest(self, paths: Sequence[Path] | None = None, progress: Progress | None = None) -> IngestReport:
        """Index new and changed files, drop vanished ones; unchanged ones are not re-embedded."""
        with self._writing():
            return self._ingest(paths, progress)

    def _ingest(self, paths: Sequence[Path] | None, progress: Progress | None) -> IngestReport:
        started = time.perf_counter()
        roots = list(paths) if paths else [self.settings.corpus_dir]
        found = {str(p) for p in find_files(roots)}
        result = load_files(roots, max_bytes=self.settings.max_file_bytes, known=self._built_from)
        report = IngestReport(failures=result.failures)
        changed: list[Loaded] = []
        moved = False
        for loaded in result.loaded:
            doc = loaded.document
            previous = self.registry.document(doc.doc_id)
            if previous is not None and previous.origin != doc.origin:
                taken = "an announcement" if previous.origin == "announcement" else "an added document"
                report.failures.append(
                    f"{doc.path}: id {doc.doc_id!r} is taken by {taken}; give the file another id in "
                    "its manifest"
                )
                continue
            if previous is None or previous.content_hash != doc.content_hash:
                (report.updated if previous else report.added).append(doc.doc_id)
                changed.append(loaded)
                continue
            report.unchanged.append(doc.doc_id)
            if (previous.path, previous.visibility, previous.readers, previous.stamp) != (
                doc.path,
                doc.visibility,
                doc.readers,
                doc.stamp,
            ):  # moved, readable by others, or read again by changed code: nothing to embed
                self.registry.put(doc, loaded.chunks)
                moved = True
        loaded_ids = {loaded.document.doc_id for loaded in result.loaded}
        for doc_id in self.registry.ids():  # before the repair: a vanished document is not re-embedded
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
        report.repaired = self._missing_vectors({loaded.document.doc_id for loaded in changed})
        changed += [
            Loaded(d, self.registry.chunks(i)) for i in report.repaired if (d := self.registry.document(i))
        ]
        report.chunks_embedded = self._index(changed, progress)
        if changed or report.removed or self._keyword_out_of_step():
            self._commit()
        elif moved:
            self.registry.save()
            self._stamp = self._files_stamp()
            self.version += 1  # what each reader may see changed
        report.seconds = time.perf_counter() - started
        return report

    def _built_from(self, doc_id: str, stamp: str) -> Loaded | None:
        """The indexed copy of a corpus file, when it was built from this very file."""
        doc = self.registry.document(doc_id)
        if doc is None or doc.stamp != stamp or doc.origin != "corpus":
            return None
        return Loaded(doc, self.registry.chunks(doc_id))

    def add_document(self, loaded: Loaded) -> bool:
        """Index one document that is not a file (an announcement), replacing an earlier version;
        False when this version is indexed already."""
        with self._writing():
            if self.registry.content_hash(loaded.document.doc_id) == loaded.document.content_hash:
                return False
            self._index([loaded], None)
            self._commit()
            return True

    def remove_document(self, doc_id: str) -> bool:
        with self._writing():
            if doc_id not in self.registry:
                return False
            self._remove(doc_id)
            self._commit()
            return True

    def _index(self, changed: list[Loaded], progress: Progress | None) -> int:
        """Embed the chunks of `changed` (into Chroma) and, in the same encoder pass, the sentences
        the writer will score (beside it)."""
        chunks = [(loaded.document, c) for loaded in changed for c in loaded.chunks]
        chunks.sort(key=lambda pair: len(pair[1].embed_text(pair[0])))  # batches of alike length pad little
        for loaded in changed:
            self.vectors.delete_document(loaded.document.doc_id)
        if chunks:
            self.embedder.warm_up()  # before the progress bar starts, so it measures embedding only
        if progress:
            progress(0, len(chunks))
        sentences: dict[str, list[tuple[int, str]]] = {d.doc_id: [] for d, _ in chunks}
        pooled: dict[str, list[np.ndarray]] = {d.doc_id: [] for d, _ in chunks}
        for i in range(0, len(chunks), BATCH):
            part = chunks[i : i + BATCH]
            texts = [c.embed_text(d) for d, c in part]
            found = [self.splitter(d, c) for d, c in part]
            spans = [_spans(text, c.text, f) for text, (_, c), f in zip(texts, part, found, strict=True)]
            vectors, of_spans = self.embedder.embed_with_spans(texts, spans)
            metadatas = [{**d.metadata(), "chunk": c.index, "start": c.start, "end": c.end} for d, c in part]
            self.vectors.add([c.chunk_id for _, c in part], vectors, [c.text for _, c in part], metadatas)
            for (d, c), f, v in zip(part, found, of_spans, strict=True):
                sentences[d.doc_id] += [(c.index, text) for text in f]
                pooled[d.doc_id].append(v)
            if progress:
                progress(i + len(part), len(chunks))
        for loaded in changed:
            doc_id = loaded.document.doc_id
            stacked = np.concatenate(
                pooled.get(doc_id) or [np.zeros((0, self.embedder.dimensions), np.float32)]
            )
            self.sentences.put(doc_id, sentences.get(doc_id, []), stacked)
            self.registry.put(loaded.document, loaded.chunks)
        return len(chunks)

    def _remove(self, doc_id: str) -> None:
        self.vectors.delete_document(doc_id)
        self.sentences.remove(doc_id)
        self.registry.remove(doc_id)

    def _commit(self) -> None:
        self.registry.save()
        self._keyword = self._rebuild_keyword()
        self._stamp = self._files_stamp()  # this process's own change: nothing to read again
        self.version += 1

    def _missing_vectors(self, changing: set[str]) -> list[str]:
        """Documents the registry holds that the vectors lack, all of them re-embedded from the
        registry's copy: a deleted or replaced Chroma folder, or a crash between the two writes,
        must not leave questions unanswerable while ingest reports "unchanged"."""
        known = set(self.registry.ids())
        shutil.rmtree(self.settings.index_dir / "sentences", ignore_errors=True)  # embedded alone, before
        self.sentences.keep_only(known)
        unsplit = [i for i in known - changing if not self.sentences.has(i)]
        if unsplit:  # an index from before sentence vectors were stored, or files lost
            log.warning("%d documents have no sentence vectors: embedding them again", len(unsplit))
        expected = sum(len(self.registry.chunks(i)) for i in known)
        if self.vectors.count() == expected:
            return sorted(unsplit)
        self.vectors.keep_only(known)  # vectors of documents it no longer knows
        if self.vectors.count() == expected:
            return sorted(unsplit)
        log.warning("the vector index is out of step with the registry: re-embedding what it holds")
        return [i for i in self.registry.ids() if i not in changing]

    def _keyword_out_of_step(self) -> bool:
        return set(self.keyword.ids) != {c.chunk_id for _, c in self.registry.all_chunks()}

    def _load_keyword(self, folder: Path) -> KeywordIndex:
        """The saved keyword index, or one rebuilt from the registry when it is missing or damaged
        (it is derived data: nothing is lost)."""
        if (folder / "ids.json").is_file():
            try:
                return KeywordIndex.load(folder)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("the keyword index in %s cannot be used (%s): rebuilding it", folder, exc)
        return self._rebuild_keyword()

    def _rebuild_keyword(self) -> KeywordIndex:
        pairs = self.registry.all_chunks()
        index = KeywordIndex([c.chunk_id for _, c in pairs], [c.embed_text(d) for d, c in pairs])
        index.save(self.settings.index_dir / "keyword")
        return index

    # -- reading -------------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """What is out of step, changing nothing (`partnerbot doctor`); ingest repairs each of them."""
        with self._lock:
            known = set(self.registry.ids())
            if not known:
                return ["no documents are indexed: run `partnerbot ingest`"]
            found = []
            expected = sum(len(self.registry.chunks(i)) for i in known)
            if (count := self.vectors.count()) != expected:
                found.append(f"the vector index holds {count} passages, the registry {expected}")
            if self._keyword_out_of_step():
                found.append("the keyword index does not match the registry")
            if unsplit := [i for i in known if not self.sentences.has(i)]:
                found.append(f"{len(unsplit)} of {len(known)} documents have no sentence vectors")
            return [f"{problem}: run `partnerbot ingest` to repair it" for problem in found]

    def documents(self) -> list[tuple[Document, int]]:
        """Every indexed document with its chunk count."""
        self.refresh()
        return [
            (d, len(self.registry.chunks(i))) for i in self.registry.ids() if (d := self.registry.document(i))
        ]

    def document(self, doc_id: str) -> tuple[Document, list[Chunk]] | None:
        self.refresh()
        doc = self.registry.document(doc_id)
        return (doc, self.registry.chunks(doc_id)) if doc else None


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _spans(text: str, passage: str, sentences: list[str]) -> list[tuple[int, int]]:
    """Where each sentence of the passage sits in the text embedded for it, which ends with the
    passage (`Chunk.embed_text`)."""
    offset = len(text) - len(passage)
    return [(offset + (at := passage.index(s)), offset + at + len(s)) for s in sentences]


def _under(path: str, roots: Sequence[Path]) -> bool:
    resolved = Path(path).resolve()
    return any(resolved == r.resolve() or r.resolve() in resolved.parents for r in roots)
