"""`partnerbot ingest` as a person runs it: exit status and one readable line per problem."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from config.settings import ROOT

pytestmark = pytest.mark.integration

PARTNERBOT = ROOT / ".venv" / "bin" / "partnerbot"
GOOD = "The hub finds NHS trial sites for small firms. It answers within ten working days.\n"


def run(*args: str, corpus: Path, data: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    env.update(PARTNERBOT_CORPUS_DIR=str(corpus), PARTNERBOT_DATA_DIR=str(data), HF_HUB_OFFLINE="1")
    return subprocess.run(
        [str(PARTNERBOT), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_ingest_exit_status_says_whether_a_file_failed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    failed = run("ingest", corpus=corpus, data=tmp_path / "data")
    assert failed.returncode == 1, failed.stderr
    assert "broken.pdf" in failed.stderr and "Traceback" not in failed.stderr
    assert "1 added" in failed.stdout

    (corpus / "broken.pdf").unlink()
    fine = run("ingest", corpus=corpus, data=tmp_path / "data")
    assert fine.returncode == 0, fine.stderr
    assert "1 unchanged" in fine.stdout and "0 chunks embedded" in fine.stdout


def test_a_missing_corpus_folder_is_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    result = run("ingest", corpus=tmp_path / "nowhere", data=tmp_path / "data")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "nowhere" in lines[0], result.stderr
