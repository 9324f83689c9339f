"""The one error family of partnerbot: every message says what to do next."""


class PartnerbotError(Exception):
    """Base for errors a person can act on; surfaces print the message, not a traceback."""


class ConfigError(PartnerbotError):
    """A setting is missing or invalid."""


class CorpusError(PartnerbotError):
    """A document or corpus folder cannot be read."""


class IndexMissingError(PartnerbotError):
    """Asked a question before any document was ingested."""


class QuestionError(PartnerbotError):
    """The question itself is unusable (empty, too long)."""
