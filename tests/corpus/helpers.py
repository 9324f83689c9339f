"""What the corpus tests share: the reference corpus, loaded once, and small file writers."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from corpus.documents import LoadResult, load_files
from tests.conftest import CORPUS

LIMIT = 20_000_000


@cache
def reference() -> LoadResult:
    result = load_files([CORPUS], max_bytes=LIMIT)
    assert not result.failures, result.failures
    return result


def raw_texts() -> dict[str, str]:
    """The reference files as received, keyed by document id."""
    return {Path(d.document.path).stem: Path(d.document.path).read_text("utf-8") for d in reference().loaded}


def load_one(path: Path, max_bytes: int = LIMIT) -> LoadResult:
    return load_files([path], max_bytes=max_bytes)


def blocks_of(text: str) -> list[str]:
    """The cleaned text's blocks (paragraphs, list items, headings): it joins them by blank lines."""
    return [b for b in text.split("\n\n") if b.strip()]


def text_of(doc_id: str) -> str:
    """The cleaned text of one reference document."""
    return next(d.document.text for d in reference().loaded if d.document.doc_id == doc_id)
