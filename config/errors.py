"""The one error family of partnerbot: every message says what to do next."""

import math


class PartnerbotError(Exception):
    """Base for errors a person can act on; surfaces print the message, not a traceback."""


class ConfigError(PartnerbotError):
    """A setting is missing or invalid."""


class CorpusError(PartnerbotError):
    """A document or corpus folder cannot be read."""


class IndexMissingError(PartnerbotError):
    """Asked a question before any document was ingested."""


class IndexDamaged(PartnerbotError):
    """A file of the index cannot be read: `partnerbot ingest --rebuild` builds it again."""


class QuestionError(PartnerbotError):
    """The question itself is unusable (empty, too long)."""


class RateLimited(PartnerbotError):
    """Too many questions from one person or address in the last minute."""

    def __init__(self, limit: int, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            f"that is more than {limit} question{'s' if limit != 1 else ''} in a minute: "
            f"please wait {self.retry_after} s and ask again"
        )
