"""Read a PDF into blocks from where its text sits on the page, not from the order it was drawn in.

Board papers arrive as justified, hyphenated, multi-column PDFs with running headers and footers. pypdf
reports each run of text with its position, font and size; from those alone this module finds the
columns, drops the page furniture, rejoins lines into paragraphs and broken words, and tells headings
by their font. Nothing here knows any particular document.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

from config.errors import CorpusError
from corpus.blocks import Block, parse_text, words

# Ligatures and other presentation forms (ﬁ, ﬀ, ﬃ, ﬆ, fullwidth letters) become plain letters. NFKC is
# applied to these characters only, so that curly quotes, dashes and ellipses keep their shape.
_PRESENTATION_FORMS = re.compile(r"[\ufb00-\ufdff\ufe70-\ufefe\uff00-\uffef]+")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—(]?\s*\d{1,4}\s*[-–—)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_MARKER = re.compile(r"^(?:[•▪◦‣∙●○■□–-]|\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})[.)])$")
_ITEM_START = re.compile(r"^(?:[•▪◦‣∙●○■□-]\s|\(?\d{1,3}(?:\.\d{1,3})*[.)]\s|\d{1,3}(?:\.\d{1,3})+\s)")
_CLAUSE_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})+\s")  # "2.1 …": the paper's own paragraph number
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LETTERS = re.compile(r"[^\W\d_]*")
_LAST_WORD = re.compile(r"[^\W\d_]+(?=.$)")
_SENTENCE_END = re.compile(r"[.!?:;…]['\"’”)]*$")
_FULL_STOP = re.compile(r"[.!?…]['\"’”)]*$")
_FILL_OPS = frozenset({b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"})
_PATH_OPS = frozenset({b"m", b"l", b"c", b"v", b"y", b"re"})
_HYPHENS = "-\u2010\u00ad"
_SOFT_HYPHEN = "\u00ad"

# Glyph widths in ems, near those of a proportional sans: lines are only compared with each other.
_EM = {
    **dict.fromkeys(string.ascii_uppercase + "&", 0.68),
    **dict.fromkeys(string.digits + "$#?_", 0.556),
    **dict.fromkeys(" ,.;:!'|ijlI()[]/‘’", 0.27),
    **dict.fromkeys('frt-"', 0.33),
    **dict.fromkeys("mwMW%@", 0.87),
}

Mark = tuple[float, float, float]  # a drawn bullet: centre x, centre y, size


def read_pdf(path: Path) -> tuple[list[Block], str | None]:
    """Blocks and the title from the PDF's properties, or a CorpusError naming the file."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        pages = [_page_runs(page) for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise CorpusError(f"{path}: not a readable PDF ({exc})") from exc
    return to_blocks(pages), title or None


def _plain_letters(text: str) -> str:
    return _PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def normalise(text: str) -> str:
    """Ligatures and presentation forms to plain letters; soft hyphens, which only mark break points, out."""
    return _plain_letters(text).replace(_SOFT_HYPHEN, "")


def text_width(text: str, size: float) -> float:
    """Estimated natural width of a text: good enough to compare lines set in the same fonts."""
    return size * sum(_EM.get(char, 0.53) for char in text)


# --- Runs: what pypdf reports ------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Text drawn from one point in one font; `x0`/`y` are page coordinates of the start of its baseline."""

    x0: float
    y: float
    size: float
    bold: bool
    text: str

    @property
    def x1(self) -> float:
        return self.x0 + text_width(self.text, self.size)


def _page_runs(page: Any) -> tuple[list[Run], list[Mark]]:
    runs: list[Run] = []
    shapes = _Shapes()

    def on_text(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        text = _plain_letters(text.replace("\n", " "))
        if text.strip():
            m = _multiply(tm, cm)
            scaled = round(size * (math.hypot(m[2], m[3]) or 1.0), 1)
            runs.append(Run(m[4], m[5], scaled, _is_bold(font), text))

    page.extract_text(orientations=(0,), visitor_text=on_text, visitor_operand_before=shapes.visit)
    return runs, shapes.marks


def _multiply(tm: list[float], cm: list[float]) -> list[float]:
    return [
        tm[0] * cm[0] + tm[1] * cm[2],
        tm[0] * cm[1] + tm[1] * cm[3],
        tm[2] * cm[0] + tm[3] * cm[2],
        tm[2] * cm[1] + tm[3] * cm[3],
        tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
        tm[4] * cm[1] + tm[5] * cm[3] + cm[5],
    ]


def _is_bold(font: Any) -> bool:
    return font is not None and bool(_BOLD_NAME.search(str(font.get("/BaseFont", ""))))


@dataclass
class _Shapes:
    """Small filled squares and discs: the bullets that browsers and word processors draw rather than type."""

    marks: list[Mark] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)

    def visit(self, operator: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        if operator in _PATH_OPS:
            self._add(operator, operands, cm)
        elif operator in _FILL_OPS:
            self._close()
        elif operator in (b"n", b"S", b"s"):
            self.points.clear()

    def _add(self, operator: bytes, operands: list[Any], cm: list[float]) -> None:
        try:
            values = [float(v) for v in operands]
        except (TypeError, ValueError):
            return
        if operator == b"re" and len(values) == 4:
            values = [values[0], values[1], values[0] + values[2], values[1] + values[3]]
        for x, y in zip(values[::2], values[1::2], strict=False):
            self.points.append((cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]))

    def _close(self) -> None:
        if self.points:
            xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
            w, h = max(xs) - min(xs), max(ys) - min(ys)
            if 1 <= w <= 8 and 1 <= h <= 8 and 0.6 <= w / h <= 1.6:
                self.marks.append(((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2, max(w, h)))
        self.points.clear()


# --- Columns -----------------------------------------------------------------------------------------


class _Box(Protocol):
    @property
    def x0(self) -> float: ...
    @property
    def x1(self) -> float: ...
    @property
    def size(self) -> float: ...


@dataclass(frozen=True)
class Layout:
    """Where the document's columns start (ascending) and where their lines usually end."""

    starts: list[float]
    ends: list[float] = field(default_factory=list)

    def column(self, box: _Box) -> int:
        return max(i for i, start in enumerate(self.starts) if box.x0 >= start - 2 or i == 0)

    def spans(self, box: _Box) -> bool:
        """A title or a full-width paragraph runs on into the next column."""
        i = self.column(box)
        return i + 1 < len(self.starts) and box.x1 > self.starts[i + 1] + 3 * box.size

    def edge(self, column: int) -> float:
        return self.ends[column] if column >= 0 else max(self.ends)

    def with_ends(self, boxes: Sequence[_Box]) -> Layout:
        """Note where each column's lines usually end: a line well short of that was ended on purpose."""
        ends = [
            [b.x1 for b in boxes if not self.spans(b) and self.column(b) == i]
            for i in range(len(self.starts))
        ]
        fallback = _percentile([b.x1 for b in boxes], 0.75) if boxes else 0.0
        return Layout(self.starts, [_percentile(e, 0.75) if e else fallback for e in ends])


def find_layout(runs: Sequence[Run]) -> Layout:
    """Columns start where a gutter ends: an upright strip that almost no line crosses, with text either side.

    Runs on one baseline a few spaces apart or less count as one stretch of text, so that word-by-word
    output and justified spacing open no false gutters.
    """
    stretches = [s for row in _rows(runs) for s in _stretches(row)]
    if not stretches:
        return Layout([0.0])
    left = _percentile([a for a, _ in stretches], 0.02)
    cover = [0] * max(0, int(_percentile([b for _, b in stretches], 0.95) - left) + 1)
    for a, b in stretches:
        for x in range(max(0, int(a - left)), min(len(cover), int(b - left) + 1)):
            cover[x] += 1
    starts, step = [left], int(0.15 * len(cover))
    quiet, x = 0.1 * max(cover, default=0), step
    while 0 < x < len(cover) - step:
        end = x
        while end < len(cover) and cover[end] <= quiet:
            end += 1
        either_side = (
            max(cover[x - step : x]) > 3 * quiet and max(cover[end : end + step], default=0) > 3 * quiet
        )
        if end - x >= 3 and either_side:
            starts.append(left + end)
            x = end + step
        else:
            x = end + 1
    return Layout(starts)


def _rows(runs: Sequence[Run]) -> list[list[Run]]:
    rows: dict[int, list[Run]] = {}
    for run in runs:
        rows.setdefault(round(run.y), []).append(run)
    return [sorted(row, key=lambda r: r.x0) for row in rows.values()]


def _stretches(row: list[Run]) -> list[tuple[float, float]]:
    stretches: list[tuple[float, float]] = []
    for run in row:
        if stretches and run.x0 - stretches[-1][1] <= 1.5 * run.size:
            stretches[-1] = (stretches[-1][0], max(stretches[-1][1], run.x1))
        else:
            stretches.append((run.x0, run.x1))
    return stretches


def _percentile(values: Sequence[float], q: float) -> float:
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, int(q * len(ranked)))]


# --- Lines -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    x0: float
    x1: float
    y: float
    size: float
    bold: bool
    text: str
    marker: str = ""  # a list marker set apart from the text: "1.", "•", or a drawn disc


def group_lines(runs: list[Run], marks: Sequence[Mark], layout: Layout) -> list[Line]:
    """Runs on one baseline make a line, but not across a gutter; a bullet drawn left of a line marks it."""
    groups: list[list[Run]] = []
    for run in runs:
        if groups and _continues(groups[-1][-1], run, layout):
            groups[-1].append(run)
        else:
            groups.append([run])
    return [_with_drawn_bullet(_line(sorted(group, key=lambda r: r.x0)), marks) for group in groups]


def _continues(last: Run, run: Run, layout: Layout) -> bool:
    """Same baseline and column, however wide the word spacing; or a title running on across columns.

    A wide gap where the style changes too separates a side heading from the first line beside it.
    """
    if abs(run.y - last.y) > 0.3 * last.size:
        return False
    restyled = run.bold != last.bold or abs(run.size - last.size) > 0.1 * last.size
    if restyled and run.x0 - last.x1 > 3 * last.size:
        return False
    column = layout.column(run)
    return column == layout.column(last) or last.x1 >= layout.starts[column] - last.size


def _line(runs: list[Run]) -> Line:
    text = runs[0].text
    for prev, run in pairwise(runs):
        touching = text[-1:].isspace() or run.text[:1].isspace() or run.x0 - prev.x1 <= 0.25 * prev.size
        text += run.text if touching else " " + run.text
    marker = runs[0].text.strip() if len(runs) > 1 and _MARKER.match(runs[0].text.strip()) else ""
    styled = runs[1:] if marker else runs
    return Line(
        x0=runs[0].x0,
        x1=runs[-1].x1,
        y=runs[0].y,
        size=max(r.size for r in styled),
        bold=all(r.bold for r in styled),
        text=" ".join(text.split()),
        marker=marker,
    )


def _with_drawn_bullet(line: Line, marks: Sequence[Mark]) -> Line:
    for x, y, size in marks:
        beside = 0 < line.x0 - x <= 3 * line.size and -0.1 * line.size <= y - line.y <= 0.7 * line.size
        if beside and size <= 0.8 * line.size:
            return replace(line, marker="•", text=f"• {line.text}")
    return line


def drop_running_lines(pages: list[list[Line]], edge: int = 2) -> list[list[Line]]:
    """Drop page numbers, and running headers and footers: edge lines repeated on most pages in one style.

    The style is part of what must repeat, so that a title set large on the first page survives its
    small running copy on the others.
    """
    edges = [_edge_lines(page, edge) for page in pages]
    counts = Counter(k for page in edges for k in {_key(line) for line in page})
    need = max(2, math.ceil(0.5 * len(pages)))
    running = {k for k, n in counts.items() if n >= need and not _SENTENCE_END.search(k[0])}

    def furniture(line: Line, at_edge: list[Line]) -> bool:
        return line in at_edge and (_key(line) in running or bool(_PAGE_NUMBER.match(line.text)))

    return [[ln for ln in page if not furniture(ln, outer)] for page, outer in zip(pages, edges, strict=True)]


def _edge_lines(page: list[Line], edge: int) -> list[Line]:
    levels = sorted({round(line.y) for line in page}, reverse=True)
    outer = set(levels[:edge] + levels[-edge:])
    return [line for line in page if round(line.y) in outer]


def _key(line: Line) -> tuple[str, float, bool]:
    return re.sub(r"\d+", "#", line.text.lower()), line.size, line.bold


def reading_order(page: list[Line], layout: Layout) -> list[tuple[int, Line]]:
    """Top to bottom in bands cut by full-width lines; within a band, one column after the other.

    Pairs are (column, line); a full-width line is in column -1.
    """
    ordered: list[tuple[int, Line]] = []
    band: list[Line] = []

    def flush() -> None:
        band.sort(key=lambda ln: (layout.column(ln), -ln.y, ln.x0))
        ordered.extend((layout.column(ln), ln) for ln in band)
        band.clear()

    for line in sorted(page, key=lambda ln: (-ln.y, ln.x0)):
        if layout.spans(line):
            flush()
            ordered.append((-1, line))
        else:
            band.append(line)
    flush()
    return ordered


# --- Paragraphs --------------------------------------------------------------------------------------


@dataclass
class Paragraph:
    lines: list[Line]
    column: int  # the column of its last line


@dataclass(frozen=True)
class _Flow:
    """What a line is judged against to tell whether it opens a new paragraph."""

    layout: Layout
    body: float  # the body text's size
    pitch: dict[float, float]  # the usual distance between baselines, per font size

    def breaks(self, para: Paragraph, column: int, line: Line) -> bool:
        """A list marker, a change of font, extra space above, a new left edge, or a short line before."""
        prev = para.lines[-1]
        if line.marker or prev.bold != line.bold or abs(prev.size - line.size) > 0.1 * line.size:
            return True
        if _ITEM_START.match(line.text) and _SENTENCE_END.search(prev.text):
            return True
        if column == para.column and 0 < prev.y - line.y < 3 * line.size:  # the next line down the column
            spaced = prev.y - line.y > self.pitch.get(line.size, 1.2 * line.size) + 0.25 * line.size
            if spaced or self._indent_changes(para, line):
                return True
        elif _FULL_STOP.search(prev.text) and line.text[:1].isupper():
            return True  # no space to read across a column or page break: a finished sentence likely ends it
        return line.size < 1.15 * self.body and self._ended_short(para, line)

    @staticmethod
    def _indent_changes(para: Paragraph, line: Line) -> bool:
        """A new left edge opens a paragraph, but for a first line's own indent or an item's hanging one."""
        prev = para.lines[-1]
        if abs(line.x0 - prev.x0) <= 0.8 * line.size:
            return False
        return not (len(para.lines) == 1 and (line.x0 < prev.x0 or prev.marker))

    def _ended_short(self, para: Paragraph, line: Line) -> bool:
        """The next line's first word would have fitted on this one, so this one was ended on purpose.

        Widths are estimates, a few per cent out, so the margin grows with the width of the column.
        """
        prev, edge = para.lines[-1], self.layout.edge(para.column)
        margin = line.size + 0.1 * (edge - prev.x0)
        return edge - prev.x1 > text_width(" " + line.text.split()[0], line.size) + margin


def paragraphs(ordered: list[tuple[int, Line]], layout: Layout) -> list[Paragraph]:
    """Lines in reading order joined into paragraphs, across columns and pages."""
    flow = _Flow(layout, _body_size([ln for _, ln in ordered]), _pitches(ordered))
    paras: list[Paragraph] = []
    for column, line in ordered:
        if paras and not flow.breaks(paras[-1], column, line):
            paras[-1].lines.append(line)
            paras[-1].column = column
        else:
            paras.append(Paragraph([line], column))
    return paras


def _body_size(lines: Iterable[Line]) -> float:
    sizes = Counter[float]()
    for line in lines:
        sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _pitches(ordered: list[tuple[int, Line]]) -> dict[float, float]:
    """The usual baseline-to-baseline distance per font size; paragraphs are set further apart."""
    gaps: dict[float, list[float]] = {}
    for (c1, a), (c2, b) in pairwise(ordered):
        if c1 == c2 and a.size == b.size and 0.9 * a.size < a.y - b.y < 3 * a.size:
            gaps.setdefault(a.size, []).append(a.y - b.y)
    return {size: _percentile(values, 0.25) for size, values in gaps.items() if len(values) >= 3}


# --- Text and blocks ---------------------------------------------------------------------------------


def join_lines(lines: list[str], counts: Counter[str]) -> str:
    """A paragraph's lines as one; a word broken by a hyphen is rejoined unless the hyphen belongs to it."""
    text = ""
    for line in lines:
        if len(text) > 1 and text[-1] in _HYPHENS and text[-2].isalpha():
            head = _LAST_WORD.search(text)
            keep = text[-1] != _SOFT_HYPHEN and keep_hyphen(head.group() if head else "", line, counts)
            text = (text if keep else text[:-1]) + line
        else:
            text = f"{text} {line}" if text else line
    return " ".join(normalise(text).split())


def keep_hyphen(head: str, rest: str, counts: Counter[str]) -> bool:
    """Whether the hyphen ending a line after `head`, before `rest`, is the word's own or the typesetter's.

    Its own before a name or a number, or where the document spells the compound with it elsewhere; the
    typesetter's where the document has the joined word. Otherwise its own only if both halves are words
    of the document ("well-" "aligned"), not fragments ("inno-" "vation").
    """
    letters = _LETTERS.match(rest)
    tail = letters.group() if letters else ""
    if not tail or not tail[0].islower():
        return True
    head, tail = head.lower(), tail.lower()
    if counts[f"{head}-{tail}"] > 0:
        return True
    if counts[head + tail] > 0:
        return False
    return counts[head] > 1 and counts[tail] > 1  # the broken word itself counts each half once


def word_counts(lines: Iterable[str]) -> Counter[str]:
    """Every word and hyphenated compound of a document, each part of a compound counted as a word too."""
    counts = Counter[str]()
    for line in lines:
        for token in _WORD.findall(line.lower()):
            counts[token] += 1
            if "-" in token:
                counts.update(token.split("-"))
    return counts


def _paragraph_text(para: Paragraph, counts: Counter[str]) -> str:
    lines = [ln.text for ln in para.lines]
    marker = para.lines[0].marker
    own = lines[0][len(marker) :].strip()
    if marker[:1].isdigit() and _CLAUSE_NUMBER.match(own):
        lines[0] = f"• {own}"  # "2. 1.1 To update…": a list's automatic number before the paper's own
    return join_lines(lines, counts)


def to_blocks(pages: list[tuple[list[Run], list[Mark]]]) -> list[Block]:
    """Each page's runs and drawn bullets to blocks; headings are told by their font, or by their shape."""
    layout = find_layout([run for runs, _ in pages for run in runs])
    lines = drop_running_lines([group_lines(runs, marks, layout) for runs, marks in pages])
    layout = layout.with_ends([ln for page in lines for ln in page])
    paras = paragraphs([pair for page in lines for pair in reading_order(page, layout)], layout)
    counts = word_counts(ln.text for page in lines for ln in page)
    kept = [(p, text) for p in paras if (text := _paragraph_text(p, counts))]
    firsts = [p.lines[0] if words(text) <= 20 else None for p, text in kept]
    levels = _heading_levels(firsts, [ln for p, _ in kept for ln in p.lines])
    shaped = parse_text("\n\n".join(text for _, text in kept))  # one paragraph a line: one block each
    return [
        Block("heading", block.text, level) if level else block
        for block, level in zip(shaped, levels, strict=True)
    ]


def _heading_levels(firsts: list[Line | None], lines: list[Line]) -> list[int]:
    """Per paragraph (by its first line, None if too long to head anything), its heading level or 0.

    Set larger than the body text, or bold where the body is not: a heading, level 1 the largest size.
    """
    body = _body_size(lines)
    bold_body = sum(len(ln.text) for ln in lines if ln.bold) > sum(len(ln.text) for ln in lines) / 2
    larger = sorted({ln.size for ln in firsts if ln and ln.size >= 1.15 * body}, reverse=True)
    levels = []
    for ln in firsts:
        if ln and ln.size in larger:
            levels.append(larger.index(ln.size) + 1)
        elif ln and ln.bold and not bold_body and ln.size >= 0.95 * body:
            levels.append(len(larger) + 1)
        else:
            levels.append(0)
    return levels
