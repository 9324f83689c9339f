"""Who may read which document: the rights of whoever an answer is for.

Retrieval searches only the documents those rights allow (`Assistant.ask(access=…)`), so a hidden
document is never cited, never shapes an answer and is never shown among the nearest sources. The
surfaces work out the rights: Slack from the asker and the channel, the web from a signed link or an
API token.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.model import Document


@dataclass(frozen=True)
class Access:
    """`public` documents are for anyone; `partners` ones for members of the workspace; `internal`
    ones for members who belong to one of the document's `readers` (a user group or a channel)."""

    partner: bool = False
    groups: frozenset[str] = frozenset()
    everything: bool = False  # the operator's command line, which reads the index files anyway

    def allows(self, document: Document) -> bool:
        if self.everything or document.visibility == "public":
            return True
        if not self.partner:
            return False
        return document.visibility == "partners" or bool(self.groups.intersection(document.readers))

    def __and__(self, other: Access) -> Access:
        """What both may see: a channel's answer is for everyone in it."""
        if self.everything:
            return other
        if other.everything:
            return self
        return Access(self.partner and other.partner, self.groups & other.groups)

    def claims(self) -> dict:
        """A compact form for a signed link; `from_claims` reads it back."""
        if self.everything:
            return {"a": 1}
        return {"p": int(self.partner), **({"g": sorted(self.groups)} if self.groups else {})}

    @classmethod
    def from_claims(cls, claims: dict) -> Access:
        if claims.get("a") == 1:
            return EVERYTHING
        groups = claims.get("g") or []
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise ValueError("groups must be a list of ids")
        return cls(claims.get("p") == 1, frozenset(groups))


PUBLIC = Access()
PARTNERS = Access(partner=True)
EVERYTHING = Access(everything=True)
