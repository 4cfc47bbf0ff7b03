"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import tempfile

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.store.db import Database
from app.store.migrate import upgrade
from app.store.models import Base
from tests.databases import postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request):
    if request.param == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{tmp}/m.db")
            upgrade(db)
            yield db
            db.dispose()
        return
    admin, name, url = postgres_database()
    db = Database(url)
    try:
        upgrade(db)
        yield db
    finally:
        db.dispose()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_models_and_migrations_agree(migrated):
    with migrated.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
