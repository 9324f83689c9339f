"""Incremental ingest on the real model and a real Chroma: skip, replace, remove, keep what failed."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from config.settings import Settings
from corpus import documents as documents_module
from corpus.documents import from_text
from retrieval import index as index_module
from retrieval.assistant import Assistant
from retrieval.sentences import SENTENCES
from retrieval.text import TOKENIZER
from retrieval.vectors import COLLECTION

pytestmark = pytest.mark.integration

SENTENCE = "The {w} programme in district {n} helps small firms test devices with local NHS trusts."


def paragraphs(word: str, count: int) -> str:
    return "\n\n".join(
        " ".join(SENTENCE.format(w=word, n=f"{i}-{j}") for j in range(6)) for i in range(count)
    )


def stored(settings: Settings, doc_id: str) -> dict[str, str]:
    """What Chroma itself holds for a document, read through a client of its own: id to text."""
    client = chromadb.PersistentClient(
        path=str(settings.index_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    got = client.get_collection(COLLECTION).get(where={"doc_id": doc_id}, include=["documents"])
    return dict(zip(got["ids"], got["documents"], strict=True))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "alpha.md").write_text("# Alpha guide\n\n" + paragraphs("heron", 70))
    (folder / "beta.txt").write_text(paragraphs("zebrafinch", 6))
    (folder / "gamma.txt").write_text(paragraphs("otter", 2))
    return folder


def test_incremental_ingest(corpus: Path, make_settings: Callable[..., Settings], embedder) -> None:
    settings = make_settings(corpus_dir=corpus)
    calls: list[tuple[int, int]] = []
    first = Assistant(settings, embedder=embedder).index.ingest(
        progress=lambda done, total: calls.append((done, total))
    )
    assert sorted(first.added) == ["alpha", "beta", "gamma"] and not first.failures
    assert first.chunks_embedded > 32, "needs more than two embedding batches to show progress"
    total = calls[0][1]  # passages (their sentences are pooled in the same pass)
    assert total == first.chunks_embedded
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    assert [d for d, _ in calls] == sorted({d for d, _ in calls}) and len(calls) >= 3
    old_beta = stored(settings, "beta")
    assert len(old_beta) > 1

    # Unchanged: nothing is embedded again, even by a new process reading the index from disk.
    again = Assistant(settings, embedder=embedder)
    second = again.index.ingest()
    assert second.chunks_embedded == 0 and sorted(second.unchanged) == ["alpha", "beta", "gamma"]

    # Changed: the old chunks are gone from Chroma and from keyword search, the new ones are there.
    (corpus / "beta.txt").write_text("The kingfisher scheme funds one trial site a year in Calderdale.")
    third = again.index.ingest()
    assert third.updated == ["beta"] and third.chunks_embedded == 1
    assert list(stored(settings, "beta").values()) == [
        "The kingfisher scheme funds one trial site a year in Calderdale."
    ]
    assert again.index.keyword.search("zebrafinch", 10) == []
    assert [i for i, _ in again.index.keyword.search("kingfisher", 10)] == ["beta#0"]
    reopened = Assistant(settings, embedder=embedder)
    assert reopened.index.keyword.search("zebrafinch", 10) == []
    assert all("zebrafinch" not in p.chunk.text for p in reopened.retrieve("zebrafinch programme district"))

    # Vanished: removed from Chroma, the keyword index and the registry.
    (corpus / "gamma.txt").unlink()
    fourth = reopened.index.ingest()
    assert fourth.removed == ["gamma"] and fourth.chunks_embedded == 0
    assert stored(settings, "gamma") == {} and reopened.index.keyword.search("otter", 10) == []
    assert "gamma" not in reopened.index.registry

    # Failed: the file is reported and its previously indexed version stays searchable.
    alpha_before = stored(settings, "alpha")
    (corpus / "alpha.md").write_bytes("# Alpha guide\n\nCaf\u00e9 notes".encode("cp1252"))
    fifth = reopened.index.ingest()
    assert len(fifth.failures) == 1 and "alpha.md" in fifth.failures[0]
    assert fifth.removed == [] and fifth.chunks_embedded == 0
    assert stored(settings, "alpha") == alpha_before
    assert reopened.index.keyword.search("heron", 5)
    assert "alpha" in reopened.index.registry


def test_ingest_of_one_path_leaves_the_rest_of_the_index_alone(
    corpus: Path, make_settings: Callable[..., Settings], embedder
) -> None:
    settings = make_settings(corpus_dir=corpus)
    bot = Assistant(settings, embedder=embedder)
    (corpus / "alpha.md").unlink()
    bot.index.ingest()
    report = bot.index.ingest([corpus / "beta.txt"])
    assert report.unchanged == ["beta"] and report.removed == []
    assert stored(settings, "gamma")


def test_a_metadata_change_in_the_manifest_reaches_the_index(
    tmp_path: Path, make_settings: Callable[..., Settings], embedder
) -> None:
    """A corrected link or author must replace the stale one that answers would otherwise cite."""
    folder = tmp_path / "meta"
    folder.mkdir()
    (folder / "a.txt").write_text("The hub finds NHS trial sites for small firms.")
    entry = "documents:\n  - {{file: a.txt, id: a, author: {author}, source_url: {url}}}\n"
    (folder / "manifest.yaml").write_text(entry.format(author="Old", url="https://old.example/a"))
    bot = Assistant(make_settings(corpus_dir=folder), embedder=embedder)
    bot.index.ingest()
    (folder / "manifest.yaml").write_text(entry.format(author="New", url="https://new.example/a"))
    report = bot.index.ingest()
    assert report.updated == ["a"]
    document = bot.index.registry.document("a")
    assert document is not None and (document.author, document.source_url) == ("New", "https://new.example/a")


def test_a_file_moved_within_the_corpus_stays_indexed(
    tmp_path: Path, make_settings: Callable[..., Settings], embedder
) -> None:
    folder = tmp_path / "moving"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("The hub finds NHS trial sites for small firms.")
    bot = Assistant(make_settings(corpus_dir=folder), embedder=embedder)
    bot.index.ingest()
    (folder / "a.txt").rename(folder / "sub" / "a.txt")
    report = bot.index.ingest()
    assert report.removed == [] and "a" in bot.index.registry and bot.index.vectors.count() == 1
    assert report.chunks_embedded == 0, "moved, not changed: nothing to embed again"
    assert bot.index.registry.document("a").path == str((folder / "sub" / "a.txt").resolve())
    assert bot.index.ingest().unchanged == ["a"]


def test_an_unchanged_file_is_not_parsed_again(
    corpus: Path, make_settings: Callable[..., Settings], embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: re-ingesting an unchanged corpus cost a parse of every file (1.7 s per 1,000)."""
    parsed: list[str] = []
    real_build = documents_module.build
    monkeypatch.setattr(
        documents_module, "build", lambda path, *a, **k: parsed.append(path.name) or real_build(path, *a, **k)
    )
    settings = make_settings(corpus_dir=corpus)
    bot = Assistant(settings, embedder=embedder)
    bot.index.ingest()
    assert sorted(parsed) == ["alpha.md", "beta.txt", "gamma.txt"]

    parsed.clear()
    assert sorted(bot.index.ingest().unchanged) == ["alpha", "beta", "gamma"] and parsed == []

    (corpus / "gamma.txt").write_text(paragraphs("otter", 3))  # new bytes
    (corpus / "manifest.yaml").write_text("documents:\n  - {file: beta.txt, id: beta, title: Beta notes}\n")
    report = bot.index.ingest()
    assert sorted(parsed) == ["beta.txt", "gamma.txt"] and sorted(report.updated) == ["beta", "gamma"]
    assert bot.index.registry.document("beta").title == "Beta notes"

    registry = json.loads(settings.index_dir.joinpath("documents.json").read_text())
    for entry in registry.values():
        del entry["document"]["stamp"]  # an index written before stamps were kept
    settings.index_dir.joinpath("documents.json").write_text(json.dumps(registry))
    parsed.clear()
    assert len(Assistant(settings, embedder=embedder).index.ingest().unchanged) == 3 and len(parsed) == 3
    parsed.clear()
    assert len(Assistant(settings, embedder=embedder).index.ingest().unchanged) == 3 and parsed == []


def _answerable(bot: Assistant, word: str) -> bool:
    """The word's document is found by both indexes, as a question about it needs."""
    passages = bot.retrieve(f"which programme helps firms in the {word} district?")
    return any(word in p.chunk.text for p in passages) and bool(bot.index.keyword.search(word, 5))


def test_a_lost_vector_index_is_repaired_by_the_next_ingest(
    corpus: Path, make_settings: Callable[..., Settings], embedder
) -> None:
    """Issue 15: with the Chroma folder gone, ingest said "unchanged" and every question failed."""
    settings = make_settings(corpus_dir=corpus)
    first = Assistant(settings, embedder=embedder).index.ingest()
    client = chromadb.PersistentClient(  # the vectors lost, as a deleted Chroma folder loses them
        path=str(settings.index_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    client.get_collection(COLLECTION).delete(where={"doc_id": {"$ne": ""}})
    bot = Assistant(settings, embedder=embedder)
    report = bot.index.ingest()
    assert sorted(report.repaired) == ["alpha", "beta", "gamma"] and report.added == []
    assert bot.index.vectors.count() == first.chunks_embedded
    assert _answerable(bot, "zebrafinch")
    assert Assistant(settings, embedder=embedder).index.ingest().repaired == [], "repaired once"


@pytest.mark.parametrize("damage", ["", '{"alpha": {"docum', "\xff\xfe"])
def test_a_damaged_registry_or_keyword_index_is_rebuilt_not_a_traceback(
    corpus: Path, make_settings: Callable[..., Settings], embedder, damage: str
) -> None:
    """A crash mid-write leaves a truncated file; what is derived from the documents is rebuilt."""
    settings = make_settings(corpus_dir=corpus)
    Assistant(settings, embedder=embedder).index.ingest()
    (settings.index_dir / "keyword" / "ids.json").write_text(damage, encoding="latin-1")
    keyword_only = Assistant(settings, embedder=embedder)
    assert _answerable(keyword_only, "otter"), "the keyword index is rebuilt from the registry"

    (settings.index_dir / "documents.json").write_text(damage, encoding="latin-1")
    bot = Assistant(settings, embedder=embedder)
    assert bot.index.is_empty
    report = bot.index.ingest()
    assert sorted(report.added) == ["alpha", "beta", "gamma"]
    assert _answerable(bot, "zebrafinch")
    assert Assistant(settings, embedder=embedder).index.ingest().repaired == []


def test_a_keyword_index_saved_with_other_tokens_is_rebuilt(
    corpus: Path, make_settings: Callable[..., Settings], embedder
) -> None:
    """A new version that stems words differently must not search terms an older one saved."""
    settings = make_settings(corpus_dir=corpus)
    Assistant(settings, embedder=embedder).index.ingest()
    saved = settings.index_dir / "keyword" / "ids.json"
    old = json.loads(saved.read_text())
    old["tokenizer"] = "an older one"
    old["df"] = {"otters": 1}  # as another stemmer would have counted it
    saved.write_text(json.dumps(old))
    bot = Assistant(settings, embedder=embedder)
    assert _answerable(bot, "otter")
    assert json.loads(saved.read_text())["tokenizer"] == TOKENIZER, "saved again with today's tokens"
    assert "otters" not in json.loads(saved.read_text())["df"]


class Counting:
    """The real encoder, recording what it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner, self.texts, self.spans = inner, [], []
        self.dimensions, self.batch_size = inner.dimensions, inner.batch_size

    def warm_up(self) -> None:
        self.inner.warm_up()

    def embed(self, texts: list[str]):
        self.texts.extend(texts)
        return self.inner.embed(texts)

    def embed_with_spans(self, texts: list[str], spans):
        self.texts.extend(texts)
        self.spans += [t[a:b] for t, pairs in zip(texts, spans, strict=True) for a, b in pairs]
        return self.inner.embed_with_spans(texts, spans)


def test_a_question_embeds_only_itself_the_sentences_were_embedded_at_ingest(
    corpus: Path, make_settings: Callable[..., Settings], embedder
) -> None:
    """Issue 14: embedding the passages' sentences was three quarters of each question's cost."""
    settings = make_settings(corpus_dir=corpus)
    counting = Counting(embedder)
    bot = Assistant(settings, embedder=counting)
    bot.index.ingest()
    assert any("zebrafinch programme in district 0-1" in t and len(t) < 120 for t in counting.spans)
    assert not set(counting.spans) & set(counting.texts), "a sentence was embedded again, alone"
    counting.texts.clear()
    answer = bot.ask("which programme helps small firms in district 3-2?")
    assert answer.answered and "programme in district" in answer.answer
    assert counting.texts == ["which programme helps small firms in district 3-2?"]

    counting.texts.clear()  # a new process reads them from disk
    reopened = Assistant(settings, embedder=counting)
    assert reopened.ask("which programme helps small firms in district 3-2?").answer == answer.answer
    assert len(counting.texts) == 1


def test_sentence_vectors_follow_their_document_and_lost_or_damaged_ones_cost_only_time(
    corpus: Path, make_settings: Callable[..., Settings], embedder, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(corpus_dir=corpus)
    bot = Assistant(settings, embedder=embedder)
    bot.index.ingest()
    folder = settings.index_dir / SENTENCES
    assert len(list(folder.glob("*.npz"))) == 3
    assert bot.index.remove_document("gamma") and len(list(folder.glob("*.npz"))) == 2

    next(folder.glob("*.npz")).write_bytes(b"PK\x03\x04 truncated")  # a crash mid-write
    counting = Counting(embedder)
    damaged = Assistant(settings, embedder=counting)
    answer = damaged.ask("which programme helps small firms in district 3-2?")
    assert answer.answered and len(counting.texts) > 1, "embedded at question time instead"

    for path in folder.glob("*.npz"):
        path.unlink()  # an index from before sentence vectors were stored
    with caplog.at_level(logging.WARNING, logger="retrieval.index"):
        Assistant(settings, embedder=embedder).warm_up()
    assert "2 of 2 documents have no sentence vectors" in caplog.text, "a server says so as it starts"
    report = Assistant(settings, embedder=embedder).index.ingest([corpus / "alpha.md", corpus / "beta.txt"])
    assert sorted(report.repaired) == ["alpha", "beta"] and len(list(folder.glob("*.npz"))) == 2
    assert Assistant(settings, embedder=embedder).index.ingest().repaired == [], "repaired once"


def test_a_running_server_sees_what_another_process_ingested(
    corpus: Path, make_settings: Callable[..., Settings], embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10: a running `serve` did not see a newly ingested document until it was restarted."""
    settings = make_settings(corpus_dir=corpus)
    server = Assistant(settings, embedder=embedder)
    server.index.ingest()
    assert not _answerable(server, "pelican") and _answerable(server, "otter")

    (corpus / "delta.txt").write_text(paragraphs("pelican", 2))
    (corpus / "gamma.txt").unlink()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    env.update(
        PARTNERBOT_DATA_DIR=str(settings.data_dir), PARTNERBOT_CORPUS_DIR=str(corpus), HF_HUB_OFFLINE="1"
    )
    ingest = subprocess.run(
        [str(Path(sys.executable).parent / "partnerbot"), "ingest"], env=env, capture_output=True, text=True
    )
    assert ingest.returncode == 0, ingest.stderr[-2000:]

    monkeypatch.setattr(index_module, "REFRESH_EVERY_S", 0.0)  # rather than waiting a second
    assert sorted(d.doc_id for d, _ in server.index.documents()) == ["alpha", "beta", "delta"]
    assert _answerable(server, "pelican"), "found by both indexes, Chroma's reopened"
    assert not _answerable(server, "otter")
    assert server.ask("which programme helps small firms in the pelican district 1-2?").answered


@pytest.mark.parametrize("damage", [b"\x00" * 4096, b"SQLite format 3\x00" + bytes(range(256)) * 40])
def test_a_damaged_vector_index_is_named_in_one_line_and_rebuild_restores_it(
    corpus: Path, make_settings: Callable[..., Settings], embedder, damage: bytes, monkeypatch
) -> None:
    """Issue 15: a damaged chroma.sqlite3 gave a traceback from ask, serve and ingest. The rebuild
    runs in a process of its own; `bot` is a server running beside it and follows it."""
    settings = make_settings(corpus_dir=corpus)
    bot = Assistant(settings, embedder=embedder)
    bot.index.ingest()
    post = from_text("announcement-7", "Kestrel", "The kestrel fund opens in March.", origin="announcement")
    assert bot.index.add_document(post)
    sqlite = settings.index_dir / "chroma" / "chroma.sqlite3"
    sqlite.write_bytes(damage)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    env.update(
        PARTNERBOT_DATA_DIR=str(settings.data_dir), PARTNERBOT_CORPUS_DIR=str(corpus), HF_HUB_OFFLINE="1"
    )
    command = str(Path(sys.executable).parent / "partnerbot")

    ask = subprocess.run([command, "ask", "zebrafinch?"], env=env, capture_output=True, text=True)
    assert ask.returncode != 0 and "Traceback" not in ask.stderr
    [line] = ask.stderr.strip().splitlines()
    assert str(sqlite) in line and "partnerbot ingest --rebuild" in line

    rebuild = subprocess.run([command, "ingest", "--rebuild"], env=env, capture_output=True, text=True)
    assert rebuild.returncode == 0, rebuild.stderr[-2000:]
    assert "4 added" in rebuild.stdout, "the corpus and the announcement the registry still held"
    monkeypatch.setattr(index_module, "REFRESH_EVERY_S", 0.0)  # rather than waiting a second
    assert bot.index.refresh()
    assert bot.index.problems() == []
    assert _answerable(bot, "zebrafinch")
    assert "kestrel" in bot.ask("when does the kestrel fund open?").answer.lower(), "announcements kept"
