"""Files to (Document, chunks): the corpus package's one entry point."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from config.errors import CorpusError
from corpus.blocks import Block, parse_text
from corpus.chunk import chunk_blocks
from corpus.clean import clean_blocks
from corpus.load import SUFFIXES, read_blocks
from corpus.manifest import MANIFEST, Entry, Manifest, read_manifest
from corpus.model import Chunk, Document


@dataclass(frozen=True)
class Loaded:
    document: Document
    chunks: list[Chunk]


@dataclass
class LoadResult:
    loaded: list[Loaded] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one readable line per file that failed


def find_files(paths: Iterable[Path]) -> list[Path]:
    """Supported files under the given files and folders, in a stable order."""
    found: list[Path] = []
    for path in (p.resolve() for p in paths):
        if not path.exists():
            raise CorpusError(f"{path}: no such file or folder (set PARTNERBOT_CORPUS_DIR or pass a path)")
        candidates = (
            sorted(p for p in path.rglob("*") if not _hidden(p.relative_to(path)))
            if path.is_dir()
            else [path]
        )
        found.extend(p for p in candidates if p.is_file() and p.suffix.lower() in SUFFIXES)
    return found


def _hidden(relative: Path) -> bool:
    """Dot files and folders (.git, .obsidian) and Office lock files (~$report.docx) are not documents."""
    return any(part.startswith((".", "~$")) for part in relative.parts)


Known = Callable[[str, str], Loaded | None]  # (document id, source stamp) -> the copy indexed from it


def load_files(paths: Iterable[Path], *, max_bytes: int, known: Known | None = None) -> LoadResult:
    """Read every file it can; a file that fails is reported and the rest still load.

    `known`: the copy already indexed from a file of this source stamp, which is then not parsed
    again (re-ingesting an unchanged corpus is a hash of each file, not a parse)."""
    result = LoadResult()
    manifests: dict[Path, Manifest] = {}
    seen: dict[str, Path] = {}
    for path in find_files(paths):
        if path.name == MANIFEST:
            continue
        try:
            folder = path.parent
            if folder not in manifests:
                manifests[folder] = read_manifest(folder)
            entry = manifests[folder].entry(path)
            stamp = source_stamp(path, entry, max_bytes)
            loaded = (known and known(entry.doc_id, stamp)) or build(
                path, entry, max_bytes=max_bytes, stamp=stamp
            )
        except CorpusError as exc:
            result.failures.append(str(exc))
            continue
        if entry.doc_id in seen:
            result.failures.append(f"{path}: id {entry.doc_id!r} is already used by {seen[entry.doc_id]}")
            continue
        seen[entry.doc_id] = path
        result.loaded.append(loaded)
    return result


def source_stamp(path: Path, entry: Entry, max_bytes: int) -> str:
    """What a document is built from: the file's bytes, where it is, its manifest entry and the code
    that reads it. The same stamp builds the same document."""
    stamp = hashlib.sha256(f"{_reader_version()}|{path}|{entry}".encode())
    if path.stat().st_size <= max_bytes:  # a larger file is refused by `build`, never read whole here
        stamp.update(path.read_bytes())
    return stamp.hexdigest()[:24]


@cache
def _reader_version() -> str:
    """This package's code: a changed parser or cleaner reads every file again."""
    code = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        code.update(module.read_bytes())
    return code.hexdigest()[:16]


def build(
    path: Path, entry: Entry, *, max_bytes: int, origin: str = "corpus", stamp: str | None = None
) -> Loaded:
    """`origin`: "corpus" for the corpus folder's files, "library" for those the communications
    group added, which an ingest of the corpus neither replaces nor removes. `stamp`: its
    `source_stamp`, kept with the document."""
    raw, embedded_title = read_blocks(path, max_bytes)
    blocks = clean_blocks(raw)
    if not blocks:
        raise CorpusError(f"{path}: nothing but page furniture in it")
    first_heading = next((b.text for b in blocks if b.kind == "heading"), None)
    title = entry.title or embedded_title or first_heading or path.stem.replace("-", " ")
    return _assemble(
        blocks,
        doc_id=entry.doc_id,
        title=title,
        kind=entry.kind,
        author=entry.author,
        organisation=entry.organisation,
        published=entry.published,
        source_url=entry.source_url,
        topics=entry.topics,
        visibility=entry.visibility,
        readers=entry.readers,
        path=str(path),
        origin=origin,
        stamp=stamp,
    )


def from_text(doc_id: str, title: str, body: str, **metadata: str | None) -> Loaded:
    """A document that is not a file (an announcement): its body is read like Markdown."""
    blocks = clean_blocks([Block("heading", title, 1), *parse_text(body, markdown=True)])
    return _assemble(blocks, doc_id=doc_id, title=title, **metadata)


def _assemble(blocks: list[Block], **fields: object) -> Loaded:
    doc_id = str(fields["doc_id"])
    text, chunks = chunk_blocks(doc_id, blocks)
    # `fields` are the manifest's and the caller's metadata, checked by name when Document is built
    return Loaded(Document(text=text, **fields), chunks)  # type: ignore[arg-type]
