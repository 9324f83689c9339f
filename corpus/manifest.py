"""Metadata from a folder's manifest.yaml, or inferred where a file has no entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from config.errors import CorpusError

MANIFEST = "manifest.yaml"
_FIELDS = ("title", "kind", "author", "organisation", "published", "source_url")


@dataclass(frozen=True)
class Entry:
    doc_id: str
    title: str | None = None
    kind: str = "document"
    author: str | None = None
    organisation: str | None = None
    published: str | None = None
    source_url: str | None = None
    topics: tuple[str, ...] = ()


def slug(name: str) -> str:
    """A document id from a file name: lower-case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "document"


def read_manifest(folder: Path) -> dict[str, Entry]:
    """Entries keyed by file name; an empty mapping when the folder has no manifest."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: not a readable manifest ({exc})") from exc
    entries: dict[str, Entry] = {}
    for i, raw in enumerate(data.get("documents") or []):
        if not isinstance(raw, dict) or not raw.get("file"):
            raise CorpusError(f"{path}: entry {i + 1} needs at least a 'file' field")
        values = {k: (str(raw[k]) if raw.get(k) is not None else None) for k in _FIELDS}
        entries[str(raw["file"])] = Entry(
            doc_id=str(raw.get("id") or slug(Path(str(raw["file"])).stem)),
            kind=values.pop("kind") or "document",
            topics=tuple(str(t) for t in raw.get("topics") or ()),
            **values,
        )
    return entries


def infer_entry(path: Path) -> Entry:
    return Entry(doc_id=slug(path.stem))
