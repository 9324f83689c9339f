"""Answer text → safe HTML: every piece of text escaped, `[n]` markers turned into viewer links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from retrieval.answer import Answer

_MARKER = re.compile(r"\[(\d+)\]")
# The visible "[n]" is the link's name (WCAG 2.5.3); its title names the source it opens.
_CITE = Markup('<a class="cite" href="{}" title="Source {}: {}">[{}]</a>')


def http_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: a `javascript:` link in a manifest must never render."""
    if not url:
        return None
    return url if urlsplit(url.strip()).scheme.lower() in ("http", "https") else None


def sentence(text: str) -> str:
    """Core errors are phrased to follow "partnerbot: "; on a page they start a sentence."""
    return text[:1].upper() + text[1:]


def cited_answer(answer: Answer) -> Markup:
    """The answer text with each `[n]` a link to source n's passage in the viewer."""
    urls = {s.n: (http_url(s.url), s.title) for s in answer.sources}
    out: list[str] = []
    last = 0
    for match in _MARKER.finditer(answer.answer):
        out.append(escape(answer.answer[last : match.start()]))
        n = int(match.group(1))
        url, title = urls.get(n, (None, ""))
        if url:
            out.append(_CITE.format(url, n, title, n))
        else:
            out.append(escape(match.group(0)))
        last = match.end()
    out.append(escape(answer.answer[last:]))
    return Markup("").join(out)
