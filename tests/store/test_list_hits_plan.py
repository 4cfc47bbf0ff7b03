"""A ListHITs page on SQLite is an index range on (requester_id, seq) that stops at its limit: no sort, and
no scan of the requester's earlier HITs, however deep the page (bench/listing.py times it at a million)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kempelen.store import hits as store
from kempelen.store.db import Database
from kempelen.store.migrate import upgrade
from tests.databases import database_url

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("after", [None, 1000])
def test_a_page_searches_the_requester_seq_index_without_sorting(after):
    with database_url("sqlite") as url:
        db = Database(url)
        try:
            upgrade(db)
            prepared, values = store.page_query("AKIAEXAMPLE", NOW, after=after, limit=10)
            compiled = prepared.compiled(db.engine.dialect)
            with db.engine.connect() as connection:
                plan = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.sql,
                                                                      compiled.parameters(values))]
        finally:
            db.dispose()
    searched = "SEARCH hit USING INDEX ix_hit_requester_id_seq (requester_id=?"
    assert plan[0].startswith(searched + (" AND seq>?)" if after else ")")), plan
    assert not any("TEMP B-TREE" in step or step.startswith("SCAN") for step in plan), plan
