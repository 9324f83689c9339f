"""Tokens for keyword search and term overlap: lower-case words, stop words out, light stemming."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
STOP_WORDS = (
    frozenset(
        """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me might
    more most must my myself no nor not now of off on once only or other our ours ourselves out over own
    same shall she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom why
    will with would you your yours yourself yourselves tell please many much also may us s t""".split()
    )
    | frozenset(
        # How people talk in Slack around the point of a question: words that name no topic.
        """reckon like going kind kinds sort actually anyway just roughly stuff thing things bit lot lots pls
    plz ok okay hey hi thanks cheers guys folks say says anything something mention mentions according
    supposed meant know get got getting really basically quick wondering anyone someone somebody else
    etc eg ie whats whos wheres whens hows whys what's who's where's when's how's why's theres
    there's""".split()
    )
    | frozenset(  # "we've got a device": the asker, not the topic
        f"{who}'{rest}"
        for who, rests in (
            ("i", "m ve d ll"),
            ("we", "ve re d ll"),
            ("you", "ve re d ll"),
            ("they", "ve re d ll"),
        )
        for rest in rests.split()
    )
    | frozenset("it's that's don't doesn't didn't can't won't isn't aren't haven't hasn't".split())
)


# Irregular forms a suffix stripper cannot reach: "what has it seen" should find "is seeing".
_IRREGULAR = dict(
    pair.split(":")
    for pair in """
    seen:see saw:see took:take taken:take given:give gave:give made:make found:find led:lead
    paid:pay said:say held:hold brought:bring began:begin begun:begin chose:choose chosen:choose
    grew:grow grown:grow wrote:write written:write spent:spend built:build sought:seek won:win
    met:meet ran:run set:set
    """.split()
)


# Month names as a date writes them, in full or short: one pattern for every module that reads dates.
MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)

# Bumped whenever `tokens` changes: a keyword index saved with other tokens is rebuilt, not misread.
TOKENIZER = "8"


@lru_cache(maxsize=1 << 16)  # a corpus's vocabulary: the same few thousand words, every question
def stem(word: str) -> str:
    """A small suffix stripper: enough to match "funding"/"funded"/"funds" and "adopt"/"adoption",
    cheap and predictable."""
    word = _undoubled(_inflection_off(re.sub(r"['’]s$", "", word)))
    if word.endswith("ion") and len(word) >= 8 and not word.endswith("ssion"):
        return word[:-3]  # "adoption(s)" meets "adopt", "collaboration" meets "collaborate"
    return word


def _undoubled(word: str) -> str:
    """One of a final doubled consonant: "trialled" meets "trial", "mapping" "map", "planned" "plan".

    British spelling doubles a final l after one vowel ("modelled", "enrolled"), so a long word's
    "ll" after a vowel is always one l, with or without a suffix ("install" and "instal" alike).
    """
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeioulsfz0123456789":
        return word[:-1]
    if len(word) >= 6 and word.endswith("ll") and word[-3] in "aeiou":
        return word[:-1]
    return word


def _inflection_off(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, keep in (
        ("ational", 5),
        ("ies", 3),
        ("ing", 3),
        ("ied", 3),
        ("ed", 4),
        ("es", 4),
        ("ly", 4),
        ("s", 3),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
            base = word[: -len(suffix)]
            if suffix == "ing" and base.endswith("ee") and len(base) >= 5:
                return base[:-1]  # "overseeing" as "oversee", "agreeing" as "agreed"
            return base + ("y" if suffix in ("ies", "ied") else "")
    return word[:-1] if len(word) >= 5 and word.endswith("e") else word  # "close" as "closed", "closes"


_HYPHENATED = re.compile(r"\b([a-z]+)-([a-z]+)\b")
_SHORT_FORMS = re.compile(r"\b([A-Z]{2,})s\b")  # "LISs", "ICSs": plurals the suffix rules keep as "-ss"


def tokens(text: str) -> list[str]:
    """Stemmed words, stop words out; "med-tech" also gives "medtech", as partners write it; "ICSs"
    is "ICS"."""
    lower = _SHORT_FORMS.sub(r"\1", text).lower().replace("’", "'")
    words = [w for w in _WORD.findall(lower) if w not in STOP_WORDS]
    words += [a + b for a, b in _HYPHENATED.findall(lower)]
    return [stem(w) for w in words]
