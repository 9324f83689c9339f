"""Read a file of any supported format into blocks, with the title its format carries."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from config.errors import CorpusError
from corpus.blocks import Block, parse_text
from corpus.html import read_html
from corpus.pdf import read_pdf

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")

Reader = Callable[[Path], tuple[list[Block], str | None]]


def read_blocks(path: Path, max_bytes: int) -> tuple[list[Block], str | None]:
    """Blocks and an embedded title (PDF/DOCX properties, HTML <title>), or a CorpusError naming the file."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise CorpusError(f"{path}: unsupported format (supported: {', '.join(SUFFIXES)})")
    size = path.stat().st_size
    if size == 0:
        raise CorpusError(f"{path}: the file is empty")
    if size > max_bytes:
        raise CorpusError(
            f"{path}: {size:,} bytes is over the {max_bytes:,}-byte limit (PARTNERBOT_MAX_FILE_BYTES)"
        )
    try:
        blocks, title = reader(path)
    except CorpusError:
        raise
    except Exception as exc:  # parsers raise anything on hostile input; one bad file must not stop the rest
        raise CorpusError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from exc
    if not blocks:
        raise CorpusError(f"{path}: no text found in it")
    return blocks, title


def _text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise CorpusError(f"{path}: looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{path}: not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start}); save it as UTF-8"
        ) from exc


def _read_txt(path: Path) -> tuple[list[Block], str | None]:
    return parse_text(_text(path)), None


def _read_md(path: Path) -> tuple[list[Block], str | None]:
    return parse_text(_text(path), markdown=True), None


def _read_html(path: Path) -> tuple[list[Block], str | None]:
    return read_html(_text(path))


def _read_docx(path: Path) -> tuple[list[Block], str | None]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise CorpusError(f"{path}: not a readable DOCX file ({exc})") from exc
    blocks: list[Block] = []
    for para in document.paragraphs:
        text = para.text.strip()
        style = (para.style.name if para.style is not None else "") or ""
        if not text:
            continue
        if style.startswith("Heading") or style == "Title":
            level = int(style.split()[-1]) if style.split()[-1].isdigit() else 1
            blocks.append(Block("heading", text, level))
        elif "List" in style:
            blocks.append(Block("item", text))
        else:
            blocks.append(Block("para", text))
    return blocks, document.core_properties.title or None


_READERS: dict[str, Reader] = {
    ".txt": _read_txt,
    ".md": _read_md,
    ".markdown": _read_md,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": read_pdf,
    ".docx": _read_docx,
}
