"""Remove page furniture so that it can never reach an answer.

Web pages carry navigation residue, image alt lines, comment counters and social handles. These are
recognised by their shape (short, unpunctuated, made of interface words, or only handles and links),
not by listing the strings of one site.
"""

from __future__ import annotations

import re

from corpus.blocks import Block, words

# Words that make up site chrome rather than prose; a short line made mostly of them is furniture.
_INTERFACE_WORDS = frozenset(
    """menu icon back to list page pages blog blogs home search share skip main content navigation nav
    print close open toggle next previous prev read more top login log in out sign up subscribe
    cookie cookies accept reject settings mobile tweet twitter facebook linkedin instagram youtube email
    comment comments reply replies yet no view all posts news articles related tags tag category
    categories follow us like likes icon logo breadcrumb you are here return go post article story
    newsletter""".split()
)
# Words that carry no meaning either way ("Share this page", "Follow us on LinkedIn"): not counted.
_NEUTRAL_WORDS = frozenset("a an the this that these our your my us on of for and or with at by via".split())
_SOCIAL = re.compile(
    r"^(?:follow\s+(?:us|me)\s*(?:on\s+)?)?(?:(?:twitter|x|linkedin|facebook|instagram|mastodon|bluesky)\b)?"
    r"\s*[:\-–]?\s*"
    r"(?:(?:@[\w.]+|https?://\S+)[\s,|]*)+$",
    re.IGNORECASE,
)
# "Twitter: @NHSLocalGrowth" under an author's bio is how to reach them, a fact partners ask for: a
# line naming a platform and one handle is kept (an organisation's too); "Follow us on …" and bare
# runs of handles or links are chrome.
_CONTACT_HANDLE = re.compile(r"^(?:twitter|x|linkedin|mastodon|bluesky)\s*:\s*@[\w.]+$", re.IGNORECASE)
_COUNTER = re.compile(r"^(?:\d+\s+(?:comments?|replies|likes|shares|views)|comments?\s*\(\d+\))$", re.I)
_IMAGE = re.compile(
    r"^(?:image|photo|photograph|picture|figure|graphic|illustration|pictured)\b(?:\s+(?:of|shows?)\b|\s*:)",
    re.IGNORECASE,
)
# "Home > News > Healthtech", "You are here: Home / Blog": a trail of short links from the home page.
_BREADCRUMB = re.compile(r"^(?:you are here\s*:?\s*)?home(?:\s*[>»›/|]\s*[^>»›/|.!?]{1,40}){1,6}$", re.I)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
# An image's alt text glued to the paragraph after it: "Rob WebsterLast month, we…"
_GLUED_ALT = re.compile(r"^((?:[A-Z][\w'’-]+\s){1,3}[A-Z][\w'’-]*[a-z]{2})(?=([A-Z][a-z]+))")
# A determiner does not start a name: "The YourVoice consultation" is a camel-case name, not glued alt text.
_DETERMINERS = frozenset("The A An This That These Those Our Their Its His Her My Your Some Every".split())
_SPACES = re.compile(r" [ \t\u00a0]+|[\t\u00a0][ \t\u00a0]*")  # runs only: single spaces stay as they are


def is_furniture(text: str) -> bool:
    """True for a line that is site chrome, an image's alt line, a counter or a social handle."""
    line = text.strip()
    if not line:
        return True
    if (
        (_SOCIAL.match(line) and not _CONTACT_HANDLE.match(line))
        or _COUNTER.match(line)
        or _BREADCRUMB.match(line)
    ):
        return True
    if _IMAGE.match(line) and words(line) <= 15 and not line.endswith("."):
        return True
    tokens = [t for t in re.findall(r"[a-z]+|\d+", line.lower()) if t not in _NEUTRAL_WORDS]
    if not tokens or words(line) > 6 or line.endswith((".", "?", "!")):
        return False
    interface = sum(1 for t in tokens if t in _INTERFACE_WORDS or t.isdigit())
    return interface / len(tokens) >= 0.75


def clean_inline(text: str, document: str = "") -> str:
    """Markdown residue out, glued alt text cut off; `document` is the whole text, to spot real names."""
    text = _MD_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    glued = _GLUED_ALT.match(text)
    if glued and glued.group(1).split()[0] not in _DETERMINERS:
        token = glued.group(1).split()[-1] + glued.group(2)  # "WebsterLast", or a name such as "MedTech"
        if document.count(token) <= 1:  # a camel-case name recurs; a gluing accident does not
            text = text[glued.end(1) :]
    return _SPACES.sub(" ", text).strip()


def clean_blocks(blocks: list[Block]) -> list[Block]:
    """Drop furniture blocks. An image's alt line goes; the caption under it stays, since it states
    what the picture shows ("A surgeon operating using the da Vinci robot"), and partners ask that."""
    document = "\n".join(block.text for block in blocks)
    kept: list[Block] = []
    after_image = False
    for block in blocks:
        text = clean_inline(block.text, document)
        if is_furniture(text):
            after_image = bool(_IMAGE.match(text))
            continue
        kind = "para" if after_image and block.kind == "heading" else block.kind  # a caption heads nothing
        kept.append(Block(kind, text, block.level))
        after_image = False
    return kept
