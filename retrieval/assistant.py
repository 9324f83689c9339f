"""The Assistant answers: it reads a question, retrieves from the `Index`, decides whether the
documents answer and has a writer compose the reply. Maintaining the index is `retrieval.index`'s."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from config.errors import IndexMissingError, QuestionError
from config.settings import Settings
from retrieval.access import EVERYTHING, Access
from retrieval.answer import Answer, Source, viewer_url
from retrieval.conversation import Turn
from retrieval.embed import Embedder, make_embedder
from retrieval.extractive import ExtractiveWriter, Sentence, sentence_texts
from retrieval.frontmatter import Catalogue
from retrieval.fuse import convex_fusion
from retrieval.index import Index
from retrieval.keyword import KeywordIndex
from retrieval.lexicon import Lexicon, read_glossary, read_places
from retrieval.passage import Draft, Passage
from retrieval.query import Kind, Query, analyse
from retrieval.scope import decline_reason
from retrieval.text import tokens
from retrieval.writer import Writer

log = logging.getLogger(__name__)

VIEWS_KEPT = 16  # readers' views of the index kept in memory (each holds a keyword index)
CANDIDATES = 30  # per index, before fusion
NAMED = 3  # documents a description may name at most: "the healthtech strategy" names a subject
FOLLOW_BOOST = 0.15  # fused-score lift of a follow-up's candidates from the document it leans on
WAYS_IN = "front door single point of contact route into contact enquiries get in touch"  # see _retrieve
NEAR = 0.45  # a passage this similar is worth showing even when it does not answer
DETAILS = 2  # passages of the leading document read for a later part it answers ("how do we reach them?")
NOT_FOUND = "I couldn't find that in the cluster's documents."


@dataclass(frozen=True)
class View:
    """The index as one set of readers sees it: what they may not see, and the keyword index,
    vocabulary and writer counted over the rest."""

    version: int
    hidden: frozenset[str]
    keyword: KeywordIndex
    lexicon: Lexicon
    writer: ExtractiveWriter
    catalogue: Catalogue  # what each document is known by besides its text


class Assistant:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        chat_model=None,  # noqa: ANN001 (a LangChain chat model, imported only when configured)
        today: Callable[[], date] = date.today,
        index: Index | None = None,
    ) -> None:
        """`today` is the clock expiry is read against: tests move it instead of patching `date`."""
        self.settings = settings
        self.today = today
        self.embedder = embedder or make_embedder(settings)
        self.index = index or Index(settings, self.embedder, sentence_texts)
        self._chat_model = chat_model
        self._hidden: dict[Access, tuple[int, frozenset[str]]] = {}  # per reader, at an index version
        self._views: dict[frozenset[str], View] = {}  # by the documents each hides
        self._views_lock = threading.Lock()

    # -- start-up ------------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the model and open the indexes once, so no request pays for it."""
        self.embedder.warm_up()
        self.index.open()
        if self._chat_model is None and self.settings.chat_model:
            from retrieval.llm import load_chat_model  # LangChain loads only when a model is configured

            self._chat_model = load_chat_model(self.settings.chat_model)

    # -- asking --------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: Sequence[Turn | str] = (),
        on_text: Callable[[str], None] | None = None,
        access: Access = EVERYTHING,
    ) -> Answer:
        """Answer from the documents, or say plainly that they do not answer.

        `history` holds the earlier turns of the same conversation, so that a follow-up such as
        "and who funds that?" is answered about what the conversation was about. `on_text` is
        given a chat model's reply a sentence at a time as it is written (a surface streams it); the
        Answer returned is the one that counts, and may differ (a reply given up on). `access`: whom
        the answer is for; only the documents it allows are searched. A document it hides is not
        found, exactly as one that does not exist.
        """
        started = time.perf_counter()
        question = " ".join(question.split())
        if not question:
            raise QuestionError("the question is empty: ask something about the cluster's documents")
        if _SURROGATE.search(question):
            raise QuestionError("the question holds a character that is not text (a lone surrogate)")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"the question is {len(question):,} characters long; the limit is "
                f"{self.settings.max_question_chars:,}"
            )
        reason = decline_reason(question)
        if reason:
            return self._answer(question, False, reason, [], started, refer=True, declined=reason)
        self.index.refresh()  # another process (`partnerbot ingest`) may have changed it
        if self.index.is_empty:
            raise IndexMissingError("there is no index yet: run `partnerbot ingest` first")
        view = self.view(access)
        turns = [t if isinstance(t, Turn) else Turn(t) for t in history]
        query = analyse(question, view.lexicon, turns, self.settings.home)
        q_vec = self.embedder.embed([query.embedded])[0]
        passages = self._retrieve(query, q_vec, access)
        ranked = view.writer.rank(query, q_vec, passages) if passages else []
        if ranked and (details := self._lead_details(query, q_vec, passages, ranked, view)):
            passages += details
            ranked = view.writer.rank(query, q_vec, passages)
        answers = bool(ranked) and view.writer.answers(ranked)
        # a page saying it does not give the figures asked for is the reason to quote in a decline
        if (withheld := view.writer.withheld(query, ranked, answers)) is not None:
            return self._answer(question, False, withheld.text, withheld.cited, started, refer=True)
        if not answers:
            near = _nearest(passages)
            return self._answer(question, False, NOT_FOUND, near, started, refer=True)
        draft = self._write(query, passages, ranked, view.writer, on_text)
        refer = query.kind in (Kind.ROUTE, Kind.CONTACT, Kind.PERSON)  # "who do I ping?": a person can help
        return self._answer(question, True, draft.text, draft.cited, started, refer=refer)

    def understand(
        self, question: str, history: Sequence[Turn | str] = (), access: Access = EVERYTHING
    ) -> Query:
        turns = [t if isinstance(t, Turn) else Turn(t) for t in history]
        return analyse(question, self.view(access).lexicon, turns, self.settings.home)

    def retrieve(
        self, question: str, history: Sequence[Turn | str] = (), access: Access = EVERYTHING
    ) -> list[Passage]:
        """The passages a question is answered from, best first."""
        self.index.refresh()
        query = self.understand(question, history, access)
        return self._retrieve(query, self.embedder.embed([query.embedded])[0], access)

    def view(self, access: Access) -> View:
        """The index as `access` sees it, made once per index version and set of hidden documents
        (readers are few: the public, partners, the members of each group)."""
        version = self.index.version
        registry = self.index.registry
        known = self._hidden.get(access)
        if known is None or known[0] != version:
            hidden = frozenset(
                i for i in registry.ids() if (d := registry.document(i)) and not access.allows(d)
            )
            known = self._hidden[access] = (version, hidden)
        hidden = known[1]
        with self._views_lock:
            view = self._views.get(hidden)
            if view is None or view.version != version:
                if len(self._views) >= VIEWS_KEPT:
                    self._views.pop(next(iter(self._views)))
                view = self._views[hidden] = self._make_view(version, hidden)
            return view

    def _make_view(self, version: int, hidden: frozenset[str]) -> View:
        """The keyword index, vocabulary and writer of the documents not `hidden`. Term statistics
        (how rare a word is, which words exist, what a short form stands for) shape ranking and
        wording, so a reader's are counted over what it may see: a hidden document shapes nothing.
        Hiding nothing, it is the stored keyword index; else a BM25 index is built in memory."""
        registry = self.index.registry
        documents = [d for i in registry.ids() if i not in hidden and (d := registry.document(i))]
        if hidden:
            pairs = [(d, c) for d in documents for c in registry.chunks(d.doc_id)]
            keyword = KeywordIndex([c.chunk_id for _, c in pairs], [c.embed_text(d) for d, c in pairs])
        else:
            keyword = self.index.keyword
        lexicon = Lexicon.build(
            (d.text for d in documents),
            keyword.doc_freq,
            read_glossary(self.settings.glossary_file),
            [d.author for d in documents if d.author],
            read_places(self.settings.places_file),
        )
        writer = ExtractiveWriter(
            self.embedder,
            keyword.idf,
            keyword.doc_freq,
            self.settings.answer_words,
            lexicon.spelled_out,
            self.index.sentences.of_chunk,
        )
        return View(version, hidden, keyword, lexicon, writer, Catalogue(documents))

    def _retrieve(self, query: Query, vector: np.ndarray, access: Access) -> list[Passage]:
        """Dense and keyword candidates among the documents `access` allows, fused; passages of
        expired documents left out.

        For a follow-up the dense side reads it with the question it leans on and the keyword side
        reads its own words ("presented"); candidates from the document the previous answer led with
        rank a little higher: the conversation is about it.
        """
        view = self.view(access)
        known = self.index.registry.ids()
        similarity = dict(self.index.vectors.search(vector, CANDIDATES, view.hidden, known))
        keyword = dict(view.keyword.search(query.search, CANDIDATES))  # a follow-up's own words
        for chunk_id, v in self.index.vectors.vectors([i for i in keyword if i not in similarity]).items():
            similarity[chunk_id] = float(v @ vector)  # keyword-only candidates get their true cosine
        fused = convex_fusion(similarity, keyword)
        if subjects := set(query.context_docs) | self._named_documents(query, view):
            fused = sorted(
                ((c, s + (FOLLOW_BOOST if c.rpartition("#")[0] in subjects else 0.0)) for c, s in fused),
                key=lambda pair: -pair[1],
            )
        today = self.today().isoformat()
        ranked = [c for c, _ in fused]
        wanted = self.settings.top_k
        if query.kind in (Kind.ROUTE, Kind.PERSON):
            # a way in is often worded far from the asker's case: besides the passages closest to the
            # question, those its words share with the wording of a way in ("front door", "contact")
            ways_in = [c for c, _ in view.keyword.search(f"{query.search} {WAYS_IN}", CANDIDATES)]
            close, extra = wanted + wanted // 2, wanted // 2
            added = [c for c in ways_in if c not in ranked[:close]][:extra]
            for chunk_id, v in self.index.vectors.vectors([c for c in added if c not in similarity]).items():
                similarity[chunk_id] = float(v @ vector)
            ranked = ranked[:close] + added + ranked[close:]
            wanted = close + extra
        passages: list[Passage] = []
        for chunk_id in dict.fromkeys(ranked):
            doc_id, _, index = chunk_id.rpartition("#")
            doc = self.index.registry.document(doc_id)
            chunks = self.index.registry.chunks(doc_id)
            if doc is None or int(index) >= len(chunks) or (doc.expires and doc.expires < today):
                continue
            passages.append(Passage(chunks[int(index)], doc, similarity.get(chunk_id, 0.0)))
            if len(passages) == wanted:
                break
        return passages

    def _named_documents(self, query: Query, view: View) -> set[str]:
        """The documents a question names by description (`Catalogue`), when the description
        tells at most NAMED of them from the rest."""
        found: set[str] = set()
        for described in query.documents:
            if len(named := view.catalogue.named(described)) <= NAMED:
                found.update(named)
        return found

    def _lead_details(
        self,
        query: Query,
        vector: np.ndarray,
        passages: list[Passage],
        ranked: list[Sentence],
        view: View,
    ) -> list[Passage]:
        """Passages of the leading document that hold what the answer still needs from it
        (`ExtractiveWriter.lead_needs`), however far down they are: "whos the front door up north
        and how do we reach them?" is answered from the contact lines of the page that answered
        the first part, "when do the small grants close?" from the key dates of the grants' page.
        The closest to the question first: a long page may give many dates. A page the thread was
        about is read only if this reader may still see it: another member of the thread, or a page
        hidden or expired since, must not be read through the thread."""
        lead_id, needs = view.writer.lead_needs(query, ranked)
        lead = self.index.registry.document(lead_id) if lead_id and lead_id not in view.hidden else None
        if lead is None or not needs or (lead.expires and lead.expires < self.today().isoformat()):
            return []
        read = {p.chunk.chunk_id for p in passages}
        found = [
            chunk
            for chunk in self.index.registry.chunks(lead.doc_id)
            if chunk.chunk_id not in read and any(need.search(chunk.text) for need in needs)
        ]
        similarity = self.index.vectors.vectors([c.chunk_id for c in found])
        details = [
            Passage(c, lead, float(similarity[c.chunk_id] @ vector))
            for c in found
            if c.chunk_id in similarity
        ]
        closest = sorted(details, key=lambda p: -p.similarity)
        # each need's own passage first, the one sharing most words with the question, else the
        # closest: a page's contact lines and who runs it sit apart, and "how many cos did the
        # first two cohorts support?" is answered under "Past cohorts", not by any line with a number
        asked = {t for part in query.parts for t in part.terms}
        firsts: list[Passage] = []
        for need in needs:
            if matching := [c for c in closest if need.search(c.chunk.text) and c not in firsts]:
                firsts.append(max(matching, key=lambda c: len(asked.intersection(tokens(c.chunk.text)))))
        return list(dict.fromkeys([*firsts, *closest]))[: max(DETAILS, len(needs))]

    def _write(
        self,
        query: Query,
        passages: list[Passage],
        ranked: list[Sentence],
        extractive: ExtractiveWriter,
        on_text: Callable[[str], None] | None = None,
    ) -> Draft:
        """The first writer that gives a draft: the chat model when one is configured, else (or
        when it fails, times out or finds nothing) the extractive writer, which always writes."""
        for writer in self._writers(extractive, on_text):
            draft = writer.write(query, passages, ranked)
            if draft is not None:
                return draft
        raise AssertionError("the extractive writer always writes")  # pragma: no cover

    def _writers(self, extractive: ExtractiveWriter, on_text: Callable[[str], None] | None) -> list[Writer]:
        writers: list[Writer] = []
        if self._chat_model is not None:
            from retrieval.llm import LLMWriter

            s = self.settings
            writers.append(LLMWriter(self._chat_model, s.answer_words, s.chat_timeout_s, on_text))
        return [*writers, extractive]

    def _answer(
        self,
        question: str,
        answered: bool,
        text: str,
        cited: list[Passage],
        started: float,
        *,
        refer: bool = False,
        declined: str | None = None,
    ) -> Answer:
        sources = [
            Source(
                n=n,
                doc_id=p.document.doc_id,
                title=p.document.title,
                url=viewer_url(self.settings.public_base_url, p.document.doc_id, p.chunk.index),
                source_url=p.document.source_url,
                organisation=p.document.organisation,
                published=p.document.published,
                kind=p.document.kind,
                chunk=p.chunk.index,
                snippet=_snippet(p.chunk.text),
                score=round(p.similarity, 3),
            )
            for n, p in enumerate(cited[: self.settings.max_sources], start=1)
        ]
        return Answer(
            question=question,
            answered=answered,
            answer=text,
            sources=sources,
            refer=refer,
            declined=declined,
            latency_ms=_ms(started),
        )


_SURROGATE = re.compile("[\ud800-\udfff]")  # JSON can carry them; no tokenizer or database takes them


def _nearest(passages: list[Passage], count: int = 3) -> list[Passage]:
    """The closest passages of a question the documents do not answer: really close ones, one a document."""
    best: dict[str, Passage] = {}
    for p in sorted(passages, key=lambda p: -p.similarity):
        if p.similarity >= NEAR:
            best.setdefault(p.document.doc_id, p)
    return list(best.values())[:count]


def _snippet(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
