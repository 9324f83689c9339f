"""The command line as a person uses it: real process, real model, real index."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS

pytestmark = pytest.mark.integration

CONTRACT = {"question", "answered", "answer", "sources", "latency_ms", "declined", "refer"}
SOURCE_FIELDS = {
    "n",
    "doc_id",
    "title",
    "url",
    "source_url",
    "organisation",
    "published",
    "kind",
    "chunk",
    "snippet",
    "score",
}


def partnerbot(*args: str, data: Path, corpus: Path = CORPUS, stdin: str | None = None, **env: str):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    environment.update(PARTNERBOT_DATA_DIR=str(data), PARTNERBOT_CORPUS_DIR=str(corpus), **env)
    command = [str(Path(sys.executable).parent / "partnerbot"), *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, env=environment, timeout=300)


@pytest.fixture
def data(built_data_dir, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(built_data_dir, copy)
    return copy


def test_ask_json_prints_the_answer_contract(data):
    result = partnerbot(
        "ask", "--json", "What are the three headline goals of the healthtech strategy?", data=data
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == CONTRACT
    assert answer["answered"] is True
    assert set(answer["sources"][0]) == SOURCE_FIELDS
    assert answer["sources"][0]["doc_id"] == "lep-board-healthtech-strategy-2022"
    assert "leading place" in answer["answer"]


def test_ask_reads_one_question_a_line_and_keeps_going_past_bad_ones(data):
    lines = (
        "Who is Jo-Anne Wass?\n\nWhat is the boiling point of water?\n"
        + "x" * 5000
        + "\nWho is Rob Webster?\n"
    )
    result = partnerbot("ask", "--json", "-", data=data, stdin=lines)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("answered") for o in out] == [True, False, None, True]
    assert "Chief Operating Officer" in out[0]["answer"]
    assert "limit" in out[2]["error"]


def test_ask_prints_a_readable_answer_with_its_sources(data):
    result = partnerbot(
        "ask", "What percentage of health-tech ecosystem revenues are in Leeds City Region?", data=data
    )
    assert result.returncode == 0, result.stderr
    assert "71%" in result.stdout
    assert (
        "Sources:\n[1] Developing a digital health strategy for all — NHS Confederation, 2019"
        in result.stdout
    )
    assert re.search(r"/sources/digital-health-strategy-for-all\?t=[\w-]+\.[\w-]+#chunk-\d", result.stdout)
    assert "original: https://www.wybusiness-skills.com/" in result.stdout
    assert "For help from a person" not in result.stdout


def test_asking_for_a_way_in_is_answered_and_points_to_a_person_too(data):
    result = partnerbot(
        "ask", "I have a wound-care device and want an NHS trial: where do I start?", data=data
    )
    assert result.returncode == 0, result.stderr
    assert not result.stdout.startswith("I couldn't find that")
    assert "Sources:\n[1]" in result.stdout
    assert "For help from a person, ask the cluster's front door channel" in result.stdout


def test_ask_without_an_answer_points_to_a_person(data):
    result = partnerbot("ask", "What are the visiting hours at Leeds General Infirmary?", data=data)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("I couldn't find that in the cluster's documents.\n")
    assert (
        "For help from a person, ask the cluster's front door channel, #healthtech-front-door."
        in result.stdout
    )


def test_first_ask_builds_the_index_from_the_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "hub.md").write_text("# The hub\n\nThe Innovation Hub opens its doors to SMEs every Tuesday.\n")
    result = partnerbot(
        "ask", "--json", "When does the Innovation Hub open to SMEs?", data=tmp_path / "d", corpus=corpus
    )
    assert result.returncode == 0, result.stderr
    assert "No index yet: building it" in result.stderr
    answer = json.loads(result.stdout)
    assert answer["answered"] and "every Tuesday" in answer["answer"]
    assert answer["sources"][0]["doc_id"] == "hub" and answer["sources"][0]["title"] == "The hub"


def test_missing_corpus_folder_is_one_line_and_a_failure(tmp_path):
    result = partnerbot("ask", "Anything?", data=tmp_path / "d", corpus=tmp_path / "nowhere")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("partnerbot: ")
    assert "nowhere: no such file or folder" in result.stderr


def test_bad_setting_is_one_line_and_a_failure(tmp_path):
    result = partnerbot("ask", "Anything?", data=tmp_path / "d", PARTNERBOT_TOP_K="lots")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "partnerbot: bad setting: PARTNERBOT_TOP_K: Input should be a valid integer, "
        "unable to parse string as an integer"
    )


def test_eval_prints_every_figure(data, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "a", "question": "Who is Jo-Anne Wass?", "answerable": true, '
        '"gold_docs": ["new-healthtech-agreement"], "key_facts": [["Chief Operating Officer"]]}\n'
        '{"id": "b", "question": "What is the capital of France?", "answerable": false}\n'
    )
    result = partnerbot("eval", "--json", str(questions), data=data)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["hit_at_1"] == 1.0 and figures["key_fact_recall"] == 1.0
    assert figures["in_scope_answered"] == 1.0 and figures["out_of_scope_declined"] == 1.0
    assert {"hit_at_3", "median_answer_words", "latency_p50_ms", "latency_p95_ms"} <= set(figures)


def test_eval_on_a_malformed_file_names_the_line(data, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "a", "question": "ok?", "answerable": true}\n{not json\n')
    result = partnerbot("eval", str(questions), data=data)
    assert result.returncode == 2
    assert "q.jsonl:2: not a question record" in result.stderr
    assert "Traceback" not in result.stderr


def test_corpus_with_nothing_readable_is_one_line_and_a_failure(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("")
    result = partnerbot("ask", "Anything?", data=tmp_path / "d", corpus=corpus)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "holds no document that could be read (1 failed)" in result.stderr
    assert "empty.txt: the file is empty" in result.stderr
