"""The report's figures, read from the question log and the votes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.report.gaps import Gap, group
from bot.services import Services
from retrieval.access import PARTNERS, Access


@dataclass
class Report:
    since: datetime
    until: datetime
    questions: int = 0
    answered: int = 0
    by_surface: dict[str, int] = field(default_factory=dict)
    helpful: int = 0
    unhelpful: int = 0
    top_documents: list[tuple[str, str, int]] = field(default_factory=list)  # doc id, title, citations
    gaps: list[Gap] = field(default_factory=list)
    handoffs: list[str] = field(default_factory=list)  # questions passed to the front door ("Ask a person")

    @property
    def handed_off(self) -> int:
        return len(self.handoffs)

    @property
    def share_answered(self) -> float:
        return self.answered / self.questions if self.questions else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "questions": self.questions,
            "answered": self.answered,
            "share_answered": round(self.share_answered, 3),
            "by_surface": self.by_surface,
            "votes": {"helpful": self.helpful, "unhelpful": self.unhelpful},
            "top_documents": [{"doc_id": d, "title": t, "citations": n} for d, t, n in self.top_documents],
            "gaps": [{"count": g.count, "questions": g.questions} for g in self.gaps],
            "handed_off": self.handed_off,
            "handoffs": self.handoffs,
        }


def build_report(services: Services, since: datetime, top: int = 5, access: Access = PARTNERS) -> Report:
    """`access`: who reads it. A document it may not see is not named among the most cited: the
    digest goes to the communications group, who are partners, not the readers of every document."""
    until = datetime.now(UTC)
    rows = services.questions_since(since)
    votes = services.votes_since(since)
    report = Report(since=since, until=until, questions=len(rows))
    report.answered = sum(1 for r in rows if r.answered)
    report.by_surface = dict(Counter(r.surface for r in rows).most_common())
    report.helpful = sum(1 for v in votes if v)
    report.unhelpful = len(votes) - report.helpful
    cited = Counter(doc_id for r in rows if r.answered for doc_id in dict.fromkeys(r.sources))
    for doc_id, count in cited.most_common():
        found = services.index.document(doc_id)
        if found and access.allows(found[0]):
            report.top_documents.append((doc_id, found[0].title, count))
            if len(report.top_documents) == top:
                break
    report.gaps = group([r.question for r in rows if not r.answered], services.assistant.embedder)
    report.handoffs = [r.question for r in services.handoffs_since(since)]  # whenever they were asked
    return report
