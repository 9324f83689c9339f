"""The extractive writer: the retrieved sentences that answer, the answering one first, each cited.

Sentences are scored once per question (`rank`); the same ranking decides whether the documents
answer at all (`answers`) and what the reply says (`write`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from corpus.chunk import split_sentences
from corpus.model import Chunk, Document
from retrieval.embed import Embedder
from retrieval.frontmatter import byline, described_by, kind_name
from retrieval.passage import Draft, Passage
from retrieval.query import EVIDENCE, KIND_WORDS, TIME_UNITS, Kind, Name, Part, Query
from retrieval.text import MONTHS, tokens

# A sentence's score = DENSE_WEIGHT × cosine to the question + the rest × the question's weighted
# terms it holds (terms found only around it, in its passage or its document's title, count half).
DENSE_WEIGHT = 0.4
AROUND = 0.5
TOPIC_DISCOUNT = 0.7  # how much less a term counts when every passage has it
COMMON = 0.5  # a word in this share of the passages is the subject they share, not what is asked
UNKNOWN = 0.5  # a word the corpus never uses weighs this share of the rarest word's weight
FOLLOWED = 0.5  # weight of the terms of the turn a follow-up leans on
KIND_BONUS = 0.08  # a sentence holding what the kind of question asks for (a date for "when")
BYLINE_BONUS = 0.25  # a document's by-line, for "who wrote it / when did it go up"
# Evidence = 0.7 × best answering sentence + 0.3 × its passage's similarity; the bar and its margins
# are measured on every question set in the README ("Knowing when not to answer").
MIN_EVIDENCE = 0.22
EXTRA_WORDS = 20  # words past the budget for what a question wants beside its answer (a contact line)
KEEP_RATIO = 0.6  # a supporting sentence scores at least this share of the first
CLOSE = 0.9  # ... and is about as close in meaning, or holds words of the question the others lack
ADDS = 0.15  # ... weighing at least this share of the question
MAX_SENTENCES = 3
LEAD = 600  # characters of a document's opening that say what it is about
OPENING_WORDS = 8  # a sentence naming a body in its first words says what it is about
WITHHELD_AMONG = 3  # how many of the lead page's best sentences may say that what is asked is not given
REDUNDANT = 0.9  # cosine above which a sentence repeats one already chosen
_ANAPHORIC = re.compile(r"^(?:they|these|those|this|it|its|their|he|she|his|her|we|our|such)\b", re.I)
_LABEL = re.compile(r"^([A-Z][a-z]+) (\d{1,3}|[A-Z])\s*[:.–-]\s+\S", re.M)
_LABEL_NAME = re.compile(r"^[A-Z][a-z]+ (?:\d{1,3}|[A-Z])(?=\s*[:.–-])")
# A span of time: "five years", "18 months", "a decade".
_SPAN = re.compile(
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|several|few|many)[\s-]+"
    r"(?:years?|months?|weeks?|days?|hours?|decades?)\b|\bdecades?\b",
    re.IGNORECASE,
)
# A named body, programme or place: two or more capitalised words ("Innovation and Improvement Hub").
_BODY = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w’'-]+)+")
# How a sentence offers a way in: as a point of contact ("single front door", "contact Liz Harker",
# "email the vouchers team"), or as a body that does something for those who come ("helps companies").
_WAY_IN = re.compile(
    r"\b(?:front door|point of contact|port of call|routes? (?:in|into)|gateway|one[- ]stop|enquir\w*|"
    r"inquir\w*|get in touch|contact(?:s|ed|ing)?|e-?mail|call|ring|talk(?:s|ing)? (?:to|through|with)|"
    r"speak (?:to|with)|apply|register|sign up|signpost\w*)\b",
    re.IGNORECASE,
)
_SERVES = re.compile(
    r"\b(?:help(?:s|ed|ing)?|support(?:s|ed|ing)?|advi[cs]\w*|connect(?:s|ed|ing)?|broker\w*|introduc\w*|"
    r"mechanism|(?:gives?|offers?|provides?) (?:\w+ ){0,5}access|navigat\w*|refer(?:s|red|ral)?|"
    r"work(?:s|ing)? with|facilitat\w*|coordinat\w*|runs?|run by|led by|managed by|delivers?|"
    r"hosts?|hosted|offers?|provides?)\b",
    re.IGNORECASE,
)
# The two sides a way in may be for: who asks (by role or by what they have), and whom a sentence
# offers it to ("for companies", "open to NHS staff", "supports companies rather than NHS staff").
_OFFERED = (  # "supports companies rather than NHS staff" offers it to companies only
    r"\b(?:for|open to|supports?|helps?|funds?|available to|aimed at)\s+"
    r"(?:(?!rather\b|not\b|but\b)\w+[\s,]+){0,4}?"
)
_SIDES = {
    "company": (
        re.compile(
            r"\b(?:my|our|a|an)\s+(?:[\w-]+\s+){0,2}?(?:device|product|kit|app|prototype|solution|startup|"
            r"start-up|company|business|firm)\b|\b(?:smes?|start-?ups?|suppliers?|vendors?|founders?|"
            r"companies|businesses|firms)\b",
            re.IGNORECASE,
        ),
        re.compile(rf"{_OFFERED}(?:companies|businesses|smes|firms|suppliers|industry|start-?ups)\b", re.I),
    ),
    "staff": (
        re.compile(
            r"\b(?:nurses?|sisters?|matrons?|midwi(?:fe|ves)|ots?|gps?|physios?|pharmacists?|clinicians?|"
            r"practice managers?|ward|nhs staff|staff|care home managers?)\b",
            re.IGNORECASE,
        ),
        re.compile(
            rf"{_OFFERED}(?:staff|people working in|clinicians|nurses|employees|"
            r"health and care professionals)\b",
            re.IGNORECASE,
        ),
    ),
    # community groups and the public: a small grant for a village hall's digital café is no way in
    # for a company with a device
    "community": (
        re.compile(
            r"\b(?:community (?:groups?|organi[sz]ations?)|charit(?:y|ies)|voluntary (?:groups?|sector)|"
            r"patients? (?:group|forum)s?)\b",
            re.IGNORECASE,
        ),
        re.compile(
            rf"{_OFFERED}(?:community (?:groups|organi[sz]ations)|charities|voluntary|local people|"
            r"residents|the public(?! sector))\b",
            re.IGNORECASE,
        ),
    ),
}
# Care for patients ("set up to support people with COPD") is a service, not a way in: partners ask
# for theirs, and a patient's way in is no answer to a company or a nurse.
_FOR_PATIENTS = re.compile(
    r"\b(?:support|help|care for|treat)s? (?:people with|patients|service users)\b",
    re.I,
)
# A page introducing a body says what it is for: "The Northern Clinical Evaluation Service (NCES) is a
# not-for-profit unit that carries out real-world evaluations"
_INTRODUCES = re.compile(
    r"^\W*(?:The\s+)?[A-Z][\w’'-]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w’'-]*)+(?:\s+\([A-Z]{2,}\))?"
    r"\s+(?:is|are)\s+(?:a|an|the|our)\b"
)
# Who may not come in says nothing of how to: "The Network is not suitable for formal studies", "You
# cannot apply if …"
_SHUT = re.compile(
    r"\bnot (?:suitable|eligible|open) (?:for|to)\b|\bineligible\b|\b(?:cannot|can['’]?t) apply\b", re.I
)
# What kind of way in is asked for: "is there a network of sites …?" is answered by a network, not by
# the general front door.
_SOUGHT = re.compile(
    r"\bis there (?:a|an|any) (?:\w+ )?(network|scheme|programme|program|course|training|group|hub|"
    r"forum)\b",
    re.IGNORECASE,
)
_KINDS_OF_WAY = (  # the words a way of each kind goes by, singular
    frozenset({"network", "group", "forum", "community"}),
    frozenset({"hub"}),
    frozenset({"scheme", "programme", "program", "fund", "accelerator"}),
    frozenset({"course", "training", "learning", "academy", "programme", "program"}),
)
_OVERSEES = re.compile(r"\b(?:overs(?:ee|aw|een)\w*|oversight)\b", re.IGNORECASE)
# Who said a quotation, after it: "… the best bit." – participant, 2024 Academy. Its year or number
# tells who spoke, not when or how many of what is asked.
_ATTRIBUTION = re.compile(r"([\"”])\s*[–—-]\s+[^\"“”.!?,]{1,40},[^\"“”.!?]{1,60}$")  # "– role, where"
# Numbers that count nothing: a label ("Goal 2", "Strand 1"), a list marker, a year, a day of a month.
_NOT_A_COUNT = re.compile(
    r"\b(?:Goal|Strand|Priority|Section|Phase|Cohort|Stage|Step|Table|Figure|Annex|Appendix|Part|"
    r"Chapter|Point|Item|Objective|Action|Theme|Round|Wave|Tier|Level) \d{1,3}(?:\.\d+)*\b|"
    r"^\s*\d{1,3}(?:\.\d+)+\s|^\s*\d{1,3}[.)]\s|"  # "5.1 As set out", "4. We will"
    # "no one", "have not had one before", "one of our suppliers": a pronoun
    r"\b(?:no|any|each|every|this|that|which|another|had|have|has|got) one\b|"
    r"\bone of (?:the|our|their|its|his|her|your|these|those|them)\b(?! \d)|"
    # a year: after "in", "since"…, or before no word ("2000 staff" is a count)
    r"(?:(?<=\bin )|(?<=\bsince )|(?<=\bby )|(?<=\bfrom )|(?<=\buntil )|(?<=\bof )|(?<=\bduring )|"
    r"(?<=\band ))(?:1[89]|20)\d{2}\b|\b(?:1[89]|20)\d{2}\b(?! [a-z])|"
    rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:{MONTHS})(?: (?:1[89]|20)\d{{2}})?\b|"
    rf"\b(?:{MONTHS}) (?:(?:1[89]|20)\d{{2}}|\d{{1,2}})\b",
    re.IGNORECASE,
)
# A span of time: "how many people …" is not answered by "the first six months" (though "how long"
# is, and "how many years" too)
_DURATION = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty|thirty)"
    r"[\s-](?:hours?|days?|weeks?|months?|years?|decades?)\b",
    re.IGNORECASE,
)
_SUM = re.compile(r"[£$€]\s?\d[\d,.]*(?:\s?(?:k|m|bn|million|billion)\b)?", re.IGNORECASE)
_CLAUSE = re.compile(r"[;:]\s|(?<=[.!?])\s|\s[–—]\s|\s-\s")
_SEASON = re.compile(r"spring|summer|autumn|winter", re.IGNORECASE)
_ADDRESS_AT_END = re.compile(r"(?:@[\w-]+(?:\.[\w-]+)+|https?://\S+|www\.\S+)$")
_STATES = re.compile(r"[.!?]['\"’”)]*\s*$")  # a sentence, not a name or a list item standing alone
_DOMAIN = re.compile(r"(?<=\w)@[\w-]+(?:\.[\w-]+)+|\bhttps?://\S+|\bwww\.\S+")
# Who is behind a way in: the body that runs it, or someone to talk to ("delivered by the West Riding
# Institute", "Programme manager Priya Raman is happy to talk …", "Contact the Growth Network"), or
# the body to come in through
_RUN_BY = r"\b(?:delivered|run|hosted|led|managed|administered|provided|coordinated) by (?:the )?[A-Z]"
_BEHIND = re.compile(
    rf"{_RUN_BY}|"
    rf"\b[Cc]ontact (?:the )?[A-Z]|{EVIDENCE[Kind.PERSON].pattern}|"
    # "please make your first contact through the Healthtech Navigator", "apply via the Hub"
    r"\b(?i:contact|enquir\w*|appl(?:y|ications?)|referrals?|get in touch)\b(?: \w+){0,3}? (?:through|via) "
    r"(?:the |our )?[A-Z]"
)
_REACH = EVIDENCE[Kind.CONTACT]  # an address, a number, a handle: how to reach someone
# Asking to reach someone ("is there someone i can ring?"): their number or address is wanted too
_ASKS_TO_REACH = re.compile(
    r"\b(?:ring|call|phone|e-?mail|contact|reach|get hold of|ping|dm)\b", re.IGNORECASE
)
# Where an event is: "… and where is it?", "when n where is the showcase?"; "Venue: Aire Quay …"
_ASKS_VENUE = re.compile(
    r"\b(?:and|n|&) where\b(?! (?:do|can|should|would|to)\b)|"
    r",\s*where\s*(?:[,?]|and\b|$)|"  # "what day is it, where, and how much?"
    r"\bwhere(?:['’]s| is| was| will)(?: it| that| this| the (?:event|showcase|session|conference|meeting|"
    r"workshop|expo|roundtable|breakfast|launch|webinar|day))?(?: be| being)?"
    r"(?: held| on| happening| taking place)?\s*\?|\bvenue\b",
    re.IGNORECASE,
)
_VENUE = re.compile(  # a venue line of its own, or an event held at a named place (not "in May")
    r"^(?i:venue|location|where|address)\s*:\s*\S|"
    rf"\b(?:held|takes place|taking place|hosted) (?:at|in) (?:the )?(?!(?:{MONTHS})\b)[A-Z]",
    re.MULTILINE,
)
NOT_GIVEN = "The documents do not give that yet:"
_RESULTS = r"(?:results?|data|figures?|rates?|findings|outcomes?|numbers?|statistics)"
_NOT_RELEASED = (
    r"(?:not|yet to be)\s+(?:(?:yet|currently|deliberately|publicly|been|being|be)\s+){0,2}"
    r"(?:publish(?:ed|ing)?|releas(?:e|ed|ing)|disclos(?:e|ed|ing)|made public"
)
_WITHHELD = re.compile(  # a page saying that its figures or results are not (yet) given
    rf"\b{_RESULTS}\b[^.;:]{{0,60}}?\b{_NOT_RELEASED}|available)\b|\b{_NOT_RELEASED})\s+(?:\w+\s+){{0,2}}{_RESULTS}\b",
    re.IGNORECASE,
)
# A page saying that the date asked for is not set yet ("exact date to be confirmed", "will be
# published separately", "No decision has been made about future rounds")
_UNDATED = re.compile(
    r"\b(?:to be (?:confirmed|announced|agreed|decided)|tb[ca])\b|"
    r"\bnot yet been (?:set|fixed|confirmed|announced|agreed|decided)\b|"
    r"\bwill be (?:published|announced|confirmed|shared|released|set) (?:separately|later|in due course)\b|"
    r"\bno (?:date|decision)s? (?:has|have) (?:yet )?been (?:set|made|fixed|announced|agreed)\b",
    re.IGNORECASE,
)
# What happens on the date asked, and the words a page may give it by: "when does the first call
# close?" is not answered by "the Fund, approved in March 2024, is preparing for its first call".
_STARTS = frozenset({"start", "begin", "commenc", "kick", "launch", "open"})
_ENDS = frozenset({"end", "ended", "finish", "final", "conclud", "complet", "clos"})
_EVENTS = {
    "clos": frozenset({"clos", "closur", "deadlin"}),
    "open": frozenset({"open", "launch", "start"}),
    "launch": frozenset({"launch", "open", "start"}),
    **dict.fromkeys(("start", "begin", "commenc", "kick"), _STARTS),
    **dict.fromkeys(("end", "finish"), _ENDS),
    "sign": frozenset({"sign"}),
}
# Who did what a count asks for: "how many companies applied?" is not answered by how many it supported
_COUNTED_EVENTS = {"apply": frozenset({"apply", "applicat", "applicant"})}
_FIGURE = re.compile(  # "£1.2 million", "3", "two thirds": what a sentence gives as a figure
    r"£?\d(?:[\d,.]*\d)?(?:\s?(?:million|billion|bn|m|k)\b)?|"
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|half|thirds?|quarters?)\b",
    re.IGNORECASE,
)
_FULL_NAME = re.compile(r"([A-Z][a-z]+) ([A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?)")
_ROLE_NAME = re.compile(  # "Our IG lead, Sarah Whitlock, can advise", "Programme manager Priya Raman is …"
    r"\b(?:lead|manager|director|officer|coordinator|chair|head|adviser|advisor)\b,?\s+"
    rf"(?:is\s+)?{_FULL_NAME.pattern}\b(?![-.@/])"
)
# Whom a sentence tells the reader to reach: "Contact Sarah by email", "You can call Priya on …"
_REACH_NAME = r"\b((?i:contact|e-?mail|call|ring|phone|ask|reach|speak to|talk to|write to)\s+)"
_DATE_FIELD = re.compile(r"^(?:Date|Dates|When)s?:", re.IGNORECASE)
# An end or a start said by the date itself: "open until 31 March 2026", "runs from 6 October 2025 to
# 30 March 2026", "March to November 2025", "Dates: …"
_UNTIL = re.compile(
    rf"\b(?:until|till|by)\s+(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{MONTHS})\b", re.I
)
_DATE_RANGE = re.compile(
    rf"\b(?:{MONTHS})(?:\s+\d{{4}})?\s+(?:to|until|–|-)\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{MONTHS})\b",
    re.IGNORECASE,
)
_OF_DATES = re.compile(r"\b(?:dates?|days?|timings?|rounds?|deadlines?|publish\w*|schedul\w*)\b", re.I)
_YET_GIVES = re.compile(r"\b(?:but|however|although|though)\b[^.]*\d", re.IGNORECASE)  # "… but it found 30%"
_FIELD = re.compile(r"^[A-Z][\w ]{1,30}:\s+\S")  # "Date: 26 January 2022", "Twitter: @handle"
_PLANNED = re.compile(
    r"\b(?:will|shall|(?:is|are) (?:expected|due|set|planned|going|scheduled|yet) to|plans? to|intends? to|"
    r"ahead of|upcoming|forthcoming|aims? to|targets? (?:of|for)|(?:set|sets) (?:\w+ ){0,3}targets?|"
    r"criteria for success|success criteria (?:for [\w ]{1,40}? )?(?:have|has) been (?:agreed|set))\b|"
    r"\bbefore (?:it|they|the [\w ]{1,60}?) (?:is|are) \w+ed\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I[’']m|I[’']ve|my|me)\b")
# Kinds of page that offer something (a programme, a course, a call, an event): whose page it is
# says who runs it. A blog, a board paper or a case study is someone's account, not their offer.
_OFFER = re.compile(  # a manifest's kind, word by word: "funding-call", "programme page", "FAQ"
    r"(?:^|[-_ ])(?:programmes?|programs?|services?|training|courses?|faqs?|funds?|funding|calls?|grants?|"
    r"events?|guides?|profiles?|schemes?)(?=$|[-_ ])",
    re.IGNORECASE,
)
_RUNS_ASKED = re.compile(  # "who runs the mentoring programme?": the organisation behind it
    r"\bwho(?:['’]s| is)? (?:(?:actually|really|even) )?(?:runs?|running|organi[sz]es?|organi[sz]ing|hosts?|"
    r"hosting|delivers?|puts? on|set (?:it |this |that )?up|offers?|provides?)\b",
    re.IGNORECASE,
)
_OPENING_WORD = re.compile(
    r"^(?:A|An|The|Each|Every|In|On|At|For|Our|Your|This|These|It|Its|We|They|Their|Many|Most|Some|All|Any)\s+"
)
_NAME_PART = re.compile(r"\s*[:|]\s+|\s+[–—-]\s+")
_SMALL_WORDS = frozenset("a an and at by for from in into of on the to with &".split())
_GENERIC_HEADING = re.compile(  # section names, papers and dates set in title case name no way in
    r"^(?:how|who|what|when|where|why|which|can|do|does|is|are|about|our|your|key|next|further|more|"
    r"contact|get|frequently|terms|case|background|summary|overview|introduction|annual|report|guest|"
    r"blog|news|update|minutes|agenda|paper|proposal|purpose|recommendations?|findings|stories|examples|"
    r"looking|step|stage|part|section|appendix|faqs?|opening|welcome)\b"
    rf"|\b(?:{MONTHS})\b|^\d",  # "9. External Consultees" numbers a paper's section
    re.IGNORECASE,
)
# an opening word that is only a sentence's start ("A small …", "The Hub …"), not a name's ("Our
# Future Health", "A&E Navigator")
_SENTENCE_START = re.compile(
    r"^(?:A|An|The)(?= )|^(?:This|These|It|Its|We|Our|They|Their|You|Your|There)(?= [a-z])"
)
_ITEM = re.compile(r"^(\d{1,3})\.\s+\S")
# A list or section marker ("- ", "3. ", "2.1 The …"), not a figure that opens a sentence ("412
# patients were onboarded", "1.5 million people …")
_MARKER = re.compile(r"^(?:-\s+|\d{1,3}\.\s+|\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+(?=[A-Z][a-z]))")
# Lines that are never an answer: page furniture, captions, by-line fragments, bare dates, and a
# line set wholly in italics that is no sentence ("*Blog – 9 December 2024 – Dr …*", "*Northern
# MedTech Guild*"): a page's by-line or the body it is from.
_NOT_AN_ANSWER = re.compile(
    r"^(?:image of|photo|picture|back to|share|written by|posted by|by\s+[A-Z]|read more)\b|^\W*$|"
    r"^([*_])[^*_]+(?<![.!?])\1\W*$",
    re.I,
)


@dataclass(frozen=True)
class Sentence:
    passage: Passage
    start: int  # offset in the document's text
    text: str
    score: float = 0.0
    dense: float = 0.0
    covered: Mapping[Name, float] = field(default_factory=dict)  # words of the question held → their share
    parts: frozenset[int] = frozenset({0})  # the parts of the question it can answer
    asks: bool = False  # the document asks it: reported as its question, never the answer itself
    answering: str = ""  # the question of the page it follows: an FAQ's "When is the deadline?"
    core: Sentence | None = None  # for a sentence read with the one before it: itself alone

    @property
    def evidenced(self) -> bool:
        """It can answer the main question: what it names is around it, what its kind needs is in it.

        Further questions of the same message ("… and who runs it?") are answered when a sentence
        can, but the documents answer the message only if they answer its first question.
        """
        return 0 in self.parts


class ExtractiveWriter:
    def __init__(
        self,
        embedder: Embedder,
        idf: Callable[[str], float],
        vocabulary: Mapping[str, int],
        max_words: int,
        spelled_out: Callable[[str], frozenset[str]] = lambda text: frozenset(),
        stored: Callable[[str, int], Mapping[str, np.ndarray]] = lambda doc_id, chunk: {},
    ) -> None:
        """`spelled_out`: the meanings of the short forms a text writes, which it also says.
        `stored`: the sentence vectors ingest embedded for a chunk (by document id and chunk index)."""
        self.embedder = embedder
        self.stored = stored
        self.spelled_out = spelled_out
        self.idf = idf
        self.vocabulary = vocabulary
        self.max_words = max_words
        self._cache: dict[str, np.ndarray] = {}
        self._doc_words: dict[str, frozenset[str]] = {}
        self._text_terms: dict[str, frozenset[str]] = {}

    # -- scoring -------------------------------------------------------------------------------

    def rank(self, query: Query, q_vec: np.ndarray, passages: list[Passage]) -> list[Sentence]:
        """Every candidate sentence of the passages, scored against the question, best first."""
        fields = query.kind is not Kind.OPEN  # "Date: …", "Director: …" answer who/when, not what/why
        found = [u for p in passages for u in _units(p, fields) if not self._said_before(u.text, query)]
        if query.kind is Kind.BYLINE:
            # a follow-up naming nothing ("and when did that come out?") is about the document the
            # last answer led with: another document's by-line answers nothing asked
            leaning = _leans_on_context(query)
            seen = {p.document.doc_id for p in passages if leaning} - set(query.context_docs)
            for p in passages:
                if p.document.doc_id not in seen and (line := byline(p.document)):
                    seen.add(p.document.doc_id)
                    found.append(Sentence(_first_passage(p, passages), -1, line))
        if not found:
            return []
        surroundings = {p.chunk.chunk_id: self._around(p) | self._terms(p.chunk.text) for p in passages}
        bags = list(surroundings.values())
        weights = self._slot_weights(query, bags)
        spread = Counter(t for bag in bags for t in bag)
        common = {t for t, n in spread.items() if n >= COMMON * len(bags)}
        for p in passages:
            self._cache.update(self.stored(p.document.doc_id, p.chunk.index))
        dense = self._embed([s.text for s in found]) @ q_vec
        scored = []
        for unit, sim in zip(found, dense, strict=True):
            around = surroundings[unit.passage.chunk.chunk_id]
            scored_unit = self._score(query, unit, float(sim), weights, around, common)
            if unit.core is not None:
                # the sentence alone, shown when the pair is too long, must earn its place by itself:
                # "It makes real … a decade." is filler without the sentence it points back to
                core = self._score(query, unit.core, float(sim), weights, around, common)
                scored_unit = replace(scored_unit, core=core if core.covered else None)
            scored.append(scored_unit)
        if _leans_on_context(query) and any(
            s.parts and s.passage.document.doc_id in query.context_docs for s in scored
        ):
            # a follow-up naming nothing is answered from the page the conversation is about when it can be
            scored = [
                s if s.passage.document.doc_id in query.context_docs else replace(s, parts=frozenset())
                for s in scored
            ]
        return sorted(scored, key=lambda s: -s.score)

    def _score(
        self,
        query: Query,
        unit: Sentence,
        sim: float,
        weights: dict[Name, dict[str, float]],
        around: frozenset[str],
        common: set[str],
    ) -> Sentence:
        held = self._terms(unit.text)
        covered = {
            slot: share for slot, by_term in weights.items() if (share := _filled(slot, by_term, held))
        }
        lexical = sum(covered.values()) + AROUND * sum(
            _filled(slot, by_term, around) for slot, by_term in weights.items() if slot not in covered
        )
        score = DENSE_WEIGHT * sim + (1 - DENSE_WEIGHT) * lexical
        parts = frozenset(
            i for i, part in enumerate(query.parts) if self._answers_part(part, unit, held, around, common)
        )
        if any(query.parts[i].needs for i in parts):
            score += KIND_BONUS
        if query.kind is Kind.WHO and _names(unit.text) - _names(query.asked):
            score += KIND_BONUS / 2
        if query.kind is Kind.ROUTE and (way_in := _routes(unit.text, query.asked)):
            # "where do I start?" is answered by a named way in, best as a page opens: "The X is …"
            score += KIND_BONUS * (2 * way_in + (0 <= unit.start < LEAD))
        elif query.kind is Kind.ROUTE and _for_others(unit.text, query.asked):
            score -= 2 * KIND_BONUS  # a way in for the other side: grants for community groups, to a firm
        if unit.start < 0 and _about_document(query, unit.passage.document):
            score += BYLINE_BONUS
        if parts and unit.passage.document.doc_id in query.context_docs and _leans_on_context(query):
            score += KIND_BONUS / 2  # "can i just ring them?": the page the conversation is about
        return replace(unit, score=score, dense=sim, covered=covered, parts=parts)

    def _answers_part(
        self, part: Part, unit: Sentence, held: frozenset[str], around: frozenset[str], common: set[str]
    ) -> bool:
        """Whether a sentence can answer this part of the question.

        What the part names must be in its document; for a date, a figure or an address, in its
        passage or its document's title or opening lines (a report's lead names what it is about),
        since such a fact belongs to what is near it (another committee's meeting date is no answer).
        It must hold what the part's kind needs (a date for "when"); a number must sit beside what
        "how many" counts; a date or a sum must come with a word of what is asked ("when do
        applications close?" is not answered by the month an agreement was signed); and a question
        about what happened is not answered by a plan, nor by a sentence without a word of it.
        """
        need = part.needs
        document = unit.passage.document
        where = held | around | (self._lead(document) if need else self._words(document))
        if not _names_in(part, where):
            return False
        if part.outcome and _PLANNED.search(unit.text):
            return False  # "will be presented in February" does not say whether it was
        if held <= part.terms and not _STATES.search(unit.text):
            # "who runs the founders programme?" is not answered by "- the Founders Mentoring
            # Programme", a name in a list; "The Hub does not take equity." states something
            return False
        if need is None:
            # nothing to hold but an event: "did they adopt it in the end?" is not answered by
            # "Author: …" or by any sentence on the subject that says nothing of what happened
            return not part.outcome or self._on_topic(part, held | self._terms(unit.answering), common)
        text = _ATTRIBUTION.sub(r"\1", unit.text)
        if part.kind is Kind.PERSON:
            text = f"{_speaker(unit)}{text}"  # "Rob Webster: As Chief Executive of …, I …" names him
        if (month := part.month) and not month.search(text):
            return False  # "what day in march?" is not answered by "23 April"
        if part.kind is Kind.NUMBER and not any(way & TIME_UNITS for way in part.counted):
            text = _NOT_A_COUNT.sub(" ", text)  # "how many were adopted?" is not answered by "Goal 2: …"
            if part.counted:  # "how many companies" is not answered by "£12,000 for every company"
                text = _SUM.sub(" ", _DURATION.sub(" ", text))
        families = {Kind.WHEN: _EVENTS, Kind.NUMBER: _COUNTED_EVENTS}.get(part.kind, {})
        # the last event the question names is what it asks the date of: "when does the open call close?"
        events = [families[t] for t in part.ordered_terms if t in families][-1:]
        said = held | self._terms(unit.answering)
        # "open until 31 March 2026" says when it closes, though it never says "close"
        said |= frozenset().union(*(family for family in events if _dated(family, text)))
        return (
            bool(need.search(_without_question_words(text, part.text)))
            and all(family & said for family in events)
            and _counts(part.counted, held, text, part.kind is Kind.NUMBER)
            and (not part.on_topic or self._on_topic(part, said, common))
        )

    def _on_topic(self, part: Part, held: frozenset[str], common: set[str]) -> bool:
        """Whether a sentence holds a word the part asks about beyond what it names ("applications"
        in "when do applications close for X?"). A short form counts when written, or when half its
        spelled-out words are ("science … audits" for "SIAs", not "science" alone)."""
        named = {t for names in part.names for name in names for way in name for t in way}

        def telling(way: frozenset[str], shared: Collection[str]) -> set[str]:
            return {
                t
                for t in way
                if len(t) >= 3 and t in self.vocabulary and t not in shared and t not in KIND_WORDS
            }

        def asking(shared: Collection[str]) -> list[Name]:
            # a word one of whose ways says nothing (is in most passages read, or is what is asked
            # for) asks for nothing: "cash" is the sum asked for, though its other way ("money or
            # fund") has "fund" in it; a misspelt way the corpus never uses is no such way
            return [
                word
                for word in part.words
                if not any(way & named for way in word)
                and not any(all(len(t) < 3 or t in shared or t in KIND_WORDS for t in way) for way in word)
                and any(telling(way, shared) for way in word)
            ]

        shared: Collection[str] = common
        if not (informative := asking(shared)) and part.kind is Kind.WHEN:
            # a date is of an event, however many pages name it: on pages that all give their
            # application dates, "when do applications close?" is not answered by when a course starts
            shared = ()
            informative = asking(shared)
        return not informative or any(
            telling(way, shared) & held and 2 * len(way & held) >= len(way)
            for word in informative
            for way in word
        )

    def evidence(self, ranked: list[Sentence]) -> float:
        """How well the best answering sentence answers: 0 when none holds what the kind needs."""
        best = _answering(ranked)
        if best is None:
            return 0.0
        return 0.7 * best.score + 0.3 * best.passage.similarity

    def answers(self, ranked: list[Sentence]) -> bool:
        return self.evidence(ranked) >= MIN_EVIDENCE

    def withheld(self, query: Query, ranked: list[Sentence], answering: bool) -> Draft | None:
        """The page's own word that the figures asked for are not given ("We are deliberately not
        publishing false alarm rates until the evaluation is complete."), quoted as why the documents
        do not answer. When they would answer (`answering`), only if that sentence would lead; when
        not, one of the three best sentences of the page that ranks first, holding words of the
        question. A date asked for is answered by "results will be published in May", and a sentence
        that goes on to give a figure ("… but the report found a 30% fall") withholds nothing."""
        if not ranked or query.kind not in (Kind.OPEN, Kind.NUMBER, Kind.AMOUNT, Kind.WHEN):
            return None
        top = ranked[0].passage.document.doc_id
        page = [s for s in ranked if s.passage.document.doc_id == top and not s.asks]
        if answering and (lead := _answering(ranked)):
            candidates = [lead]
        else:  # nothing answers: a date the page says is not set may be said anywhere on it
            candidates = page if query.kind is Kind.WHEN else page[:WITHHELD_AMONG]
        said = next((s for s in candidates if self._withholds(query, s)), None)
        if said is None:
            return None
        if (
            said.core is not None
            and _WITHHELD.search(said.core.text)
            and re.match(r"(?:We|Our)\b", said.core.text)
        ):
            said = said.core  # "We are not publishing …" says whose; "They are not …" needs its pair
        return Draft(f"{NOT_GIVEN} “{_tidy(said.text, self.max_words)}” [1]", [said.passage])

    @staticmethod
    def _withholds(query: Query, sentence: Sentence) -> bool:
        """A date is withheld when the sentence says it is not set and gives none of the kind asked
        ("when is the roundtable?" is answered by "November 2024 – exact date to be confirmed", but
        "what's the exact date?" is not)."""
        if query.kind is Kind.WHEN:
            need = query.parts[0].needs
            return (
                bool(sentence.covered or _DATE_FIELD.match(sentence.text))
                and bool(_UNDATED.search(sentence.text))
                and bool(_DATE_FIELD.match(sentence.text) or _OF_DATES.search(sentence.text))
                and not (need is not None and need.search(_UNDATED.sub(" ", sentence.text)))
            )
        return (
            bool(sentence.covered)
            and bool(_WITHHELD.search(sentence.text))
            and not _YET_GIVES.search(sentence.text)
        )

    def lead_needs(self, query: Query, ranked: list[Sentence]) -> tuple[str | None, list[re.Pattern[str]]]:
        """The document the answer leads with, and what only it may still give: what a later part
        naming nothing, or only what that document holds, asks for ("… and how do we reach them?",
        "… and how many of them were based in GM?"), and for "where do I start?" a way
        to reach the body it names, when no sentence read from it holds one. When nothing read
        answers at all, the page the question is about and what the question needs from it
        (`_subject_needs`). The document is given by its id.

        A follow-up naming nothing is about the page the conversation led with: "can i just ring
        them? whats the number", "and when do applications shut?" after an answer from a programme's
        page read its phone line or closing date wherever they are on it, unless what answers is
        already from that page."""
        lead = _answering(ranked)
        asked = [need for part in query.parts if (need := part.needs) is not None]
        elsewhere = lead is None or lead.passage.document.doc_id not in query.context_docs
        if _leans_on_context(query) and elsewhere and asked:
            return query.context_docs[0], asked
        if lead is None:
            document, needs = self._subject_needs(query, ranked)
            if document is None:
                return None, []
        else:
            document, needs = lead.passage.document, []
        needs += [
            need
            for i, part in enumerate(query.parts)
            if i
            and (need := part.needs)
            and (part.names == ((),) or _names_in(part, self._words(document)))
            and not any(i in s.parts and s.passage.document is document for s in ranked)
        ]
        if lead is not None:
            from_lead = [s.text for s in ranked if s.passage.document is document]
            needs += [
                need for need in _also_wanted(query, lead) if not any(need.search(t) for t in from_lead)
            ]
        return document.doc_id, list(dict.fromkeys(needs))

    def _subject_needs(
        self, query: Query, ranked: list[Sentence]
    ) -> tuple[Document | None, list[re.Pattern[str]]]:
        """When nothing read answers, the page the question is about may still hold it further down:
        "when do the small grants close?" is about the grants' page, whose closing date sits in a
        passage that shares no word with the question. That page is the best sentence's, when it
        names everything the question names. Only needs a near miss cannot meet by chance: a date
        or sum on topic, a number beside what it counts."""
        part = query.parts[0]
        strict = part.on_topic or part.counted  # "how big is the pot?" takes any figure
        if part.needs is None or not strict or not ranked or part.names == ((),):
            return None, []
        document = ranked[0].passage.document
        if not _names_in(part, self._words(document)):
            return None, []
        return document, [part.needs]

    # -- writing -------------------------------------------------------------------------------

    def write(self, query: Query, passages: list[Passage], ranked: list[Sentence]) -> Draft:
        """The answering sentence first; others only when they add something the question asked."""
        first = _answering(ranked)
        if first is None:
            raise ValueError("write is for when the documents answer (`answers`)")
        chosen = [first]
        lead = first.passage.document.doc_id
        for i, part in enumerate(query.parts):  # each question of the message gets its answer
            if any(i in c.parts for c in chosen):
                continue
            # a later part naming nothing ("… and when's the deadline?") is about what the first is
            # about: answered from the lead document only, and "them" shares no words to score on
            lead_only = i > 0 and part.names == ((),)
            best = next(
                (
                    s
                    for s in ranked
                    if i in s.parts and not s.asks and not (lead_only and s.passage.document.doc_id != lead)
                ),
                None,
            )
            if (
                best is not None
                and (lead_only or best.score >= KEEP_RATIO * first.score)
                and (pick := self._fitting(best, chosen))
            ):
                chosen.append(pick)
        for wanted in _also_wanted(query, first):
            if any(wanted.search(c.text) for c in chosen):
                continue
            extra = next(
                (
                    s
                    for s in ranked
                    if s.passage.document.doc_id == lead
                    and not s.asks
                    and wanted.search(s.text)
                    and not (wanted is _BEHIND and _FIELD.match(s.text))  # "Director: …" heads a paper
                ),
                None,
            )
            # what was asked for beside the lead may run past the budget by a short line
            if extra is not None and (pick := self._fitting(extra, chosen, slack=EXTRA_WORDS)):
                chosen.append(pick)
        covered = {slot for c in chosen for slot in c.covered}
        for sentence in ranked:
            if len(chosen) >= MAX_SENTENCES or sentence.score < KEEP_RATIO * first.score:
                break
            gain = sum(w for slot, w in sentence.covered.items() if slot not in covered)
            adds = gain >= ADDS or sentence.dense >= CLOSE * first.dense
            if sentence is first or not sentence.evidenced or not adds or sentence.text.endswith(":"):
                continue  # "… including representatives from:" says nothing without its list
            if query.kind is Kind.ROUTE and not _routes(sentence.text, query.asked):
                continue  # "where do I start?": support that names no one to go to adds nothing asked
            if sentence.passage.document.doc_id != lead and _bare_contact(sentence.text):
                continue  # "Email: gateway@…" from another page: an address without whose it is
            if (
                query.kind in (Kind.AMOUNT, Kind.NUMBER)
                and gain < ADDS
                and _says_again(sentence.text, chosen)
            ):
                continue  # "… approve the Fund with a total value of £1.2 million" after the £1.2 million
            pick = self._fitting(sentence, chosen)
            if pick is not None:
                chosen.append(pick)
                covered |= pick.covered.keys()
        for sibling in _label_siblings(chosen, query, ranked):
            if self._fit(sibling, chosen) == "fits":
                chosen.append(sibling)
        said = " ".join(c.text for c in chosen).lower()
        org = first.passage.document.organisation
        # whose page it is, unless the answer names them or says who runs it ("delivered by …")
        by = (
            org
            if org
            and _OFFER.search(first.passage.document.kind)
            and org.lower() not in said
            and not any(re.search(_RUN_BY, c.text) for c in chosen)
            and _asks_whose(query)
            else None
        )
        return _render(chosen, self.max_words, named=query.kind is Kind.ROUTE, publisher=by, lead=first)

    def _fitting(self, sentence: Sentence, chosen: list[Sentence], slack: int = 0) -> Sentence | None:
        verdict = self._fit(sentence, chosen, slack)
        if verdict == "fits":
            return sentence
        if verdict == "too long" and sentence.core and self._fit(sentence.core, chosen, slack) == "fits":
            return sentence.core  # too long with its lead-in: the sentence alone
        return None

    def _fit(self, sentence: Sentence, chosen: list[Sentence], slack: int = 0) -> str:
        """ "fits", or why not: it overlaps or repeats what is chosen, or it is too long for the budget."""
        end = sentence.start + len(sentence.text)
        for c in chosen:
            if c.passage.document.doc_id == sentence.passage.document.doc_id and (
                sentence.start < c.start + len(c.text) and c.start < end
            ):
                return "overlaps"
        if any(self._repeats(sentence.text, c.text) for c in chosen):
            return "repeats"
        words = sum(len(c.text.split()) for c in chosen) + len(sentence.text.split())
        return "too long" if chosen and words > self.max_words + slack else "fits"

    def _said_before(self, text: str, query: Query) -> bool:
        """The previous reply is not said again, unless it holds what the follow-up asks for: "and
        when was that?" is answered by the date it gave. Its supporting sentences may also answer a
        follow-up that names what they hold ("Author: X, Healthtech Regional Lead" for "and what's
        her job?", X being whom "her" means); the sentence it led with never does."""
        need = query.parts[0].needs
        if not _repeated(text, query.previous_reply) or (need and need.search(text)):
            return False
        if _repeated(text, re.split(r"\s\[\d+\]", query.previous_reply, maxsplit=1)[0]):
            return True
        held = self._terms(text)
        return not any(way & held for slot in query.slots for way in slot)

    def _slot_weights(self, query: Query, bags: list[frozenset[str]]) -> dict[Name, dict[str, float]]:
        """Each word of the question's share of it, by the term that stands for it: rare words weigh
        more; words every passage (`bags`) shares are the topic, not the point.

        A word the corpus never uses still counts (it may be the point: "vouchers", "membership"),
        but less than the rarest word it does use, since partners' own words often differ from it.
        """
        unknown = UNKNOWN * self.idf("")
        weights: dict[Name, dict[str, float]] = {}
        asked = [(slot, 1.0) for slot in query.slots]
        asked += [(slot, FOLLOWED) for slot in query.context_slots if slot not in query.slots]
        asked += [(slot, FOLLOWED) for slot in query.home_slots if slot not in query.slots]
        for slot, share in asked:
            terms = {t for way in slot for t in way}
            known = terms & self.vocabulary.keys()
            weights[slot] = {  # a term the corpus never uses counts only when no way of the word is used
                t: share
                * (
                    self.idf(t)
                    * (1.0 - TOPIC_DISCOUNT * sum(1 for bag in bags if t in bag) / max(1, len(bags)))
                    if t in known
                    else 0.0
                    if known
                    else unknown
                )
                for t in terms
            }
        total = sum(max(by_term.values()) for by_term in weights.values()) or 1.0
        return {slot: {t: w / total for t, w in by_term.items()} for slot, by_term in weights.items()}

    def _terms(self, text: str) -> frozenset[str]:
        """Once per text: the same passages come back question after question. A web address or an
        e-mail's domain holds no words: "ig.support@wyhdc.org.uk" is not about orgs."""
        terms = self._text_terms.get(text)
        if terms is None:
            if len(self._text_terms) > 50_000:
                self._text_terms.clear()
            words = _DOMAIN.sub(" ", text)
            terms = self._text_terms[text] = frozenset(tokens(words)) | self.spelled_out(words)
        return terms

    def _around(self, passage: Passage) -> frozenset[str]:
        """What surrounds a passage's sentences: its section headings and its document's front
        matter (`described_by`, made once per version of the document)."""
        return frozenset(tokens(" ".join(passage.chunk.headings))) | self._document_terms(passage.document, 0)

    def _lead(self, document: Document) -> frozenset[str]:
        """The terms of a document's opening lines and metadata: a news story's or board paper's
        lead says whose pilot or which partnership the rest of it is about."""
        return self._document_terms(document, LEAD)

    def _words(self, document: Document) -> frozenset[str]:
        """All of a document's terms and metadata: names asked about are looked up here."""
        return self._document_terms(document, len(document.text))

    def _document_terms(self, document: Document, length: int) -> frozenset[str]:
        """Once per version of a document and length read.

        The caches are shared by the threads of a server: each call works on what it read or made
        itself, so another thread clearing a full cache cannot take it away mid-call.
        """
        key = f"{document.doc_id}:{document.content_hash}:{length}"
        words = self._doc_words.get(key)
        if words is None:
            text = document.text[:length]  # not through _terms: its cache is for passages, not documents
            words = frozenset(tokens(text)) | self.spelled_out(text) | described_by(document)
            if len(self._doc_words) > 10_000:
                self._doc_words.clear()
            self._doc_words[key] = words
        return words

    def _embed(self, texts: list[str]) -> np.ndarray:
        found = {t: v for t in dict.fromkeys(texts) if (v := self._cache.get(t)) is not None}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, self.embedder.embed(missing), strict=True))
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache.update((t, found[t]) for t in missing)
        return np.stack([found[t] for t in texts])

    def _repeats(self, candidate: str, chosen: str) -> bool:
        """Says the same in other words, and names nobody and nothing new."""
        va, vb = self._embed([candidate, chosen])
        return float(va @ vb) > REDUNDANT and not (_names(candidate) - _names(chosen))


def _names_in(part: Part, words: frozenset[str]) -> bool:
    """Whether `words` hold all that one of the part's options names."""
    return any(all(any(way <= words for way in name) for name in names) for names in part.names)


def _answering(ranked: list[Sentence]) -> Sentence | None:
    """The sentence an answer leads with: the best that can answer and is no question itself."""
    return next((s for s in ranked if s.evidenced and not s.asks), None)


def sentence_texts(document: Document, chunk: Chunk) -> list[str]:
    """Every text `rank` may score in this chunk, the sentences inside joined pairs too: what ingest
    embeds ahead of the questions."""
    units = _units(Passage(chunk, document, 0.0))
    return list(dict.fromkeys(t for u in units for t in (u.text, u.core.text if u.core else "") if t))


def _units(passage: Passage, fields: bool = True) -> list[Sentence]:
    """The passage's sentences; one that points back is joined to the sentence before it.

    Headings, titles, questions and page furniture are left out (they name a topic or ask, they do
    not answer), except labelled lines such as "Goal 2: …" and bare contact lines, which state
    something themselves.
    """
    text = passage.chunk.text
    spans = split_sentences(text)
    titles = {_plain(t) for t in (*passage.chunk.headings, passage.document.title)}
    units = []
    asked, asked_in = "", -1  # the page's last question, and the paragraph it ends
    for i, (a, b) in enumerate(spans):
        sentence = text[a:b].strip()
        paragraph = text.count("\n\n", 0, a)
        asks = sentence.rstrip("'\"’”)").endswith("?")
        if asks:
            asked, asked_in = sentence, paragraph
        if (
            # a line of its own under "Contact" ("enquiries@nces.example") says how to reach someone
            (
                len(sentence.split()) < 4
                and not (fields and (_FIELD.match(sentence) or _REACH.search(sentence)))
            )
            or (_plain(sentence) in titles and not _LABEL.match(sentence))
            or _NOT_AN_ANSWER.match(_MARKER.sub("", sentence))
        ):
            continue
        # an FAQ's answer is the paragraph after its question ("When is the deadline?")
        answering = asked if not asks and paragraph == asked_in + 1 else ""
        alone = Sentence(passage, passage.chunk.start + a, sentence, asks=asks, answering=answering)
        if i and not asks and _ANAPHORIC.match(sentence) and "\n" not in text[spans[i - 1][0] : b]:
            start = spans[i - 1][0]
            units.append(
                replace(alone, start=passage.chunk.start + start, text=text[start:b].strip(), core=alone)
            )
        else:
            units.append(alone)
    return units


def _about_document(query: Query, document: Document) -> bool:
    """Whether a by-line answers when: a follow-up is about the document itself only when the question
    it follows named it (its author, its kind, or words of its title); after "what's the title of the
    LCR audit?", "and when did that come out?" asks when the audit did, which the text says."""
    if not _leans_on_context(query):
        return True
    asked = query.context_words
    named = set(tokens(f"{document.author or ''} {kind_name(document)}"))
    return bool(asked & named) or len(asked & set(tokens(document.title))) >= 2  # one may be a place


def _leans_on_context(query: Query) -> bool:
    """A follow-up that names nothing itself: what it asks about is what the conversation was about
    ("who wrote the LAHP blog?" in a thread names its own subject)."""
    return bool(query.context_docs) and all(not names for names in query.parts[0].names)


def _first_passage(passage: Passage, passages: list[Passage]) -> Passage:
    """The by-line cites the document's opening passage when it was retrieved, else the one that was."""
    same = [p for p in passages if p.document.doc_id == passage.document.doc_id]
    return min(same, key=lambda p: p.chunk.index)


def _counts(counted: Name, held: frozenset[str], text: str, number: bool) -> bool:
    """A "how many X" answer has X beside its number, in one clause: one of its ways, or half the
    words of a spelled-out one ("voluntary sector" for "charities"; "care" alone is not "primary
    care network"). Counting years, any span of time will do. A role asked for ("who chairs it?",
    not a `number`) need only be named."""
    if not counted:
        return True
    if any(way & TIME_UNITS for way in counted):
        return bool(_SPAN.search(text))
    if not number:
        return any(2 * len(way & held) >= len(way) for way in counted)
    for clause in _CLAUSE.split(text):  # "Our job is to …: one form, one triage team" counts no jobs
        terms = set(tokens(clause))
        if EVIDENCE[Kind.NUMBER].search(clause) and any(2 * len(way & terms) >= len(way) for way in counted):
            return True
    return False


def _routes(sentence: str, question: str) -> float:
    """How much of a way in it is for "where do I start?": it must name a body, programme or person the
    question does not, or a way to reach one; it counts fully when it says how to come in ("the single
    front door", "contact Liz Harker"), half when it says what they do for those who come ("the Hub …
    as the mechanism to signal the needs"). A body named in passing ("as Chief Executive of …, I can
    see the benefits") is no way in."""
    new_names = set(_BODY.findall(sentence)) - set(_BODY.findall(question))
    if not new_names and not EVIDENCE[Kind.CONTACT].search(sentence):  # "call Priya on 0113 …"
        return 0.0
    if (
        _for_others(sentence, question)
        or (not _REACH.search(sentence) and (_FOR_PATIENTS.search(sentence) or _SHUT.search(sentence)))
        or not _of_sought_kind(sentence, question)
    ):
        return 0.0
    if _WAY_IN.search(sentence):
        return 1.0
    # overseeing a strategy serves no one who comes, unless oversight is what is asked about
    oversight = _OVERSEES.search(sentence) and _OVERSEES.search(question)
    return 0.5 if _SERVES.search(sentence) or _INTRODUCES.search(sentence) or oversight else 0.0


def _bare_contact(sentence: str) -> bool:
    """A contact line that says nothing of whose it is ("Email: gateway@…", "0113 496 0770")."""
    return bool(_REACH.search(sentence)) and bool(_FIELD.match(sentence) or len(sentence.split()) < 4)


def _dated(event: frozenset[str], text: str) -> bool:
    """Whether a sentence's date is of the event by how it is written: an end or a closing by
    "until …"; a start or an end by a range of dates or a date line."""
    if event in (_ENDS, _EVENTS["clos"]) and _UNTIL.search(text):
        return True
    return event in (_STARTS, _ENDS) and bool(_DATE_RANGE.search(text) or _DATE_FIELD.match(text))


def _says_again(sentence: str, chosen: list[Sentence]) -> bool:
    """Whether every figure a sentence gives is already given."""
    figures = set(_FIGURE.findall(sentence))
    return bool(figures) and figures <= {f for c in chosen for f in _FIGURE.findall(c.text)}


def _also_wanted(query: Query, lead: Sentence) -> list[re.Pattern[str]]:
    """What an answer led by `lead` should also say from its page, though no part asks it alone:
    "who do I ping about a trial?" led by a named way in wants how to reach it and who runs it ("call
    Priya on …", "delivered by the West Riding Institute"); "someone i can ring?" the person's
    number; "what day's the showcase and where is it?" the venue beside the date."""
    wanted = [_REACH, _BEHIND] if query.kind is Kind.ROUTE and _routes(lead.text, query.asked) > 0 else []
    if query.kind is Kind.PERSON and _ASKS_TO_REACH.search(query.asked):
        wanted.append(_REACH)  # "is there someone i can ring first?": the person, and the number
    return [*wanted, _VENUE] if _ASKS_VENUE.search(query.asked) else wanted


def _of_sought_kind(sentence: str, question: str) -> bool:
    """Whether a sentence offers the kind of way in asked for, if one is: a network for "is there a
    network of sites …?", a course or a programme for "is there any training …?"."""
    if not (sought := _SOUGHT.search(question)):
        return True
    words = {w.removesuffix("s") for w in re.findall(r"[a-z]+", sentence.lower())}
    return any(words & kind for kind in _KINDS_OF_WAY if sought[1].lower() in kind)


def _for_others(sentence: str, question: str) -> bool:
    """Whether a way in is only for the other side: "a learning programme for people working in
    health and care" is no way in for "I have a wound-care device", nor a programme "open to
    companies" for a ward sister. A way in for both ("for companies, clinicians and researchers"), or
    for either side unsaid, suits anyone."""
    asking = {side for side, (asker, _) in _SIDES.items() if asker.search(question)}
    served = {side for side, (_, audience) in _SIDES.items() if audience.search(sentence)}
    return len(asking) == 1 and bool(served) and not asking & served


def _repeated(sentence: str, said: str) -> bool:
    return bool(said) and " ".join(sentence.split())[:60] in " ".join(said.split())


def _without_question_words(sentence: str, question: str) -> str:
    """The sentence less the question's own dates and figures: "2019" in "the 2019 MoU" does not date
    anything, nor "autumn" in "our autumn programme" say when "the showcase this autumn" is, nor
    "two" count anything asked about "the first two cohorts"."""
    for word in set(re.findall(r"\w+", question)):
        if word[:1].isdigit() or _SEASON.fullmatch(word) or _FIGURE.fullmatch(word):
            sentence = re.sub(rf"\b{re.escape(word)}\b", " ", sentence, flags=re.IGNORECASE)
    return sentence


def _names(text: str) -> set[str]:
    """Capitalised words and numbers after the first word: the specifics a sentence adds."""
    return set(re.findall(r"(?<=\s)(?:[A-Z][\w'’-]+|\d[\d,.%]*)", text))


def _filled(slot: Name, by_term: Mapping[str, float], present: Collection[str]) -> float:
    """How much of a word of the question the terms present stand for: the most a term of it weighs
    alone, or a way of writing it, as much as that way weighs by the share of it present ("business"
    is half of "small business", one way of writing "SMEs")."""
    return max(
        (
            max(
                max((by_term[t] for t in way if t in present), default=0.0),
                max(by_term[t] for t in way) * sum(1 for t in way if t in present) / len(way),
            )
            for way in slot
            if way
        ),
        default=0.0,  # a word of no terms: nothing to hold
    )


def _plain(text: str) -> str:
    return text.replace("’", "'").rstrip(".").casefold()


def _label_siblings(chosen: list[Sentence], query: Query, ranked: list[Sentence]) -> list[Sentence]:
    """The rest of a labelled series ("Goal 1/2/3: …") when two of it were chosen or it was asked for."""
    siblings: list[Sentence] = []
    asked = {t for slot in query.slots for way in slot for t in way}
    same_doc = [s for s in ranked if s.passage.document.doc_id == chosen[0].passage.document.doc_id]
    for sentence in [*chosen, *(s for s in same_doc if _LABEL.match(s.text) and s not in chosen)]:
        label = _LABEL.match(sentence.text)
        if not label:
            continue
        twice = sum(1 for c in chosen if c.text.startswith(f"{label.group(1)} ")) >= 2
        if not twice and not set(tokens(label.group(1))) & asked:
            continue
        document = sentence.passage.document
        for match in _LABEL.finditer(document.text):
            line_end = document.text.find("\n", match.start())
            line = document.text[match.start() : line_end if line_end >= 0 else None]
            if match.group(1) == label.group(1) and all(s.start != match.start() for s in chosen + siblings):
                siblings.append(Sentence(sentence.passage, match.start(), line, sentence.score))
    return siblings


def _render(
    chosen: list[Sentence],
    max_words: int,
    named: bool = False,
    publisher: str | None = None,
    lead: Sentence | None = None,
) -> Draft:
    """The first sentence leads; a labelled series reads in its own order; each sentence cited.

    `named`: the question asks for a way in, so a sentence that describes one without naming it
    ("A small, invitation-only discussion for GP partners …") is led by the name its section goes by.
    `publisher`: the organisation behind the page of `lead`, which the answer should say and does not;
    said once, before the first sentence of that page that is no quotation or question.
    """
    labelled = sorted((s for s in chosen if _LABEL.match(s.text)), key=lambda s: s.start)
    if len(labelled) >= 2:
        at = chosen.index(min(labelled, key=lambda s: chosen.index(s)))
        rest = [s for s in chosen if s not in labelled]
        chosen = rest[:at] + labelled + rest[at:]
    cited: list[Passage] = []
    parts: list[str] = []
    read: set[str] = set()  # the passages already quoted: a name said with the first is not said again
    for s in chosen:
        if s.passage.document.doc_id not in [p.document.doc_id for p in cited]:
            cited.append(s.passage)
        n = [p.document.doc_id for p in cited].index(s.passage.document.doc_id) + 1
        text = _tidy(_full_names(s), max_words, _place(s))
        if s.asks:
            text = f"It asks: {text}"
        elif speaker := _speaker(s):
            text = f"{speaker}{text}"
        elif label := _label(
            _subject(s) if named and s.passage.chunk.chunk_id not in read else None,
            publisher if lead and s.passage.document.doc_id == lead.passage.document.doc_id else None,
            " ".join(parts),
        ):
            text = f"{label} — {_SENTENCE_START.sub(lambda m: m.group(0).lower(), text)}"
        read.add(s.passage.chunk.chunk_id)
        parts.append(f"{text} [{n}]")
    return Draft(" ".join(parts), cited)


def _speaker(sentence: Sentence) -> str:
    """ "Rob Webster: " before a sentence its author wrote in the first person, so "I" has a name."""
    author = sentence.passage.document.author
    if author and _FIRST_PERSON.search(sentence.text) and author not in sentence.text:
        return f"{author}: "
    return ""


def _label(name: str | None, publisher: str | None, said: str) -> str | None:
    """What leads a sentence: the name of what it describes, and whose it is ("Health Data Skills
    Bootcamp (Calder and Aire College)"), each only when not said before."""
    name = name if name and name not in said else None
    publisher = (
        publisher if publisher and publisher not in said and not (name and publisher in name) else None
    )
    if name and publisher:
        return f"{name} ({publisher})"
    return name or publisher


def _asks_whose(query: Query) -> bool:
    """Whether the answer should say whose the offer is: asked for a way in or for what there is
    ("any grants going in WY?", "is the showcase free?"), or who runs one; not for a date, a sum, a
    count or a contact, which are facts of the page its citation names."""
    return query.kind in (Kind.ROUTE, Kind.OPEN) or (
        query.kind is Kind.WHO and _RUNS_ASKED.search(query.asked) is not None
    )


def _subject(sentence: Sentence) -> str | None:
    """The name of what a sentence is about when the sentence does not say it: its section's heading
    when that is a name ("Primary Care Innovation Roundtable"), else its document's title ("Northern
    Clinical Evaluation Service: FAQ for companies" goes by the part before the colon)."""
    for heading in (*reversed(sentence.passage.chunk.headings), sentence.passage.document.title):
        if name := _name(heading):
            return None if _names_it(sentence.text, name) else name
    return None


def _name(heading: str) -> str | None:
    """The leading part of a heading set in title case: "Meet the Buyer: Community Diagnostics",
    "Northern Clinical Evaluation Service (NCES)", not "Who can apply", "Key Dates", "Step 2: know
    which route applies" or "April 2023"."""
    name, end = "", 0
    for part in _NAME_PART.split(heading):
        end = heading.index(part, end) + len(part)
        words = [w.lstrip("(“‘\"'") or w for w in part.split()]
        capitals = [w for w in words if w[0].isupper()]
        if (
            len(capitals) < 2
            or any(not (w[0].isupper() or w[0].isdigit() or w.lower() in _SMALL_WORDS) for w in words)
            or _GENERIC_HEADING.search(part)
        ):
            break
        name = heading[:end]
    return name or None


def _names_it(text: str, name: str) -> bool:
    """Whether a sentence names what it is about: this ("the Network", "NCES") or another body near
    its start ("The SME Healthtech Growth Grant is …", "Programme manager Priya Raman is …")."""
    words = name.split()
    capitals = [w for w in words if w[0].isupper()]
    acronyms = {"".join(w[0] for w in capitals), *(w.strip("()") for w in words if w.startswith("("))}
    if any(len(a) >= 3 and re.search(rf"\b{re.escape(a)}\b", text) for a in acronyms):
        return True
    opening = _OPENING_WORD.sub("", " ".join(text.split()[:OPENING_WORDS]), count=1)  # "An NHS trust"
    return re.search(rf"\b{re.escape(capitals[-1])}\b", text) is not None or bool(_BODY.search(opening))


def _place(sentence: Sentence) -> str | None:
    """Where a numbered commitment sits ("Goal 2, point 5"), so a quoted action keeps its context."""
    item = _ITEM.match(sentence.text)
    labels = [m.group(0) for h in sentence.passage.chunk.headings if (m := _LABEL_NAME.match(h))]
    if not item or not labels:
        return None
    return f"{labels[-1]}, point {item.group(1)}"


def _full_names(sentence: Sentence) -> str:
    """ "Contact Sarah by email at …" is "Contact Sarah Whitlock …" when the page names her in full
    (its author, or beside her role: "Our IG lead, Sarah Whitlock, can advise"): a first name alone
    tells a reader who has not read the page nothing."""
    text = sentence.text
    document = sentence.passage.document
    names = _ROLE_NAME.findall(sentence.passage.chunk.text)
    if document.author and (full := _FULL_NAME.fullmatch(document.author.strip())):
        names.append((full.group(1), full.group(2)))
    for first, last in dict.fromkeys(names):
        if f"{first} {last}" not in text:
            alone = rf"{_REACH_NAME}{re.escape(first)}\b(?![-.@/]\w| [A-Z])"
            text = re.sub(alone, rf"\g<1>{first} {last}", text, count=1)  # names are letters, "-" and "'"
    return text


def _tidy(sentence: str, max_words: int, place: str | None = None) -> str:
    """List markers off, a full stop on, and a lone over-long sentence cut at the budget."""
    text = _MARKER.sub("", " ".join(sentence.split())).strip()
    words = text.split()
    if len(words) > max_words:
        text = " ".join(words[:max_words]).rstrip(",;:") + " …"
    elif place:
        text = f"{text.rstrip('.')} ({place})."
    elif not re.search(r"[.!?…]['\"’”)]*$", text) and not _ADDRESS_AT_END.search(text):
        text += "."  # not after an address: "hello@nehih.example." would be copied with its stop
    if _DOMAIN.match(text) or re.match(r"[\w.+-]+@", text):
        return text  # "enquiries@nces.example" is not "Enquiries@…"
    return text[0].upper() + text[1:] if text else text
