"""State kept by the surfaces: the question log, feedback votes (and announcements).

SQLite in the data folder by default, PostgreSQL by PARTNERBOT_DATABASE_URL; the schema changes only
through the Alembic migrations in `migrations/`.
"""
