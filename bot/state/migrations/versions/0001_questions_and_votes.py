"""The question log and feedback votes.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("surface", sa.String(16), nullable=False),
        sa.Column("channel_type", sa.String(16)),
        sa.Column("channel", sa.String(64)),
        sa.Column("user_hash", sa.String(64)),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question_id", sa.Integer, sa.ForeignKey("questions.id", ondelete="SET NULL")),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("channel", sa.String(64)),
        sa.Column("user_hash", sa.String(64)),
        sa.Column("helpful", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("votes")
    op.drop_table("questions")
