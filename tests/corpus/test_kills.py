"""An ingest killed at any point leaves an index that answers as before, and the next ingest
completes it with no orphans (issue 15).

Each test SIGKILLs a real `partnerbot ingest` (no handler runs, nothing is cleaned up) at one point of
its write order: Chroma vectors → sentence vectors → documents.json (replaced) → keyword index (BM25
files, then ids.json replaced). The point is chosen by what the process shows, never by a guessed
delay: the progress bar it prints, a file it has replaced, or a named pipe (FIFO) put where the ingest
will open a file for writing. Opening a pipe waits for a reader that never comes, so the process is
held just before that write until it is killed; the pipe is then put back as the file it stood for,
and the data folder is exactly what a kill at that instant leaves. Each test checks that it killed
where it meant to (which files are new), so a changed write order fails here instead of silently
testing another point.

Two ingests started at once write one after the other: the second waits for the first's lock.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from config.settings import load_settings
from retrieval.assistant import Assistant
from retrieval.embed import Embedder
from retrieval.extractive import sentence_texts
from retrieval.index import REFRESH_EVERY_S, Index
from retrieval.keyword import KeywordIndex
from retrieval.sentences import SENTENCES
from retrieval.vectors import COLLECTION
from tests.conftest import CORPUS

pytestmark = pytest.mark.integration

PARTNERBOT = Path(sys.executable).parent / "partnerbot"
TIMEOUT_S = 120

UNCHANGED = "advancing-healthtech-innovation"
MODIFIED = "new-healthtech-agreement"
ADDED = "ferrybridge-testbed"
DELETED = "industrial-strategy-and-the-nhs"
KEPT = {UNCHANGED, "digital-health-strategy-for-all", "lep-board-healthtech-strategy-2022"}

ASK_UNCHANGED = "Who is the CEO lead for the West Yorkshire and Harrogate Health and Care Partnership?"
ASK_MODIFIED = "How much does the Kirkstall Lantern Fund give each partner firm?"
ASK_ADDED = "When does the Ferrybridge Testbed open to small firms?"
ASK_DELETED = "What does the NHS need to show the Treasury to secure sustainable financial settlements?"
MODIFIED_FACT = (
    "The Kirkstall Lantern Fund, set up under the agreement, gives each partner firm £4,750 towards its "
    "first device trial in a West Yorkshire hospital."
)
ADDED_TEXT = (
    "# Ferrybridge Testbed\n\nThe Ferrybridge Testbed for wearable devices opens to small firms on "
    "14 March 2026 at the Nexus building in Leeds.\n\nFirms book a bench through the cluster front door "
    "and pay nothing for the first six weeks.\n"
) + "".join(  # long enough for the progress bar to show several steps (16 passages each)
    f"\n## Bench log {i}\n\nIn week {i} the bench team checked the wearable sensors on loan, cleaned "
    "them, charged them and logged which firm had each one, so that the next firm finds the kit ready, "
    "the batteries full and the notes of the last trial in the folder beside it.\n"
    for i in range(1, 41)
)


@dataclass(frozen=True)
class Baseline:
    corpus: Path  # changed since `data` was built: one document modified, one added, one deleted
    data: Path  # the index of the reference corpus as it was, read from this corpus folder


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, built_data_dir: Path, embedder: Embedder) -> Baseline:
    """The built index moved onto a private copy of the corpus (an ingest that embeds nothing: the
    registry records each file's path, and only a file under the ingested folder can be deleted),
    then the corpus changed so that the next ingest embeds, replaces and removes."""
    root = tmp_path_factory.mktemp("kills")
    corpus, data = root / "corpus", root / "data"
    shutil.copytree(CORPUS, corpus)
    shutil.copytree(built_data_dir, data)
    index = Assistant(load_settings(data_dir=data, corpus_dir=corpus), embedder=embedder).index
    report = index.ingest()
    assert report.chunks_embedded == 0 and not report.failures and DELETED in report.unchanged
    with (corpus / f"{MODIFIED}.txt").open("a", encoding="utf-8") as handle:
        handle.write(f"\n{MODIFIED_FACT}\n")
    (corpus / f"{ADDED}.md").write_text(ADDED_TEXT, encoding="utf-8")
    (corpus / f"{DELETED}.txt").unlink()
    return Baseline(corpus, data)


# -- the kill points ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    name: str
    barrier: str | None  # a file in the index folder the ingest opens for writing: a FIFO holds it there
    reached: Callable[[Path, Path, bytes], bool]  # (index folder, baseline's, stderr so far): kill now
    registry_saved: bool  # whether documents.json is the new one when killed
    keyword_saved: bool  # whether keyword/ids.json is


def _changed(path: Path, before: Path) -> bool:
    try:
        return path.read_bytes() != before.read_bytes()
    except FileNotFoundError:
        return False


def _embedding(index: Path, before: Path, stderr: bytes) -> bool:
    """The progress bar has passed the passages (they are in Chroma) and the sentences remain."""
    return any(0 < int(done) < int(total) for done, total in re.findall(rb"(\d+)/(\d+) \[", stderr))


def _sentences_written(index: Path, before: Path, stderr: bytes) -> bool:
    """The added document's sentence vectors and the modified one's are written: next, the registry."""
    now = {p.name for p in index.glob(f"{SENTENCES}/*.npz")}
    then = {p.name for p in before.glob(f"{SENTENCES}/*.npz")}
    modified = any(_changed(index / SENTENCES / name, before / SENTENCES / name) for name in now & then)
    return bool(now - then) and modified


def _registry_replaced(index: Path, before: Path, stderr: bytes) -> bool:
    return _changed(index / "documents.json", before / "documents.json")


def _bm25_written(index: Path, before: Path, stderr: bytes) -> bool:
    """The last file of the new BM25 index is whole (it counts the new chunks)."""
    try:
        params = json.loads((index / "keyword" / "bm25" / "params.index.json").read_text())
        old = json.loads((before / "keyword" / "bm25" / "params.index.json").read_text())
    except (FileNotFoundError, ValueError):
        return False
    return params["num_docs"] != old["num_docs"]


def _keyword_replaced(index: Path, before: Path, stderr: bytes) -> bool:
    return _changed(index / "keyword" / "ids.json", before / "keyword" / "ids.json")


POINTS = [
    # Passages of the changed documents in Chroma, the vanished one's deleted, sentences being embedded.
    Point("embedding", None, _embedding, registry_saved=False, keyword_saved=False),
    # Every vector written, held as it opens documents.tmp: the registry knows none of it.
    Point(
        "sentences written", "documents.tmp", _sentences_written, registry_saved=False, keyword_saved=False
    ),
    # documents.json replaced, held at the keyword index's first file: the keyword index is the old one.
    Point(
        "registry replaced",
        "keyword/bm25/data.csc.index.npy",
        _registry_replaced,
        registry_saved=True,
        keyword_saved=False,
    ),
    # The new BM25 files written, held as it opens ids.tmp: the old ids.json beside the new scores.
    Point("bm25 written", "keyword/ids.tmp", _bm25_written, registry_saved=True, keyword_saved=False),
    # ids.json replaced: every write done, killed on its way out.
    Point("keyword replaced", None, _keyword_replaced, registry_saved=True, keyword_saved=True),
]


# -- running the command line -------------------------------------------------------------------


def _env(corpus: Path, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    env.update(PARTNERBOT_CORPUS_DIR=str(corpus), PARTNERBOT_DATA_DIR=str(data), HF_HUB_OFFLINE="1")
    return env


def run(*args: str, corpus: Path, data: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PARTNERBOT), *args],
        env=_env(corpus, data),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ask(questions: list[str], corpus: Path, data: Path) -> list[dict]:
    """`partnerbot ask --json -`: every question in one process (the model loads once)."""
    result = run("ask", "--json", "-", corpus=corpus, data=data, stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr[-3000:]
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(answers) == len(questions), result.stdout
    return answers


def cited(answer: dict) -> list[str]:
    return [source["doc_id"] for source in answer["sources"]]


def kill_ingest(point: Point, baseline: Baseline, data: Path) -> float:
    """Start `partnerbot ingest`, SIGKILL it at `point`; the seconds it ran."""
    index, before = data / "index", baseline.data / "index"
    if point.barrier:
        barrier = index / point.barrier
        barrier.unlink(missing_ok=True)
        os.mkfifo(barrier)
    stderr = bytearray()
    started = time.monotonic()
    process = subprocess.Popen(
        [str(PARTNERBOT), "ingest"],
        env=_env(baseline.corpus, data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    reader = threading.Thread(target=lambda: _drain(process.stderr.fileno(), stderr), daemon=True)
    reader.start()
    try:
        while not point.reached(index, before, bytes(stderr)):
            if process.poll() is not None:
                pytest.fail(
                    f"the ingest ended (exit {process.returncode}) before {point.name!r}: has the order "
                    f"of its writes changed?\n{stderr.decode(errors='replace')[-2000:]}"
                )
            if time.monotonic() - started > TIMEOUT_S:
                pytest.fail(f"{point.name!r} not reached in {TIMEOUT_S}s")
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        reader.join(5)
    ran = time.monotonic() - started
    assert process.returncode == -signal.SIGKILL, stderr.decode(errors="replace")[-2000:]
    if point.barrier:
        barrier.unlink()  # killed before it opened the file: the file is as it was, or absent
        if (before / point.barrier).exists():
            shutil.copy2(before / point.barrier, barrier)
    return ran


def _drain(fd: int, into: bytearray) -> None:
    while chunk := os.read(fd, 65536):
        into.extend(chunk)


# -- what must hold -----------------------------------------------------------------------------


def assert_no_orphans(data: Path, corpus: Path, embedder: Embedder) -> None:
    """Registry, Chroma, keyword index and sentence vectors hold exactly the same documents and
    chunks, read from disk before anything that opens the index could repair it."""
    index_dir = data / "index"
    registry = json.loads((index_dir / "documents.json").read_text(encoding="utf-8"))
    assert set(registry) == KEPT | {MODIFIED, ADDED}
    chunk_ids = {f"{doc_id}#{i}" for doc_id, entry in registry.items() for i in range(len(entry["chunks"]))}

    client = chromadb.PersistentClient(
        path=str(index_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    stored = client.get_collection(COLLECTION).get(include=["documents", "metadatas"])
    assert sorted(stored["ids"]) == sorted(chunk_ids), "Chroma holds other passages than the registry"
    for chunk_id, text, metadata in zip(stored["ids"], stored["documents"], stored["metadatas"], strict=True):
        doc_id, _, i = chunk_id.rpartition("#")
        start, end, _ = registry[doc_id]["chunks"][int(i)]
        assert text == registry[doc_id]["document"]["text"][start:end], f"{chunk_id}: stale text in Chroma"
        assert metadata["doc_id"] == doc_id

    keyword = KeywordIndex.load(index_dir / "keyword")
    assert sorted(keyword.ids) == sorted(chunk_ids), "the keyword index holds other passages"
    hits = keyword.search("Ferrybridge Testbed wearable", 3)
    assert hits and hits[0][0].startswith(f"{ADDED}#"), f"BM25 scores do not match its ids: {hits}"
    hits = keyword.search("Kirkstall Lantern", 3)
    assert hits and hits[0][0].startswith(f"{MODIFIED}#"), f"BM25 scores do not match its ids: {hits}"

    index = Index(load_settings(data_dir=data, corpus_dir=corpus), embedder, sentence_texts)
    files = sorted(p.name for p in (index_dir / SENTENCES).iterdir())
    assert all(index.sentences.has(doc_id) for doc_id in registry), "a document has no sentence vectors"
    assert len(files) == len(registry), f"sentence files of no document: {files}"
    assert not (index_dir / "documents.tmp").exists()
    assert index.problems() == []


@pytest.mark.parametrize("point", POINTS, ids=[p.name for p in POINTS])
def test_an_ingest_killed_midway_answers_as_before_and_the_next_completes_it(
    point: Point, baseline: Baseline, tmp_path: Path, embedder: Embedder
) -> None:
    data, corpus = tmp_path / "data", baseline.corpus
    shutil.copytree(baseline.data, data)
    ran = kill_ingest(point, baseline, data)

    index, before = data / "index", baseline.data / "index"
    assert _changed(index / "documents.json", before / "documents.json") == point.registry_saved
    assert _changed(index / "keyword" / "ids.json", before / "keyword" / "ids.json") == point.keyword_saved

    doctor = run("doctor", corpus=corpus, data=data)
    said = next(line for line in doctor.stdout.splitlines() if " index:" in line)
    print(f"\n[{point.name}] killed after {ran:.1f}s; doctor: {said}")
    assert said.startswith("ok ") or "run `partnerbot ingest`" in said, doctor.stdout
    assert "Traceback" not in doctor.stderr, doctor.stderr[-3000:]

    (unchanged,) = ask([ASK_UNCHANGED], corpus, data)
    assert unchanged["answered"] and cited(unchanged)[:1] == [UNCHANGED], unchanged
    assert "Rob Webster" in unchanged["answer"]

    started = time.monotonic()
    ingest = run("ingest", corpus=corpus, data=data)
    print(f"[{point.name}] next ingest ({time.monotonic() - started:.1f}s): {ingest.stdout.strip()}")
    assert ingest.returncode == 0, ingest.stderr[-3000:]

    assert_no_orphans(data, corpus, embedder)
    answers = ask([ASK_UNCHANGED, ASK_MODIFIED, ASK_ADDED, ASK_DELETED], corpus, data)
    for answer, doc_id, fact in zip(
        answers[:3], (UNCHANGED, MODIFIED, ADDED), ("Rob Webster", "4,750", "14 March 2026"), strict=True
    ):
        assert answer["answered"] and cited(answer)[:1] == [doc_id] and fact in answer["answer"], answer
    assert all(DELETED not in cited(answer) for answer in answers), answers
    assert not answers[3]["answered"], answers[3]


# -- answering while an ingest runs ---------------------------------------------------------------


def test_a_server_answers_as_before_while_an_ingest_runs_and_follows_it_once_done(
    baseline: Baseline, tmp_path: Path, embedder: Embedder
) -> None:
    """A long-lived reader (as a server is) asks all through a real `partnerbot ingest` in another
    process, which is also stopped (SIGSTOP) at each point of its write order for the reader to look
    at the folder then: every answer is the one it gave before, whatever half-written state the
    folder is in; once the ingest is done, the same reader answers from the new documents."""
    data, corpus = tmp_path / "data", baseline.corpus
    index, before = data / "index", baseline.data / "index"
    shutil.copytree(baseline.data, data)
    server = Assistant(load_settings(data_dir=data, corpus_dir=corpus), embedder=embedder)
    assert server.ask(ASK_UNCHANGED).answered
    stderr = bytearray()
    process = subprocess.Popen(
        [str(PARTNERBOT), "ingest"], env=_env(corpus, data), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    threading.Thread(target=lambda: _drain(process.stderr.fileno(), stderr), daemon=True).start()
    asked, held = 0, []
    points = [p for p in POINTS if p.name != "keyword replaced"]  # the last is the end: nothing after
    try:
        while process.poll() is None:
            if points and points[0].reached(index, before, bytes(stderr)):
                process.send_signal(signal.SIGSTOP)
                held.append(points.pop(0).name)
                time.sleep(REFRESH_EVERY_S + 0.1)  # the reader may look at the folder now
            answer = server.ask(ASK_UNCHANGED)
            asked += 1
            assert answer.answered and "Rob Webster" in answer.answer, (held, answer)
            assert answer.sources[0].doc_id == UNCHANGED, (held, answer)
            process.send_signal(signal.SIGCONT)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    assert process.returncode == 0, stderr.decode(errors="replace")[-2000:]
    print(f"\n{asked} questions answered while the ingest ran, held at: {held}")
    assert len(held) >= 3  # the write phases are short: a point passed between two looks is skipped

    time.sleep(REFRESH_EVERY_S + 0.1)
    for question, doc_id, fact in (
        (ASK_MODIFIED, MODIFIED, "4,750"),
        (ASK_ADDED, ADDED, "14 March 2026"),
        (ASK_UNCHANGED, UNCHANGED, "Rob Webster"),
    ):
        answer = server.ask(question)
        assert answer.answered and answer.sources[0].doc_id == doc_id and fact in answer.answer, answer
    assert not server.ask(ASK_DELETED).answered
    assert set(server.index.keyword.ids) == {c.chunk_id for _, c in server.index.registry.all_chunks()}


# -- two ingests at once --------------------------------------------------------------------------


def test_two_ingests_at_once_write_one_after_the_other(
    baseline: Baseline, tmp_path: Path, embedder: Embedder
) -> None:
    """Two `partnerbot ingest` at the same moment (a deploy hook beside a scheduled run): the second
    waits for the first's write lock and says so, changes nothing while it waits, then starts from
    what the first wrote and finds nothing left to do. The index is whole and answers from the new
    documents. The first is stopped (SIGSTOP) mid-write, so the overlap is certain, not timed."""
    data, corpus = tmp_path / "data", baseline.corpus
    index, before = data / "index", baseline.data / "index"
    shutil.copytree(baseline.data, data)

    def start() -> tuple[subprocess.Popen[bytes], bytearray]:
        stderr = bytearray()
        process = subprocess.Popen(
            [str(PARTNERBOT), "ingest"],
            env=_env(corpus, data),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stderr is not None
        threading.Thread(target=lambda: _drain(process.stderr.fileno(), stderr), daemon=True).start()
        return process, stderr

    def wait_for(reached: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
        started = time.monotonic()
        while not reached():
            assert process.poll() is None, f"the ingest ended (exit {process.returncode}) before {what}"
            assert time.monotonic() - started < TIMEOUT_S, f"{what}: not in {TIMEOUT_S}s"
            time.sleep(0.01)

    first, first_err = start()
    second: subprocess.Popen[bytes] | None = None
    try:
        wait_for(lambda: _embedding(index, before, bytes(first_err)), first, "the first ingest embeds")
        first.send_signal(signal.SIGSTOP)  # it holds the write lock, part way through its write
        second, second_err = start()
        wait_for(lambda: b"waiting for it to finish" in second_err, second, "the second ingest waits")
        time.sleep(0.5)  # had it not waited, it would be writing by now
        assert second.poll() is None
        assert not _changed(index / "documents.json", before / "documents.json"), "written while waiting"
        first.send_signal(signal.SIGCONT)
        first_out, _ = first.communicate(timeout=TIMEOUT_S)
        second_out, _ = second.communicate(timeout=TIMEOUT_S)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert first.returncode == 0, first_err.decode(errors="replace")[-2000:]
    assert second.returncode == 0, second_err.decode(errors="replace")[-2000:]
    assert b"1 added, 1 updated" in first_out and b"1 removed" in first_out, first_out
    unchanged = f"0 added, 0 updated, {len(KEPT) + 2} unchanged, 0 removed; 0 chunks embedded"
    assert unchanged.encode() in second_out, second_out

    assert_no_orphans(data, corpus, embedder)
    answers = ask([ASK_MODIFIED, ASK_ADDED, ASK_DELETED], corpus, data)
    assert "4,750" in answers[0]["answer"] and "14 March 2026" in answers[1]["answer"], answers
    assert not answers[2]["answered"], answers[2]
