"""Alembic migrations, applied on start and by `kempelen db upgrade`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

from kempelen.store.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

# Several replicas may start together on one PostgreSQL database: the first migrates, the rest wait.
_PG_MIGRATION_LOCK = 7_517_373_640_501


def migrations_dir() -> Path:
    """The migrations/ directory, installed inside the package as kempelen.migrations (see setup.py)."""
    from kempelen.migrations import directory

    return directory()


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*(.+)$", re.MULTILINE)


def head_revisions() -> set[str]:
    """The migrations' heads, read from the scripts' `revision` / `down_revision` lines (what Alembic
    would find, without importing it and every script)."""
    revisions, parents = set(), set()
    for script in migrations_dir().glob("versions/*.py"):
        source = script.read_text()
        found, down = _REVISION.search(source), _DOWN.search(source)
        if found:
            revisions.add(found[1])
        if down:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down[1]))
    return revisions - parents


def at_head(db: Database) -> bool:
    """Whether the database is already at the single head: then a start has nothing to migrate."""
    heads = head_revisions()
    if len(heads) != 1:
        return False
    try:
        with db.engine.connect() as connection:
            stamped = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    except Exception:  # noqa: BLE001 - no version table yet (a fresh database): migrate
        return False
    return stamped == heads


def upgrade(db: Database, revision: str = "head") -> None:
    # Alembic (its import and its reading of every script) is most of a start on a current database.
    if revision == "head" and at_head(db):
        return
    from alembic import command

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
