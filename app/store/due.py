"""Whether the sweeper's scans (assignments.due, hits.to_announce) would find a row, asked in one prepared
SELECT outside any transaction: nearly every sweep finds nothing, and then takes no write lock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, exists, select

from kempelen.domain.hits import AUTO_DISPOSE_AFTER
from kempelen.store import assignments, hits
from kempelen.store.models import UTCDateTime
from kempelen.store.prepared import PreparedRead, rows


def _statement() -> PreparedRead:
    now = bindparam("now", type_=UTCDateTime())
    created_after = bindparam("created_after", type_=UTCDateTime())
    conditions = (*assignments.transitions_due(now), *hits.announcements_due(now, created_after))
    return PreparedRead(select(*(exists().where(condition).label(f"due{index}")
                                 for index, condition in enumerate(conditions))), "Due")


_ANYTHING_DUE = _statement()


def anything_due(unit, now: datetime) -> bool:
    """`unit`: a read (kempelen.store.db.LazyRead) not yet opened, so the SELECT runs outside a transaction."""
    found = rows(unit, _ANYTHING_DUE, {"now": now, "created_after": now - AUTO_DISPOSE_AFTER})
    return any(found[0])
