"""API tokens get scopes (`ask`: the questions API; `announce`: the announcements API) and, for
`ask`, the user groups or channels whose internal documents they read. Tokens made before were
announcements tokens, so they keep that scope alone.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:  # SQLite cannot alter a table in place
        batch.add_column(sa.Column("scopes", sa.String(64), nullable=False, server_default="announce"))
        batch.add_column(sa.Column("groups", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("groups")
        batch.drop_column("scopes")
