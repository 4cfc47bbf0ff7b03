"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from kempelen.store.models import Base
from tests.databases import migrated_database


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request):
    with migrated_database(request.param) as database:
        yield database


def test_models_and_migrations_agree(migrated):
    with migrated.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_the_layout_index_holds_only_hits_made_from_a_layout(migrated):
    """Migration 0013's predicate, which the model leaves out and Alembic's comparison does not see."""
    if migrated.dialect == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE name = 'ix_hit_hit_layout_id_seq'"
    else:
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_hit_hit_layout_id_seq'"
    with migrated.engine.connect() as connection:
        [definition] = connection.execute(text(query)).scalars()
    assert "WHERE" in definition and "hit_layout_id IS NOT NULL" in definition, definition
