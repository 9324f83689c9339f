"""Metadata from a folder's manifest.yaml, or inferred where a file has no entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from config.errors import CorpusError
from corpus.model import VISIBILITIES

MANIFEST = "manifest.yaml"
_FIELDS = ("title", "kind", "author", "organisation", "published", "source_url")

# libyaml's safe loader where PyYAML was built with it: a manifest is read on every ingest, and the
# pure-Python parser was most of the time of re-ingesting an unchanged corpus
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    visibility: str = "partners"
    readers: tuple[str, ...] = ()


READER = re.compile(r"^[SCG][A-Z0-9]{2,}$")  # a Slack user group (S…) or channel (C…, G…) id


def slug(name: str) -> str:
    """A document id from a file name: lower-case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "document"


@dataclass(frozen=True)
class Manifest:
    entries: dict[str, Entry]  # by file name
    visibility: str = "partners"  # the folder's default, for files it does not list
    readers: tuple[str, ...] = ()

    def entry(self, path: Path) -> Entry:
        """The file's entry, or one inferred from its name with the folder's visibility."""
        return self.entries.get(path.name) or Entry(
            doc_id=slug(path.stem), visibility=self.visibility, readers=self.readers
        )


def read_manifest(folder: Path) -> Manifest:
    """The folder's manifest; an empty one when it has none. A top-level `visibility` (and
    `readers`) is the folder's default; an entry's own overrides it."""
    path = folder / MANIFEST
    if not path.is_file():
        return Manifest({})
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: not a readable manifest ({exc})") from exc
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: a manifest is a mapping with a 'documents' list")
    default = _access(data, f"{path}: the folder's default", ("partners", ()))
    entries: dict[str, Entry] = {}
    for i, raw in enumerate(data.get("documents") or []):
        if not isinstance(raw, dict) or not raw.get("file"):
            raise CorpusError(f"{path}: entry {i + 1} needs at least a 'file' field")
        values = {k: (str(raw[k]) if raw.get(k) is not None else None) for k in _FIELDS}
        visibility, readers = _access(raw, f"{path}: entry {i + 1} ({raw['file']})", default)
        entries[str(raw["file"])] = Entry(
            doc_id=str(raw.get("id") or slug(Path(str(raw["file"])).stem)),
            kind=values.pop("kind") or "document",
            topics=tuple(str(t) for t in raw.get("topics") or ()),
            visibility=visibility,
            readers=readers,
            **values,
        )
    return Manifest(entries, *default)


def _access(raw: dict, where: str, default: tuple[str, tuple[str, ...]]) -> tuple[str, tuple[str, ...]]:
    """(visibility, readers), checked: a typo must not open a document to everyone."""
    visibility = str(raw.get("visibility") or default[0])
    if visibility not in VISIBILITIES:
        raise CorpusError(f"{where}: visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    listed = raw.get("readers")
    readers = tuple(str(r).strip() for r in ([listed] if isinstance(listed, str) else listed or ()))
    if visibility == "internal":
        readers = readers or (default[1] if default[0] == "internal" else ())
        if not readers:
            raise CorpusError(f"{where}: an internal document needs 'readers' (user group or channel ids)")
    if bad := [r for r in readers if not READER.match(r)]:
        raise CorpusError(
            f"{where}: readers {', '.join(map(repr, bad))} are not Slack user group (S…) or channel "
            "(C…, G…) ids"
        )
    return visibility, readers if visibility == "internal" else ()
