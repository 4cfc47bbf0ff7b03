"""Alembic migrations, applied on start and by `kempelen db upgrade`."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from kempelen.store.db import Database

# Several replicas may start together on one PostgreSQL database: the first migrates, the rest wait.
_PG_MIGRATION_LOCK = 7_517_373_640_501


def migrations_dir() -> Path:
    """The migrations/ directory, installed inside the package as kempelen.migrations (see setup.py)."""
    configured = os.environ.get("KEMPELEN_MIGRATIONS_DIR")
    if configured:
        return Path(configured)
    import kempelen.migrations

    return Path(kempelen.migrations.__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    with db.engine.connect() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            connection.commit()
        try:
            config = alembic_config(db.url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
        finally:
            if db.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                connection.commit()


_HEAD: list[str] = []


def schema_versions(db: Database) -> tuple[str | None, str]:
    """(the revision the database is at, the head this code's migrations reach); raises if unreachable."""
    if not _HEAD:
        from alembic.script import ScriptDirectory

        _HEAD.append(ScriptDirectory.from_config(alembic_config(db.url)).get_current_head())
    with db.engine.connect() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return current, _HEAD[0]
