"""A document cut into what the viewer renders: each chunk one element (`id="chunk-N"`), so a
citation's `#chunk-N` is a plain fragment that the browser scrolls to and CSS `:target` highlights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.model import Chunk, Document


@dataclass(frozen=True)
class Block:
    text: str
    heading_level: int | None = None  # 2..6 for a line that heads a section, else a paragraph


@dataclass
class Part:
    chunk: int | None  # None: text between chunks (e.g. a title above the first passage)
    blocks: list[Block] = field(default_factory=list)


def parts(document: Document, chunks: list[Chunk]) -> list[Part]:
    """The whole cleaned text, in order, split at chunk boundaries; overlaps are shown once."""
    levels = _heading_levels(chunks)
    text = document.text
    out: list[Part] = []
    pos = 0
    for chunk in sorted(chunks, key=lambda c: c.start):
        start, end = max(chunk.start, pos), max(chunk.end, pos)
        if text[pos:start].strip():
            out.append(Part(None, _blocks(text[pos:start], levels)))
        out.append(Part(chunk.index, _blocks(text[start:end], levels)))
        pos = end
    if text[pos:].strip():
        out.append(Part(None, _blocks(text[pos:], levels)))
    return out


def _heading_levels(chunks: list[Chunk]) -> dict[str, int]:
    """Section headings by depth: a chunk's `headings` is the path of sections it sits in."""
    levels: dict[str, int] = {}
    for chunk in chunks:
        for depth, heading in enumerate(chunk.headings):
            levels.setdefault(heading.strip(), min(depth + 2, 6))
    return levels


def _blocks(text: str, levels: dict[str, int]) -> list[Block]:
    return [Block(block.strip(), levels.get(block.strip())) for block in text.split("\n\n") if block.strip()]
