"""Alembic environment: runs on the connection Kempelen hands it, or on the configured URL."""

from alembic import context
from sqlalchemy import create_engine

from kempelen.store.models import Base

config = context.config
target_metadata = Base.metadata


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = config.get_main_option("sqlalchemy.url").replace("postgresql://", "postgresql+psycopg://", 1)
    with create_engine(url).connect() as conn:
        run(conn)
