"""A write unit is one transaction whether or not a Session joins it (kempelen.store.db.WriteUnit)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kempelen.store.db import Database


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/kempelen.db")
    with database.writing() as unit:
        unit.driver().execute("CREATE TABLE note (id INTEGER PRIMARY KEY, source TEXT)")
    yield database
    database.dispose()


def _sources(db: Database) -> list[str]:
    with db.transaction(writes=False) as session:
        return [row[0] for row in session.execute(text("SELECT source FROM note ORDER BY id"))]


@pytest.mark.parametrize("wait", [True, False])
def test_the_driver_and_a_session_joining_later_commit_together(db, wait):
    with db.writing(wait=wait) as unit:
        unit.driver().execute("INSERT INTO note (source) VALUES ('driver')")
        unit.execute(text("INSERT INTO note (source) VALUES ('session')"))  # opens the Session
        unit.driver().execute("INSERT INTO note (source) VALUES ('driver again')")
    assert _sources(db) == ["driver", "session", "driver again"]
    with db.writing(wait=wait) as unit:  # the next unit on the same kept connection begins afresh
        unit.driver().execute("INSERT INTO note (source) VALUES ('next')")
    assert _sources(db)[-1] == "next"


@pytest.mark.parametrize("open_session", [False, True])
def test_an_error_rolls_back_the_whole_unit(db, open_session):
    with pytest.raises(RuntimeError), db.writing(wait=False) as unit:
        unit.driver().execute("INSERT INTO note (source) VALUES ('driver')")
        if open_session:
            unit.execute(text("INSERT INTO note (source) VALUES ('session')"))
        raise RuntimeError("the operation failed")
    assert _sources(db) == []
    with db.writing(wait=False) as unit:  # and the connection is fit for the next unit
        unit.driver().execute("INSERT INTO note (source) VALUES ('after')")
    assert _sources(db) == ["after"]
