"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
