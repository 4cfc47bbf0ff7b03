"""LiveServer's schema template: a server without a database of its own starts on a copy of one migrated
database, made once per set of migrations, kept where only its user can reach it."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from kempelen.migrations import directory
from kempelen.store.migrate import head_revisions
from kempelen.testing import LiveServer, schema_template


@pytest.fixture
def private(tmp_path, monkeypatch) -> Path:
    """Where this test's templates go: the temporary directory is the test's own."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path / f"kempelen-{os.getuid()}"


def rows(path: Path, query: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(query).fetchall()


def test_servers_without_a_database_start_on_copies_of_one_template(private):
    with LiveServer() as first:
        first.client(first.create_requester()).create_hit_type(
            Title="t", Description="d", Reward="0.10", AssignmentDurationInSeconds=60)
    [template] = private.glob("schema-*.db")
    assert oct(private.stat().st_mode & 0o777) == "0o700"
    made = template.stat().st_mtime_ns
    assert rows(template, "SELECT version_num FROM alembic_version") == [(head,) for head in head_revisions()]
    assert rows(template, "SELECT count(*) FROM requester") == [(0,)]  # each server adds its own
    assert rows(template, "SELECT count(*) FROM hit_type") == [(0,)]  # nothing of the first server's
    with LiveServer() as second:
        assert second.admin("GET", "/_kempelen/health")
        assert rows(second.data_dir / "kempelen.db",
                    "SELECT count(*) FROM requester WHERE access_key_id = 'AKIAKEMPELENDEVELOP1'") == [(1,)]
    assert [p.stat().st_mtime_ns for p in private.glob("schema-*.db")] == [made]  # used, not made again


def test_a_damaged_template_is_made_again(private, tmp_path):
    assert schema_template.copy_to(tmp_path / "first.db", dict(os.environ))
    [template] = private.glob("schema-*.db")
    template.write_bytes(b"not a database" * 100)
    with LiveServer() as server:
        assert server.admin("GET", "/_kempelen/health")
    assert rows(template, "SELECT count(*) FROM alembic_version") == [(1,)]


def test_an_edited_migration_gets_a_template_of_its_own(private, tmp_path):
    env = dict(os.environ)
    assert schema_template.copy_to(tmp_path / "a.db", env)
    edited = tmp_path / "migrations"
    shutil.copytree(directory(), edited, ignore=shutil.ignore_patterns("__pycache__"))
    newest = sorted(edited.glob("versions/*.py"))[-1]
    newest.write_text(newest.read_text() + "\n# edited\n")
    assert schema_template.copy_to(tmp_path / "b.db", {**env, "KEMPELEN_MIGRATIONS_DIR": str(edited)})
    assert len(list(private.glob("schema-*.db"))) == 2


def test_a_directory_that_others_can_write_to_is_not_used(private, tmp_path):
    private.mkdir(mode=0o777)
    private.chmod(0o777)
    (private / "planted").touch()
    assert not schema_template.copy_to(tmp_path / "k.db", dict(os.environ))
    assert not (tmp_path / "k.db").exists()
    with LiveServer() as server:  # migrates its own database instead
        assert rows(server.data_dir / "kempelen.db", "SELECT count(*) FROM alembic_version") == [(1,)]
    assert sorted(p.name for p in private.iterdir()) == ["planted"]
