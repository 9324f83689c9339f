"""Question ids are chosen by the application (random, below 2**52), so an answer has its id before
its log row is written: the row is written behind the answer. PostgreSQL's INTEGER holds only 31
bits, so the id and the votes' reference to it become BIGINT there; SQLite's INTEGER already holds 64.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column("questions", "id", type_=sa.BigInteger(), existing_type=sa.Integer())
    op.alter_column("votes", "question_id", type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    """Fails ("integer out of range") once an id above 2**31 is stored: the ids cannot be narrowed."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column("votes", "question_id", type_=sa.Integer(), existing_type=sa.BigInteger())
    op.alter_column("questions", "id", type_=sa.Integer(), existing_type=sa.BigInteger())
