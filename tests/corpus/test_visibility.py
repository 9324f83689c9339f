"""The manifest says who may read each document; a mistake in it stops the file, never opens it."""

from __future__ import annotations

from pathlib import Path

from tests.corpus.helpers import load_one

TEXT = "# Board minutes\n\nThe board agreed the healthtech budget for next year.\n"


def folder_with(tmp_path: Path, manifest: str, *files: str) -> Path:
    for name in files or ("minutes.md",):
        (tmp_path / name).write_text(TEXT)
    (tmp_path / "manifest.yaml").write_text(manifest)
    return tmp_path


def loaded(folder: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    result = load_one(folder)
    assert not result.failures, result.failures
    return {d.document.doc_id: (d.document.visibility, d.document.readers) for d in result.loaded}


def test_documents_are_for_partners_unless_the_manifest_says_otherwise(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        "documents:\n"
        "  - {file: open.md, visibility: public}\n"
        "  - {file: board.md, visibility: internal, readers: [S0BOARD, C0BOARDROOM]}\n"
        "  - {file: plain.md}\n",
        "open.md",
        "board.md",
        "plain.md",
        "unlisted.md",
    )
    assert loaded(folder) == {
        "open": ("public", ()),
        "board": ("internal", ("S0BOARD", "C0BOARDROOM")),
        "plain": ("partners", ()),
        "unlisted": ("partners", ()),
    }


def test_a_folder_default_covers_its_files_and_an_entry_overrides_it(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        "visibility: internal\nreaders: [S0BOARD]\ndocuments:\n  - {file: open.md, visibility: public}\n",
        "open.md",
        "unlisted.md",
    )
    assert loaded(folder) == {"open": ("public", ()), "unlisted": ("internal", ("S0BOARD",))}


def test_a_mistaken_visibility_fails_the_files_with_a_line_saying_why(tmp_path: Path) -> None:
    cases = {
        "documents:\n  - {file: minutes.md, visibility: everyone}\n": "'everyone' is not one of public",
        "documents:\n  - {file: minutes.md, visibility: internal}\n": "needs 'readers'",
        "documents:\n  - {file: minutes.md, visibility: internal, readers: [board]}\n": "'board' are not",
        "visibility: secret\n": "'secret' is not one of",
        "- just a list\n": "a manifest is a mapping",
    }
    for manifest, reason in cases.items():
        result = load_one(folder_with(tmp_path, manifest))
        assert not result.loaded, manifest
        assert [reason in failure for failure in result.failures] == [True], (manifest, result.failures)
