"""State kept by the surfaces: the question log, feedback votes (and announcements).

SQLite in the data folder by default, PostgreSQL by PARTNERBOT_DATABASE_URL; the schema changes only
through the Alembic migrations in `migrations/`.
"""


def record_number(text: object) -> int | None:
    """A record's number as a person or a payload wrote it, or None: ASCII digits only ("²" is a
    digit to `str.isdigit`, not to `int`), and short enough for the database's integer."""
    value = str(text).strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None
