"""A board paper as PDFs arrive: two justified, hyphenated columns, ligatures, running header and footer."""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fpdf import FPDF
from pypdf import PdfReader

from corpus.blocks import Block
from corpus.load import read_blocks
from corpus.pdf import join_lines, keep_hyphen, normalise, word_counts
from tests.corpus.helpers import LIMIT

pytestmark = pytest.mark.unit

LIGATURES = "ﬁﬀﬂﬃ"
HEADING = "Innovation hub progress"
SUBHEADING = "Next steps"
HEADER = "West Yorkshire Healthtech Cluster | Board paper 7"
# "|" marks where a word may be hyphenated at the end of a line, as a typesetter's dictionary would.
BEFORE = [
    "The cluster board met in March to review the ﬁrst year of the inno|vation hub and agreed that the "
    "hub should keep its single front door for companies with new tech|nologies.",
    "Partners reported that trusts now answer a prompt and clear well-aligned request within ten working "
    "days, and that com|panies ﬁnd the evaluation of|fer clear. Two universities joined the hub as well, "
    "and their research teams are aligned with the trusts that host the trials.",
    "The eﬀiciency of the hub depends on data. Each request is logged, its out|come is published every "
    "quarter, and the board uses those ﬁgures to decide where the hub should spend its small budget "
    "over the coming year, including the inno|vation fund.",
]
AFTER = [
    "The hub will recruit two clinical fellows, extend its oﬀer to social care, and report to the board "
    "again in September with a plan for the second year of inno|vation support across the region.",
    "Companies that want to take part should contact the hub oﬃce, which will ﬂag the trusts best placed "
    "to test their product and arrange an intro|ductory meeting within a month.",
]
PAGE_W, PAGE_H, MARGIN, GUTTER, TOP, BOTTOM = 150.0, 66.0, 12.0, 8.0, 16.0, 54.0
COLUMN = (PAGE_W - 2 * MARGIN - GUTTER) / 2


@dataclass(frozen=True)
class Placed:
    page: int
    column: int
    y: float
    words: list[str]
    font: tuple[str, str, float]
    justify: bool
    block: int


def paper_font(path: Path) -> Path:
    """A tiny TrueType font with the ligatures, so the test needs no system fonts."""
    chars = [c for c in string.printable if c.isprintable()] + list(LIGATURES)
    names = [".notdef"] + [f"uni{ord(c):04X}" for c in chars]
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        if name != "uni0020":
            for x, y in ((50, 0), (50, 600), (420, 600), (420, 0)):
                (pen.lineTo if x != 50 or y else pen.moveTo)((x, y))
            pen.closePath()
        glyphs[name] = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): n for c, n in zip(chars, names[1:], strict=True)})
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({n: (250 if n == "uni0020" else 500, 50) for n in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "PaperSerif", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.save(str(path))
    return path


def wrap(pdf: FPDF, text: str, width: float) -> list[list[str]]:
    """Greedy line filling; a word breaks at a marked point or after its own hyphen if the first part fits."""
    lines: list[list[str]] = [[]]
    for word in text.split():
        while True:
            if pdf.get_string_width(" ".join([*lines[-1], word.replace("|", "")])) <= width or not lines[-1]:
                lines[-1].append(word.replace("|", ""))
                break
            parts = re.split(r"\||(?<=-)(?=.)", word)
            heads = ("".join(parts[:cut]) for cut in range(len(parts) - 1, 0, -1))
            fitting = (
                h for h in heads if pdf.get_string_width(" ".join([*lines[-1], h.rstrip("-") + "-"])) <= width
            )
            head = next(fitting, "")
            if head:
                lines[-1].append(head.rstrip("-") + "-")
                word = word.replace("|", "")[len(head) :]
            lines.append([])
    return lines


def flow(pdf: FPDF, blocks: list[tuple[str, tuple[str, str, float]]]) -> list[Placed]:
    """Blocks poured down the left column, then the right, then onto the next page."""
    placed: list[Placed] = []
    page, column, y = 0, 0, TOP
    for index, (text, font) in enumerate(blocks):
        pdf.set_font(*font)
        pitch = font[2] * 0.45
        lines = wrap(pdf, text, COLUMN)
        for n, words in enumerate(lines):
            if y + pitch > BOTTOM:
                page, column = (page + 1, 0) if column else (page, 1)
                y = TOP
            y += pitch
            justify = n < len(lines) - 1 and "B" not in font[1]  # headings are set ragged
            placed.append(Placed(page, column, y, words, font, justify, index))
        y += 2.5
    return placed


def write_paper(path: Path) -> list[Placed]:
    """Lines drawn row by row across both columns, word by word, as browsers print justified text."""
    pdf = FPDF(format=(PAGE_W, PAGE_H))
    pdf.set_auto_page_break(False)
    pdf.add_font("Paper", fname=str(paper_font(path.with_suffix(".ttf"))))
    body = ("Paper", "", 10.0)
    blocks = [(HEADING, ("Helvetica", "B", 15.0))] + [(t, body) for t in BEFORE]
    blocks += [(SUBHEADING, ("Helvetica", "B", 10.0))] + [(t, body) for t in AFTER]
    placed = flow(pdf, blocks)
    pages = max(p.page for p in placed) + 1
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", size=7)
        pdf.text(PAGE_W - MARGIN - pdf.get_string_width(HEADER), 9, HEADER)
        pdf.text(PAGE_W / 2 - 8, PAGE_H - 6, f"Page {page + 1} of {pages}")
        for line in sorted((p for p in placed if p.page == page), key=lambda p: (p.y, p.column)):
            draw(pdf, line)
    pdf.output(str(path))
    return placed


def draw(pdf: FPDF, line: Placed) -> None:
    pdf.set_font(*line.font)
    x = MARGIN + line.column * (COLUMN + GUTTER)
    widths = [pdf.get_string_width(w) for w in line.words]
    space = pdf.get_string_width(" ")
    if line.justify and len(line.words) > 1:
        space = (COLUMN - sum(widths)) / (len(line.words) - 1)
    for word, width in zip(line.words, widths, strict=True):
        pdf.text(x, line.y, word)
        x += width + space


def expected(text: str) -> str:
    return normalise(text.replace("|", ""))


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Block], list[Placed], Path]:
    path = tmp_path_factory.mktemp("pdf") / "board-paper.pdf"
    placed = write_paper(path)
    blocks, _ = read_blocks(path, LIMIT)
    return blocks, placed, path


def test_the_fixture_is_the_hard_case(paper: tuple[list[Block], list[Placed], Path]) -> None:
    """The premises: 3+ pages, paragraphs across columns and pages, both kinds of hyphen at line ends."""
    _, placed, path = paper
    assert len({p.page for p in placed}) >= 3
    assert {"inno-", "well-"} <= {p.words[-1] for p in placed}  # a typesetter's hyphen and a word's own
    assert any(len({(p.page, p.column) for p in placed if p.block == b}) > 1 for b in range(1, 7))
    plain = PdfReader(path).pages[0].extract_text()
    assert HEADER in plain and "Page 1 of" in plain and "ﬁ" in plain


def test_paragraphs_come_out_whole_in_column_order(paper: tuple[list[Block], list[Placed], Path]) -> None:
    blocks, _, _ = paper
    assert [b.text for b in blocks] == [HEADING, *map(expected, BEFORE), SUBHEADING, *map(expected, AFTER)]


def test_headings_are_told_by_their_font(paper: tuple[list[Block], list[Placed], Path]) -> None:
    blocks, _, _ = paper
    headings = [(b.text, b.level) for b in blocks if b.kind == "heading"]
    assert headings == [(HEADING, 1), (SUBHEADING, 2)]
    assert all(b.kind == "para" for b in blocks if b.text not in (HEADING, SUBHEADING))


def test_ligatures_hyphens_and_page_furniture(paper: tuple[list[Block], list[Placed], Path]) -> None:
    text = "\n".join(b.text for b in paper[0])
    assert not set(LIGATURES) & set(text)
    assert "first year" in text and "efficiency" in text and "office" in text and "flag" in text
    assert "innovation hub" in text and "inno-" not in text and "introductory" in text
    assert "well-aligned" in text
    assert "Board paper 7" not in text and "Page " not in text


def test_the_loaded_document_reads_like_its_text(paper: tuple[list[Block], list[Placed], Path]) -> None:
    from corpus.documents import load_files

    loaded = load_files([paper[2]], max_bytes=LIMIT).loaded[0]
    assert loaded.document.title == HEADING
    assert loaded.document.text.split("\n\n")[1] == expected(BEFORE[0])
    assert any(chunk.headings == (HEADING, SUBHEADING) for chunk in loaded.chunks)


@pytest.mark.parametrize(
    ("head", "rest", "seen", "keep"),
    [
        ("inno", "vation hub", "the innovation fund", False),  # the joined word is the document's
        ("inno", "vation hub", "", False),  # a fragment, not a word
        ("well", "aligned plan", "as well as, aligned with", True),  # both halves are words
        ("cross", "sector deal", "a cross-sector deal", True),  # the compound is spelt with it elsewhere
        ("Oliver", "Beech", "", True),  # a name
        ("COVID", "19", "", True),  # a number
    ],
)
def test_a_line_end_hyphen_is_kept_only_where_it_belongs(head: str, rest: str, seen: str, keep: bool) -> None:
    counts = word_counts([seen, f"{head}-", rest])
    assert keep_hyphen(head, rest, counts) is keep


def test_lines_join_with_spaces_and_broken_words_without() -> None:
    counts = word_counts(["a cross-sector deal"])
    assert join_lines(
        ["the inno\u00ad", "vation hub for a cross-", "sector deal and inno-", "vation"], counts
    ) == ("the innovation hub for a cross-sector deal and innovation")


def test_ligatures_are_normalised_but_typography_kept() -> None:
    assert normalise("Oﬀice ﬁnds ﬂows, eﬃcient ﬄuent ﬅ ﬆ") == "Office finds flows, efficient ffluent st st"
    assert normalise("“quoted” – dash … ’") == "“quoted” – dash … ’"
    assert normalise("soft\u00adhyphen ＦＵＬＬ") == "softhyphen FULL"


def test_word_counts_see_compounds_and_their_parts() -> None:
    assert word_counts(["A well-aligned plan"]) == Counter(
        {"a": 1, "well-aligned": 1, "well": 1, "aligned": 1, "plan": 1}
    )


def test_drawn_bullets_list_numbers_side_heads_and_unspaced_paragraphs(tmp_path: Path) -> None:
    """Browsers draw bullets as shapes and number lists apart from the text; Word sets paragraphs unspaced."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5.5, expected(BEFORE[0]), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5.5, "The board agreed.", new_x="LMARGIN", new_y="NEXT")  # no space: short line ends it
    pdf.multi_cell(0, 5.5, expected(AFTER[0]), new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 8
    for item in ("Name a digital lead in every trust", "Publish the pipeline of pilots"):
        pdf.rect(21, y - 2.2, 1.2, 1.2, style="F")  # a square bullet, drawn
        pdf.text(25, y, item)
        y += 6
    pdf.text(20, y, "2.")  # the list's own counter, before the paper's paragraph number
    pdf.text(25, y, "1.1 To update the board on the strategy.")
    pdf.set_font("Helvetica", "B", 11)
    pdf.text(10, y + 12, "Purpose")  # a side heading beside the first line of its text
    pdf.set_font("Helvetica", size=11)
    pdf.text(60, y + 12, "The paper asks the board to note progress.")
    path = tmp_path / "memo.pdf"
    pdf.output(str(path))
    blocks, _ = read_blocks(path, LIMIT)
    assert [(b.kind, b.text) for b in blocks] == [
        ("para", expected(BEFORE[0])),
        ("para", "The board agreed."),
        ("para", expected(AFTER[0])),
        ("item", "Name a digital lead in every trust"),
        ("item", "Publish the pipeline of pilots"),
        ("item", "1.1 To update the board on the strategy."),
        ("heading", "Purpose"),
        ("para", "The paper asks the board to note progress."),
    ]
