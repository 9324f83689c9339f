"""Alembic environment: the URL comes from partnerbot's settings, passed in by Database.migrate()."""

from alembic import context
from sqlalchemy import create_engine

from bot.state.models import Base

url = context.config.attributes["connection_url"]
engine = create_engine(url, connect_args=context.config.attributes.get("connect_args", {}))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
