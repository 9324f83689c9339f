"""Documents the communications group adds from Slack, the CLI and the API, and the audit log's
column naming the document an action was about.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "library_documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(128), nullable=False, unique=True),
        sa.Column("doc_id", sa.String(100), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("url", sa.String(2000)),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("author", sa.String(200)),
        sa.Column("organisation", sa.String(200)),
        sa.Column("published", sa.String(10)),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("readers", sa.JSON, nullable=False),
        sa.Column("passages", sa.Integer, nullable=False),
        sa.Column("first_lines", sa.Text, nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True)),
        sa.Column("checked_at", sa.DateTime(timezone=True)),
        sa.Column("problem", sa.String(500)),
        sa.Column("gone_at", sa.DateTime(timezone=True)),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.Column("removed_by", sa.String(200)),
    )
    with op.batch_alter_table("announce_audit") as batch:  # SQLite cannot alter a table in place
        batch.add_column(sa.Column("document", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("announce_audit") as batch:
        batch.drop_column("document")
    op.drop_table("library_documents")
