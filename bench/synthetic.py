"""A synthetic corpus of any size, made by recombining the reference corpus's sentences.

The sentences are real cluster prose, so queries still meet plausible text; place names, sector
words and figures are varied so the keyword index sees a vocabulary wider than the reference one.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from corpus.blocks import parse_text
from corpus.chunk import chunk_blocks, split_sentences
from corpus.clean import clean_blocks
from corpus.documents import load_files

PLACES = (
    "Leeds Bradford Wakefield Calderdale Kirklees Harrogate Sheffield Hull Barnsley Doncaster "
    "Rotherham Craven Selby Scarborough Halifax Huddersfield Dewsbury Keighley Ripon Skipton".split()
)
SECTORS = (
    "healthtech medtech diagnostics genomics telecare robotics wearables imaging biotech "
    "digital health orthopaedics dermatology cardiology".split()
)
TOPICS = (
    "procurement workforce adoption evidence funding trials regulation data sharing skills "
    "inclusion sustainability estates investment partnerships evaluation".split()
)
_PLACE = re.compile(r"\b(?:Leeds|West Yorkshire|Bradford|Huddersfield|York|Harrogate)\b")
_SECTOR = re.compile(r"\b(?:healthtech|digital health|med-tech|medtech)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\b\d{1,3}(?=%|\b)")


def reference_sentences(corpus_dir: Path) -> list[str]:
    """Every sentence of the cleaned reference documents, at least five words long."""
    result = load_files([corpus_dir], max_bytes=20_000_000)
    sentences: list[str] = []
    for loaded in result.loaded:
        text = loaded.document.text
        for a, b in split_sentences(text):
            sentence = text[a:b].lstrip("- ").strip()
            if len(sentence.split()) >= 5 and sentence[-1:] in ".!?":
                sentences.append(sentence)
    return sentences


def vary(sentence: str, rng: random.Random) -> str:
    sentence = _PLACE.sub(lambda _: rng.choice(PLACES), sentence)
    sentence = _SECTOR.sub(lambda _: rng.choice(SECTORS), sentence)
    return _NUMBER.sub(lambda m: str(max(1, int(m.group()) + rng.randint(-9, 9))), sentence)


def document(rng: random.Random, sentences: list[str], n: int) -> str:
    """One Markdown document: a title, a few sections, paragraphs and a list."""
    place, topic = rng.choice(PLACES), rng.choice(TOPICS)
    lines = [f"# {place} {rng.choice(SECTORS)} briefing {n}: {topic}", ""]
    for section in range(rng.randint(3, 6)):
        lines += [f"## {section + 1}. {rng.choice(TOPICS).capitalize()} in {rng.choice(PLACES)}", ""]
        for _ in range(rng.randint(2, 5)):
            lines += [" ".join(vary(s, rng) for s in rng.sample(sentences, rng.randint(2, 5))), ""]
        if rng.random() < 0.4:
            lines += [f"- {vary(s, rng)}" for s in rng.sample(sentences, rng.randint(2, 4))] + [""]
    return "\n".join(lines)


def generate(folder: Path, corpus_dir: Path, min_chunks: int, seed: int = 7) -> tuple[int, int]:
    """Write documents into `folder` until they hold at least `min_chunks` chunks; (documents, chunks)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    sentences = reference_sentences(corpus_dir)
    docs = chunks = 0
    while chunks < min_chunks:
        text = document(rng, sentences, docs + 1)
        _, pieces = chunk_blocks("count", clean_blocks(parse_text(text, markdown=True)))
        (folder / f"briefing-{docs + 1:05d}.md").write_text(text, encoding="utf-8")
        docs, chunks = docs + 1, chunks + len(pieces)
    return docs, chunks
