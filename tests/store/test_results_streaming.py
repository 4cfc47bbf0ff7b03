"""The results export streams: its peak memory stays flat as the batch grows tenfold (both databases)."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import datetime, timezone

import pytest

from bench.batches import seed_results
from kempelen.config import Settings
from kempelen.operations.context import OperationContext
from kempelen.operations.results import batch_results_csv
from kempelen.store import requesters
from tests.databases import migrated_database

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request):
    with migrated_database(request.param) as db:
        yield db


def _export_peak(db, hits: int) -> tuple[int, int, str]:
    requester_id, batch_id = seed_results(db, hits, 2, now=NOW)
    with db.transaction(writes=False) as session:
        ctx = OperationContext(session=session, requester=requesters.find_active(session, requester_id), now=NOW,
                               request_id="test", settings=Settings())
        rows, first = 0, ""
        tracemalloc.start()
        for text in batch_results_csv(ctx, batch_id, page_size=100):
            first = first or text
            rows += 1
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, rows, first


@pytest.mark.long
def test_export_memory_does_not_grow_with_the_batch(database):
    small_peak, small_rows, header = _export_peak(database, 200)
    large_peak, large_rows, _ = _export_peak(database, 2000)
    assert (small_rows, large_rows) == (401, 4001)  # the header, then one row per assignment
    assert next(csv.reader(io.StringIO(header)))[-4:] == ["Answer.comment", "Answer.label", "Approve", "Reject"]
    # ten times the rows: the peak may wobble, it must not grow with them
    assert large_peak < small_peak * 1.5 + 512 * 1024, (small_peak, large_peak)
