"""Every supported format loads into cleaned text, with the title and metadata answers cite."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from corpus.documents import Loaded
from tests.corpus.helpers import load_one

pytestmark = pytest.mark.unit

BODY = (
    "The cluster helps innovators reach NHS trusts through one front door. "
    "Partners meet every quarter to review the pipeline of new technologies."
)


def only(path: Path) -> Loaded:
    result = load_one(path)
    assert not result.failures, result.failures
    assert len(result.loaded) == 1
    return result.loaded[0]


def write_pdf(path: Path, title: str | None, lines: list[str]) -> Path:
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.output(str(path))
    return path


def write_docx(path: Path, title: str | None, heading: str | None, paragraphs: list[str]) -> Path:
    document = docx.Document()
    if title:
        document.core_properties.title = title
    if heading:
        document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    document.add_paragraph("Bring evidence of patient benefit", style="List Bullet")
    document.save(str(path))
    return path


def test_txt_loads_with_inferred_id_and_title_from_file_name(tmp_path: Path) -> None:
    path = tmp_path / "Annual Report 2023.txt"
    path.write_text(BODY + "\n", encoding="utf-8")
    loaded = only(path)
    assert loaded.document.doc_id == "annual-report-2023"
    assert loaded.document.title == "Annual Report 2023"
    assert loaded.document.text == BODY
    assert loaded.document.path == str(path.resolve())


def test_markdown_title_comes_from_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(f"# Front door pilot\n\n## Why\n\n{BODY}\n\n- **Bold** item with a [link](http://x.y)\n")
    loaded = only(path)
    assert loaded.document.title == "Front door pilot"
    assert "Bold item with a link" in loaded.document.text
    assert "**" not in loaded.document.text and "](" not in loaded.document.text


def test_markdown_table_rows_read_as_labelled_lines(tmp_path: Path) -> None:
    """A row is cited like a sentence, with its column's name: never "| £60,000 |"."""
    path = tmp_path / "call.md"
    path.write_text(
        "# Safe AI call\n\n| | |\n|---|---|\n| Maximum per project | £60,000 |\n| Deadline | 4 April |\n\n"
        "| Name | Role |\n|:--|--:|\n| Liz Harker | Lead |\n| Sam Ode | |\n\nApply online.\n"
    )
    lines = [line.removeprefix("- ") for line in only(path).document.text.splitlines()]
    assert "Maximum per project: £60,000" in lines and "Deadline: 4 April" in lines
    assert "Name: Liz Harker; Role: Lead" in lines and "Name: Sam Ode" in lines
    assert "Apply online." in lines
    assert not [line for line in lines if "|" in line or "---" in line]


def test_pdf_title_comes_from_its_properties(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "pathway.pdf", "Wound care pathway", ["Introduction", BODY])
    loaded = only(path)
    assert loaded.document.title == "Wound care pathway"
    assert loaded.document.doc_id == "pathway"
    assert "one front door" in loaded.document.text


def test_pdf_without_properties_takes_its_first_heading(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "untitled.pdf", None, ["Trial support offer", BODY])
    assert only(path).document.title == "Trial support offer"


def test_docx_title_from_properties_then_heading(tmp_path: Path) -> None:
    with_props = write_docx(tmp_path / "a.docx", "Innovation framework", "Section one", [BODY])
    loaded = only(with_props)
    assert loaded.document.title == "Innovation framework"
    assert "Bring evidence of patient benefit" in loaded.document.text
    assert loaded.chunks[0].headings == ("Section one",)
    without = write_docx(tmp_path / "b.docx", None, "Adoption checklist", [BODY])
    assert only(without).document.title == "Adoption checklist"


def test_html_keeps_the_article_and_drops_page_chrome(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        """<!doctype html><html><head><title>Cluster news</title>
        <script>var tracker = "SECRET-SCRIPT";</script><style>.x{color:red}</style></head>
        <body><header><a href="/">HEADER-LOGO-TEXT</a></header>
        <nav><ul><li>NAV-HOME</li><li>NAV-ABOUT</li></ul></nav>
        <main><h1>Healthtech showcase</h1><p>"""
        + BODY
        + """</p><ul><li>Register by Friday.</li></ul></main>
        <aside>ASIDE-PROMO</aside><footer>FOOTER-COPYRIGHT 2024</footer></body></html>""",
        encoding="utf-8",
    )
    loaded = only(path)
    text = loaded.document.text
    assert loaded.document.title == "Cluster news"
    assert "Healthtech showcase" in text and "one front door" in text and "Register by Friday." in text
    for chrome in (
        "SECRET-SCRIPT",
        "color:red",
        "HEADER-LOGO-TEXT",
        "NAV-HOME",
        "NAV-ABOUT",
        "ASIDE-PROMO",
        "FOOTER-COPYRIGHT",
    ):
        assert chrome not in text


def test_manifest_metadata_wins_over_inference(tmp_path: Path) -> None:
    (tmp_path / "brief.txt").write_text("Heading that would be inferred\n\n" + BODY)
    (tmp_path / "other.txt").write_text(BODY)
    (tmp_path / "manifest.yaml").write_text(
        """documents:
  - id: wound-care-brief
    file: brief.txt
    title: Wound care brief
    kind: guide
    author: A. Author
    organisation: Cluster office
    published: 2024-03-01
    source_url: https://example.org/brief
    topics: [wound care, trials]
"""
    )
    result = load_one(tmp_path)
    assert not result.failures
    docs = {d.document.doc_id: d.document for d in result.loaded}
    assert set(docs) == {"wound-care-brief", "other"}
    brief = docs["wound-care-brief"]
    assert (brief.title, brief.kind, brief.author, brief.organisation) == (
        "Wound care brief",
        "guide",
        "A. Author",
        "Cluster office",
    )
    assert brief.published == "2024-03-01"  # a YAML date stays the date it was written as
    assert brief.source_url == "https://example.org/brief"
    assert brief.topics == ("wound care", "trials")
    assert docs["other"].kind == "document" and docs["other"].title == "other"


def test_reference_manifest_ids_and_titles() -> None:
    from tests.corpus.helpers import reference

    docs = {d.document.doc_id: d.document for d in reference().loaded}
    assert docs["lep-board-healthtech-strategy-2022"].title == "Report to the LEP Board: Healthtech Strategy"
    assert docs["lep-board-healthtech-strategy-2022"].published == "2022-01-26"
    assert docs["new-healthtech-agreement"].organisation == "Leeds Academic Health Partnership"
    assert len(docs) == 5


def test_a_bad_manifest_names_itself(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(BODY)
    (tmp_path / "manifest.yaml").write_text("documents: [ {file: a.txt, id: x\n")
    result = load_one(tmp_path)
    assert not result.loaded
    assert result.failures and "manifest.yaml" in result.failures[0]


def test_two_files_with_the_same_id_are_reported(tmp_path: Path) -> None:
    (tmp_path / "Front Door.txt").write_text(BODY)
    (tmp_path / "front-door.md").write_text(BODY)
    result = load_one(tmp_path)
    assert len(result.loaded) == 1
    assert len(result.failures) == 1 and "front-door" in result.failures[0]


def test_html_text_outside_paragraphs_is_kept_in_reading_order(tmp_path: Path) -> None:
    """Many sites put prose straight into <div>s, split lines with <br> and nest lists."""
    path = tmp_path / "divs.html"
    path.write_text(
        "<html><body><article><h2>Support on offer</h2>"
        "<div class='intro'>The hub is open to <b>every</b> partner.<br>It meets monthly.</div>"
        "<div>Before the list<ul><li>Funding advice<ul><li>Grant reviews</li></ul></li></ul>"
        "After the list</div>"
        "<!-- tracking comment --><table><tr><td>Trials</td><td>NHS sites found in weeks.</td></tr></table>"
        "</article></body></html>",
        encoding="utf-8",
    )
    blocks = only(path).document.text.split("\n\n")
    assert blocks == [
        "Support on offer",
        "The hub is open to every partner. It meets monthly.",
        "Before the list",
        "- Funding advice",
        "- Grant reviews",
        "After the list",
        "Trials",
        "NHS sites found in weeks.",
    ]


class _RunningPdf(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", size=9)
        self.cell(0, 6, "Leeds Healthtech Strategy 2022 | Draft for the board", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=9)
        self.cell(0, 6, f"Strategy document - {self.page_no()}")


def test_pdf_running_headers_and_footers_are_dropped(tmp_path: Path) -> None:
    pdf = _RunningPdf()
    pdf.set_font("Helvetica", size=11)
    for n in range(4):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, f"Section {n + 1} says the hub answers partner {n + 1} within ten working days.")
    path = tmp_path / "running.pdf"
    pdf.output(str(path))
    text = only(path).document.text
    assert "Draft for the board" not in text and "Strategy document" not in text
    for n in range(4):
        assert f"Section {n + 1} says the hub answers partner {n + 1} within ten working days." in text
