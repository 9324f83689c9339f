"""Blocks: the structure every format is read into (headings, paragraphs, list items)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["heading", "para", "item"]

_BULLET = re.compile(r"^\s*[-*+•▪◦]\s+")
_NUMBERED = re.compile(r"^\s*\(?\d{1,3}(?:\.\d{1,3})*[.)]\s+")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_END_PUNCT = re.compile(r"[.!?:;,…]['\"’”)]*$")
# "Goal 2: …", "Section 4 – …", "Appendix B: …": a labelled line heads what follows, however long.
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_BYLINE_OR_DATE = re.compile(
    rf"^(?:written |posted |published )?by\b|\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTH},? \d{{4}}\b"
    rf"|\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}\b|^\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}$",
    re.IGNORECASE,
)
# Where and when an event is, what it costs and how to reach someone, set out as fields: facts, not
# section names
_LOGISTICS = re.compile(
    r"^(?:date|dates|when|venue|location|where|address|time|times|tickets?|cost|price|fees?|places|deadline|"
    r"closing date|e-?mail|tel|telephone|phone|mobile|direct line|web ?site|twitter)"
    r"\s*:\s+\S",
    re.IGNORECASE,
)
_TABLE_ROW = re.compile(r"^\|.*\|$")
_TABLE_RULE = re.compile(r"^:?-+:?$|^$")
_LABELLED = re.compile(r"^[A-Z][a-z]+ (?:\d{1,3}|[A-Z])\s*[:.–-]\s+\S")


@dataclass(frozen=True)
class Block:
    kind: Kind
    text: str
    level: int = 1


def words(text: str) -> int:
    return len(text.split())


def looks_like_heading(line: str) -> bool:
    """A short line that does not end like a sentence: a title or a section name.

    Bylines, date lines and an event's fields ("Venue: Aire Quay Conference Centre, Leeds") are short
    and unpunctuated too, but they head nothing: they stay text.
    """
    line = line.strip()
    if _END_PUNCT.search(line) or _BYLINE_OR_DATE.search(line) or _LOGISTICS.match(line):
        return False
    return 0 < words(line) <= 12 or (bool(_LABELLED.match(line)) and words(line) <= 30)


def parse_text(text: str, *, markdown: bool = False) -> list[Block]:
    """Plain text or Markdown to blocks.

    Lines of one-paragraph-per-line files stay separate; hard-wrapped text (short lines that do
    not end a sentence) is joined back into paragraphs.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    wrapped = _is_hard_wrapped(lines)
    blocks: list[Block] = []
    buffer: list[str] = []
    table: list[str] = []

    def flush() -> None:
        if buffer:
            blocks.append(_classify(" ".join(buffer)))
            buffer.clear()
        if table:
            blocks.extend(_table_rows(table))
            table.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = _MD_HEADING.match(line) if markdown else None
        if markdown and _TABLE_ROW.match(line):
            if buffer:
                flush()
            table.append(line)
            continue
        if table:
            flush()
        if heading:
            flush()
            blocks.append(Block("heading", heading.group(2).strip(" #"), len(heading.group(1))))
        elif _BULLET.match(line) or _NUMBERED.match(line):
            flush()
            buffer.append(line)
        elif wrapped and buffer:
            buffer.append(line)
        else:
            flush()
            buffer.append(line)
            if not wrapped:
                flush()
    flush()
    return _mark_headings(blocks)


def _table_rows(lines: list[str]) -> list[Block]:
    """A Markdown table as one item per row, each cell beside its column's name: "| Voucher size |
    £2,500 to £10,000 |" reads "Voucher size: £2,500 to £10,000", a sentence that can be cited."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    header: list[str] = []
    if len(rows) > 1 and all(_TABLE_RULE.match(cell) for cell in rows[1]):
        header, rows = rows[0], rows[2:]
    items = []
    for cells in rows:
        if all(_TABLE_RULE.match(cell) for cell in cells) or not any(cells):
            continue
        if any(header) and len(header) == len(cells):
            text = "; ".join(
                f"{name}: {cell}" if name else cell for name, cell in zip(header, cells, strict=True) if cell
            )
        elif len(cells) == 2 and all(cells):
            text = f"{cells[0]}: {cells[1]}"
        else:
            text = " – ".join(cell for cell in cells if cell)
        items.append(Block("item", text))
    return items


def _is_hard_wrapped(lines: list[str]) -> bool:
    filled = [line for line in lines if line.strip()]
    if len(filled) < 4:
        return False
    short = sum(1 for line in filled if len(line) < 90 and not _END_PUNCT.search(line))
    blank_separated = sum(1 for line in lines if not line.strip()) >= len(filled) / 3
    return short / len(filled) > 0.5 and not blank_separated


def _classify(text: str) -> Block:
    if _BULLET.match(text):
        return Block("item", _BULLET.sub("", text, count=1))
    if _NUMBERED.match(text) and not (looks_like_heading(text) and words(text) <= 6):
        return Block("item", text)  # "1. We will …" is a list item; "2. Information" a section
    return Block("para", text)


def _mark_headings(blocks: list[Block]) -> list[Block]:
    """A short unpunctuated paragraph that leads into more text is a heading."""
    marked: list[Block] = []
    for i, block in enumerate(blocks):
        follows = i + 1 < len(blocks)
        if block.kind == "para" and follows and looks_like_heading(block.text):
            marked.append(Block("heading", block.text, 2))
        else:
            marked.append(block)
    return marked
