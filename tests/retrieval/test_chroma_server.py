"""The same code path against a Chroma server (`chroma run`), started here on loopback."""

import shutil

import pytest

from config.errors import ConfigError
from retrieval.assistant import Assistant
from tests.conftest import CORPUS
from tests.support.servers import free_port

pytestmark = pytest.mark.integration


def test_ingest_and_answer_through_a_chroma_server(chroma_url, make_settings, embedder, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    assistant = Assistant(make_settings(chroma_url=chroma_url, corpus_dir=corpus), embedder=embedder)
    first = assistant.index.ingest()
    assert len(first.added) == 5 and not first.failures
    assert assistant.index.vectors.count() == first.chunks_embedded
    answer = assistant.ask(
        "Which government department selected regions to produce science and innovation audits?"
    )
    assert answer.answered and "Business, Energy and Industrial Strategy" in answer.answer

    removed_chunks = len(assistant.index.registry.chunks("digital-health-strategy-for-all"))
    (corpus / "digital-health-strategy-for-all.txt").unlink()
    second = assistant.index.ingest()
    assert second.removed == ["digital-health-strategy-for-all"] and second.chunks_embedded == 0
    assert assistant.index.vectors.count() == first.chunks_embedded - removed_chunks
    cited = assistant.ask("What percentage of health-tech revenues are in Leeds City Region?").sources
    assert all(s.doc_id != "digital-health-strategy-for-all" for s in cited)


def test_unreachable_chroma_server_is_a_config_error(make_settings, embedder):
    assistant = Assistant(make_settings(chroma_url=f"http://127.0.0.1:{free_port()}"), embedder=embedder)
    with pytest.raises(ConfigError, match="cannot open the Chroma index"):
        assistant.index.ingest()


def test_a_rebuild_replaces_the_servers_collection_and_a_running_reader_follows(
    chroma_url, make_settings, embedder, tmp_path, monkeypatch
):
    from retrieval import index as index_module

    settings = make_settings(chroma_url=chroma_url, corpus_dir=CORPUS, data_dir=tmp_path / "data")
    reader = Assistant(settings, embedder=embedder)
    reader.index.ingest()
    question = "Which government department selected regions to produce science and innovation audits?"
    assert reader.ask(question).answered

    report = Assistant(settings, embedder=embedder).index.rebuild()
    assert len(report.added) == 5
    monkeypatch.setattr(index_module, "REFRESH_EVERY_S", 0.0)
    answer = reader.ask(question)  # refreshes: the old collection is gone from the server
    assert answer.answered and "Business, Energy and Industrial Strategy" in answer.answer
    assert reader.index.problems() == []
