"""Structure-aware chunking: whole paragraphs and list items, headings carried, spans kept.

The cleaned text is the blocks joined by blank lines; each chunk is an exact slice of it, so the
source viewer can highlight `text[start:end]`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from corpus.blocks import Block, words
from corpus.model import Chunk

TARGET_WORDS = 110
MAX_WORDS = 180
_SENTENCE_END = re.compile(r"(?<=[.!?…])(['\"’”)]*)\s+(?=[\"'‘“(]?[A-Z0-9])")  # group 1: closing quotes


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans within `text`; each line is also a boundary (list items, headings)."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        start = 0
        for match in _SENTENCE_END.finditer(line):
            spans.append((offset + start, offset + match.end(1)))
            start = match.end()
        if line[start:].strip():
            spans.append((offset + start, offset + len(line.rstrip())))
        offset += len(line) + 1
    return [(a, b) for a, b in spans if b > a]


def render(blocks: list[Block]) -> tuple[str, list[tuple[int, int]]]:
    """The cleaned text and each block's span in it."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for block in blocks:
        text = f"- {block.text}" if block.kind == "item" and not block.text[:1].isdigit() else block.text
        spans.append((pos, pos + len(text)))
        parts.append(text)
        pos += len(text) + 2
    return "\n\n".join(parts), spans


def chunk_blocks(doc_id: str, blocks: list[Block]) -> tuple[str, list[Chunk]]:
    text, spans = render(blocks)
    chunks: list[Chunk] = []
    for headings, start, end in _group(_pieces(blocks, spans, text)):
        chunks.append(Chunk(doc_id, len(chunks), text[start:end], start, end, headings))
    return text, chunks


class _Piece(NamedTuple):
    path: tuple[str, ...]  # the headings above it
    heading: bool
    start: int
    end: int
    words: int


def _pieces(blocks: list[Block], spans: list[tuple[int, int]], text: str) -> list[_Piece]:
    """One piece per block; a block over MAX_WORDS is cut into runs of whole sentences."""
    stack: list[tuple[int, str]] = []
    out: list[_Piece] = []
    for block, (start, end) in zip(blocks, spans, strict=True):
        if block.kind == "heading":
            stack = [(lvl, h) for lvl, h in stack if lvl < block.level] + [(block.level, block.text)]
            out.append(_Piece(tuple(h for _, h in stack[:-1]), True, start, end, words(block.text)))
            continue
        path = tuple(h for _, h in stack)
        runs = [(start, end)] if words(text[start:end]) <= MAX_WORDS else _sentence_runs(text, start, end)
        out.extend(_Piece(path, False, a, b, words(text[a:b])) for a, b in runs)
    return out


def _sentence_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    run_start, run_end, count = -1, start, 0
    for a, b in _word_runs(text, [(a + start, b + start) for a, b in split_sentences(text[start:end])]):
        n = words(text[a:b])
        if run_start >= 0 and count + n > TARGET_WORDS:
            runs.append((run_start, run_end))
            run_start, count = -1, 0
        if run_start < 0:
            run_start = a
        run_end, count = b, count + n
    if run_start >= 0:
        runs.append((run_start, run_end))
    return runs


def _word_runs(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences as they are, except one over MAX_WORDS (a table, a run-on line): cut between words."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if words(text[a:b]) <= MAX_WORDS:
            out.append((a, b))
            continue
        bounds = [m.span() for m in re.finditer(r"\S+", text[a:b])]
        for i in range(0, len(bounds), TARGET_WORDS):
            part = bounds[i : i + TARGET_WORDS]
            out.append((a + part[0][0], a + part[-1][1]))
    return out


def _group(pieces: list[_Piece]) -> list[tuple[tuple[str, ...], int, int]]:
    """Pack consecutive pieces into chunks near TARGET_WORDS; a heading after body text opens a new one."""
    groups: list[tuple[tuple[str, ...], int, int]] = []
    current: list[_Piece] = []

    def close() -> None:
        body = [p for p in current if not p.heading]
        if body:
            groups.append((body[0].path, current[0].start, current[-1].end))
        elif current and groups:  # trailing headings with nothing under them join the last chunk
            path, start, _ = groups[-1]
            groups[-1] = (path, start, current[-1].end)
        current.clear()

    for piece in pieces:
        has_body = any(not p.heading for p in current)
        size = sum(p.words for p in current)
        if current and ((piece.heading and has_body) or (has_body and size + piece.words > TARGET_WORDS)):
            close()
        current.append(piece)
    close()
    return groups
