"""The corpus's own words: short forms it defines, the glossary's, and near spellings of its terms.

Partners write "y&h ahsn", "LAHP", "startegy" and "govt". The lexicon turns such words into the
corpus's wording before searching, so both the dense and the keyword side see what the documents say.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from config.errors import ConfigError
from retrieval.text import MONTHS, tokens

# "Leeds Academic Health Partnership (LAHP)", "science and innovation audits (SIAs)", "(LAHP’s)".
_DEFINED = re.compile(r"\(([A-Z][A-Za-z&]{1,9}?)(?:s|['’]s)?\)")
# A run of capitalised words, small joining words allowed inside: "Business Economy and Innovation Committee".
_PROPER = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:and|of|for|the|&)\s+)?[A-Z][a-z]+){1,7}")
_JOINERS = frozenset({"and", "of", "for", "the", "&", "in", "on"})
_INSIDE = re.compile(r"(?<=[a-z,;] )[A-Za-z][A-Za-z'’-]+")  # a word inside a sentence, not opening it
_IS_NAME = re.compile(r"^[A-Z]\w*(?:\s+\S+)+$")  # "West Yorkshire", not "January" or "integrated care"
EVERYDAY = 3  # times a name written in lower case makes it an everyday word too
_NUMBERED = re.compile(r"\b([A-Z][a-z]+) \d{1,3}\b")  # "Goal 2", "Cohort 3": what things are numbered by
# Around a rough figure the asker gives of themselves ("a deal of about 30k", "a 6 person co", "~30
# staff, trading 3 yrs"): no name
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)", re.IGNORECASE)
_ROUGHLY = frozenset("a an about around roughly approx approximately circa nearly almost".split())
_SIZED = frozenset("person people staff employees strong yrs yr years year months month old".split())
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_MONTH = re.compile(MONTHS, re.IGNORECASE)  # "march 24" is a date
_WORD = re.compile(r"[A-Za-z][A-Za-z&'’-]*")
_WRITTEN_SHORT = re.compile(r"\b[A-Z][A-Za-z&]*[A-Z](?:s|['’]s)?\b")  # "SIA", "LEPs", "Y&H", "LAHP’s"


def read_glossary(path: Path | None) -> dict[str, str]:
    """Short form → what it stands for, from a YAML mapping; keys are matched case-insensitively."""
    if path is None or not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable glossary ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str | list) for v in data.values()):
        raise ConfigError(f"{path}: the glossary must map each short form to its meaning")
    return {
        str(k).casefold(): (" ".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in data.items()
    }


def read_places(path: Path | None) -> dict[str, str]:
    """One-word place names from a YAML list, as terms, each with the regions it lies in ("- leeds: West
    Yorkshire, Yorkshire and the Humber", smallest first; "" when the file does not say). A question
    naming a place in lower case ("front door for lothian?") names it, so documents that never
    mention it do not answer; a page about a region it lies in does ("any funding for a startup in
    bradford?" is answered by a grant for West Yorkshire businesses)."""
    if path is None or not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable list of places ({exc})") from exc
    if not isinstance(data, list):
        raise ConfigError(f"{path}: the places must be a list of one-word names")
    places: dict[str, str] = {}
    for entry in data:
        if isinstance(entry, dict) and len(entry) == 1:
            ((place, region),) = entry.items()
        else:
            place, region = entry, ""
        if not (isinstance(place, str) and len(place.split()) == 1 and isinstance(region, str)):
            raise ConfigError(
                f"{path}: the places must be a list of one-word names, each perhaps with the region it "
                f"lies in (- leeds: West Yorkshire); not {entry!r}"
            )
        places.update((t, region) for t in tokens(place))
    return places


def defined_short_forms(texts: Iterable[str]) -> dict[str, str]:
    """Short forms the texts spell out ("Long Name (LN)"), and the initials of capitalised names
    ("Greater Manchester" → GM), each initialism given to the name that uses it most."""
    found: dict[str, str] = {}
    uses: dict[str, Counter[str]] = {}
    for text in texts:
        for match in _DEFINED.finditer(text):
            expansion = _expansion_before(text[: match.start()], match.group(1))
            if expansion:
                found.setdefault(match.group(1).casefold(), expansion)
        for match in _PROPER.finditer(text):
            words = match.group(0).split()
            while words and words[0].lower() in _JOINERS:  # "The Business … Committee": no "The"
                words.pop(0)
            initials = "".join(w[0] for w in words if w.lower() not in _JOINERS)
            if len(initials) >= 2:
                uses.setdefault(initials.casefold(), Counter())[" ".join(words)] += 1
    for initials, names in uses.items():
        name, count = names.most_common(1)[0]
        if len(initials) > 2 or count >= 3:  # two letters stand for a name only where it is used often
            found.setdefault(initials, name)
    return found


def _expansion_before(before: str, letters: str) -> str | None:
    """The words just before "(ABC)" whose initials spell ABC (joining words skipped)."""
    words = _WORD.findall(before[-200:])
    wanted = [c.casefold() for c in letters if c.isalpha()]
    picked: list[str] = []
    initials: list[str] = []
    for word in reversed(words):
        picked.append(word)
        if word.lower() in _JOINERS:
            continue
        initials.insert(0, word[0].casefold())
        if initials == wanted[-len(initials) :] and len(initials) == len(wanted):
            return " ".join(reversed(picked))
        if len(initials) >= len(wanted) or initials != wanted[-len(initials) :]:
            return None
    return None


def _together(words: frozenset[str], said: list[str], span: int) -> bool:
    """Whether every one of `words` is said within `span` terms of the others."""
    at = [i for i, term in enumerate(said) if term in words]
    return any({said[j] for j in at if i <= j < i + span} >= words for i in at)


class Lexicon:
    """Expands short forms and mends misspellings against the corpus's vocabulary."""

    def __init__(
        self,
        vocabulary: Mapping[str, int],
        short_forms: Mapping[str, str],
        names: frozenset[str] = frozenset(),
        titles: Iterable[frozenset[str]] = (),
        people: Iterable[str] = (),
        regions: Mapping[str, str] = {},
        labels: frozenset[str] = frozenset(),
        everyday: frozenset[str] = frozenset(),
    ) -> None:
        """`regions`: a place's term → the regions it lies in (`read_places`); `labels`: the words
        the corpus numbers things by ("Goal 2", "Cohort 3")."""
        self.vocabulary = vocabulary  # stemmed term → number of passages using it
        self.most_used = max(vocabulary.values(), default=0)  # passages holding the commonest term
        self.people = tuple(people)  # the documents' authors, as written: "her" in a follow-up
        self.short_forms = dict(short_forms)
        self.names = names  # stemmed terms the corpus writes with a capital inside sentences: names
        self.labels = labels
        self.everyday = everyday  # names the corpus also writes in lower case, as ordinary words
        self.regions = {
            t: ways
            for t, r in regions.items()
            if (ways := tuple(w for p in r.split(",") if (w := frozenset(tokens(p)))))
        }
        # names of several words the corpus writes capitalised ("Health Data Skills Bootcamp"), by word
        self._titles: dict[str, set[frozenset[str]]] = {}
        for title in titles:
            for term in title:
                self._titles.setdefault(term, set()).add(title)
        self._corrected: dict[str, str] = {}
        self._by_shape: dict[tuple[int, str], list[str]] = {}  # (length, first letter) → terms
        for term in vocabulary:
            self._by_shape.setdefault((len(term), term[:1]), []).append(term)

    @classmethod
    def build(
        cls,
        texts: Iterable[str],
        vocabulary: Mapping[str, int],
        glossary: Mapping[str, str],
        authors: Iterable[str] = (),
        places: Mapping[str, str] = {},
    ) -> Lexicon:
        """`authors`: the documents' authors, and `places` (`read_places`): names however a partner
        writes them."""
        texts = list(texts)
        learned = defined_short_forms(texts)
        capital: Counter[str] = Counter()
        lower: Counter[str] = Counter()
        titles: set[frozenset[str]] = set()
        labels: set[str] = set()
        for text in texts:
            for word in _INSIDE.findall(text):
                (capital if word[0].isupper() else lower).update(tokens(word))
            titles.update(t for m in _PROPER.finditer(text) if len(t := frozenset(tokens(m.group(0)))) >= 2)
            labels.update(
                t
                for m in _NUMBERED.finditer(text)
                if m.group(1).casefold() not in _ROUGHLY
                for t in tokens(m.group(1))
            )
        names = frozenset(t for t, n in capital.items() if n >= 2 * lower[t])
        # names the corpus also writes as everyday words: "the LEP Board", "the board agreed"
        everyday = frozenset(t for t in names if lower[t] >= EVERYDAY)
        authors = sorted(set(authors))
        # an author's words are names, but not the everyday ones ("Calderbridge communications team")
        names |= {t for author in authors for t in tokens(author) if lower[t] <= capital[t]}
        names |= places.keys()
        # the glossary is the deployment's word
        return cls(
            vocabulary, {**learned, **glossary}, names, titles, authors, places, frozenset(labels), everyday
        )

    def expand(self, question: str) -> str:
        """The question with each known short form followed by its meaning in brackets."""
        out: list[str] = []
        for token in re.split(r"(\s+)", question):
            out.append(token)
            meaning = self.meaning(token)
            if meaning and meaning.casefold() not in question.casefold():
                out.append(f" ({meaning})")
        return "".join(out)

    def meaning(self, word: str) -> str | None:
        """What a short form stands for; never for a word that means nothing alone ("is", "hi")."""
        word = word.strip("?!.,;:()'\"’").casefold()
        if not tokens(word):
            return None
        bare = re.sub(r"(?:['’]s|s)$", "", word)
        return self.short_forms.get(word) or (self.short_forms.get(bare) if len(bare) >= 2 else None)

    def spelled_out(self, text: str) -> frozenset[str]:
        """The terms of the meanings of the short forms a passage writes ("The SIA recommends…" →
        science, innovation, audit), so it answers partners who say "the audit" and not "the SIA"."""
        found: set[str] = set()
        for short in _WRITTEN_SHORT.findall(text):
            meaning = self.meaning(short)
            if meaning:
                found.update(tokens(meaning))
        return frozenset(found)

    def names_in(
        self, question: str, regions: bool = False, counts: bool = True
    ) -> list[tuple[frozenset[str], ...]]:
        """What the question names (a person, a body, a short form, a number), each as the ways of
        writing it: an answer must be about these. "When's BEIC's next meeting" is not answered by
        another committee's date, nor "what did X award in 2025" by another year's figures.

        Each name is a choice of term sets, all of one set to be found: "WY" is "wy", or both
        "west" and "yorkshire". With `regions`, a place may also be found as the region it lies in.
        Without `counts`, a number names something only as a year or a label's ("cohort 3"): asking
        whom to talk to, "we're a 6 person co" describes the asker.
        """
        named = []
        found = list(re.finditer(r"[\w&'’-]+", question))
        words = [m.group(0) for m in found]
        for i, raw in enumerate(words):
            own = tokens(raw)
            meaning = self.meaning(raw)
            if not own:
                continue
            before = words[i - 1] if i else ""
            if raw[:1].isdigit():
                after = words[i + 1].casefold() if i + 1 < len(words) else ""
                rough = (
                    before.casefold() in _ROUGHLY
                    # "in yr 1": the first year, unless the corpus numbers its years ("Year 2")
                    or (before.casefold() in ("yr", "year") and not self._numbers_something(raw, before))
                    or question[: found[i].start()].endswith("~")
                    or after in _SIZED  # "~30 staff, trading 3 yrs": the asker's size and age
                )
                if (
                    rough
                    or _ORDINAL.fullmatch(raw)
                    or (not counts and not self._numbers_something(raw, before))
                ):
                    continue  # "in the 1st six months" names nothing a page writes as "1st"
            if meaning is not None:  # a known short form names something only if its meaning does:
                is_name = _IS_NAME.match(meaning) is not None  # "SMEs" are small businesses, not a body
            else:
                typed_lower = raw.islower()  # "trust board asked …" is no Board's name
                is_name = (
                    any(
                        (t in self.names and not (typed_lower and t in self.everyday)) or t[:1].isdigit()
                        for t in own
                    )
                    or (raw[1:2].isupper() and raw.isupper())  # an acronym nobody spelled out
                    or (i > 0 and raw[:1].isupper() and raw != "I")  # capitalised inside the question
                )
            if is_name and (ways := self.ways(raw)):
                if regions and len(own) == 1:
                    ways += self.regions.get(own[0], ())
                if raw.isdigit() and len(raw) == 2:
                    ways += (frozenset({f"20{raw}"}),)  # "march 24" is March 2024
                named.append(ways)
        return named + self._titles_in(question)

    def _numbers_something(self, number: str, before: str) -> bool:
        """A year ("in 2025") or a numbered thing ("cohort 3", "goal 2", "march 24")."""
        if _YEAR.fullmatch(number):
            return True
        label = tokens(before)
        return bool(label) and (label[-1] in self.labels or _MONTH.fullmatch(before) is not None)

    def _titles_in(self, question: str) -> list[tuple[frozenset[str], ...]]:
        """Names of several words the corpus capitalises, however the question writes them: "the
        health data skills bootcamp" names the Health Data Skills Bootcamp, "the digital inclusion
        small grants" the Digital Inclusion in Health Small Grants (one word may be left out of a
        name of three or more). Each is required as the words the question wrote of it, written
        together: "is there someone who leads on the healthtech MoU" names no Healthtech Regional Lead.
        """
        said = tokens(question)
        asked = set(said)
        found: dict[frozenset[str], None] = {}
        for title in {t for term in asked for t in self._titles.get(term, ())}:
            written = title & asked
            if (
                len(written) >= 2
                and len(written) >= len(title) - (len(title) >= 3)
                and _together(written, said, len(written) + 1)
            ):
                found[frozenset(written)] = None
        return [(written,) for written in found if not any(written < other for other in found)]

    def words_in(self, text: str) -> list[tuple[frozenset[str], ...]]:
        """Each word of `text` that carries meaning, as the ways of writing it."""
        found = [
            ways for raw in re.findall(r"[\w&'’-]+", text) if (ways := self.ways(raw))
        ]  # "any-thing": none
        return list(dict.fromkeys(found))

    def ways(self, raw: str) -> tuple[frozenset[str], ...]:
        """One word's ways of being written: as typed, spelling mended, joined if hyphenated ("med-tech",
        "medtech"), its short form spelled out."""
        own = tokens(raw.replace("-", " "))  # "wound-care" is written "wound care" or "woundcare"
        meaning = self.meaning(raw)
        ways = [
            frozenset(own),
            frozenset(self.correct(t) for t in own),
            frozenset(tokens(raw.replace("-", ""))),
        ]
        if meaning:
            ways.append(frozenset(tokens(meaning)))
        return tuple(dict.fromkeys(w for w in ways if w))

    def correct(self, term: str) -> str:
        """A stemmed term the corpus never uses → the corpus term one or two edits away, if any."""
        if term in self.vocabulary or len(term) < 5 or term.isdigit():
            return term
        found = self._corrected.get(term)
        if found is None:  # the scan is dear, and a question repeats its words
            found = self._nearest(term)
            if len(self._corrected) > 100_000:
                self._corrected.clear()
            self._corrected[term] = found
        return found

    def _nearest(self, term: str) -> str:
        budget = 1 if len(term) < 8 else 2
        best, best_key = term, (budget + 1, 0)
        for length in range(len(term) - budget, len(term) + budget + 1):
            same_start = self._by_shape.get((length, term[0]), [])
            swapped = [c for c in self._by_shape.get((length, term[1]), []) if c[:2] == term[:2][::-1]]
            for candidate in same_start + swapped:
                d = _distance(term, candidate, budget)
                key = (d, -self.vocabulary[candidate])
                if d <= budget and key < best_key:
                    best, best_key = candidate, key
        return best


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, giving up past `limit`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
