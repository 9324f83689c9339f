"""HTML to blocks: the page's main text in reading order, wherever the site put it.

Text is grouped by its nearest block-level element, so prose sitting straight in a <div>, the
label of a list item that holds a nested list, and text after a nested block are all kept.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from corpus.blocks import Block

DROP = "script style nav header footer aside form noscript svg figure template".split()
_BLOCK = frozenset(
    "address article blockquote body caption dd div dl dt h1 h2 h3 h4 h5 h6 li main ol p pre section "
    "table td th tr ul".split()
)
_SPACE = re.compile(r"\s+")


def read_html(markup: str) -> tuple[list[Block], str | None]:
    """Blocks of the page's <main>, <article> or <body>, and its <title>."""
    soup = BeautifulSoup(markup, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup(DROP):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    runs: list[tuple[Tag, list[str]]] = []
    for node in root.descendants:
        if isinstance(node, Tag) and node.name == "br":
            text = " "
        elif type(node) is NavigableString:  # not a comment, doctype or CDATA section
            text = str(node)
        else:
            continue
        owner = next(p for p in node.parents if p is root or p.name in _BLOCK)
        if runs and runs[-1][0] is owner:
            runs[-1][1].append(text)
        else:
            runs.append((owner, [text]))
    blocks: list[Block] = []
    for owner, parts in runs:
        text = _SPACE.sub(" ", "".join(parts)).strip()
        if not text:
            continue
        if re.fullmatch(r"h[1-6]", owner.name or ""):
            blocks.append(Block("heading", text, int(owner.name[1])))
        else:
            blocks.append(Block("item" if owner.name == "li" else "para", text))
    return blocks, title
