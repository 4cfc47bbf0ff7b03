"""Accept-next on SQLite walks a HIT type's HITs in creation order and stops at its limit, however many
open HITs the type has (without statistics SQLite would read every open HIT of the type and sort them)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kempelen import ids
from kempelen.store import assignments as store
from kempelen.store import requesters
from kempelen.store.db import Database
from kempelen.store.models import HIT, HITType
from tests.databases import database_url

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _seed(db: Database, count: int) -> str:
    with db.transaction() as session:
        requester = requesters.create(session, T0)
        session.flush()
        hit_type = HITType(hit_type_id=ids.entity_id(), hit_group_id=ids.entity_id(),
                           requester_id=requester.access_key_id, fingerprint="f", title="t", description="d",
                           reward_cents=10, assignment_duration=60, auto_approval_delay=120,
                           qualification_requirements="[]", created_at=T0)
        session.add(hit_type)
        session.flush()
        for n in range(count):
            session.add(HIT(hit_id=ids.entity_id(), requester_id=requester.access_key_id,
                            hit_type_id=hit_type.hit_type_id, creation_time=T0,
                            expiration=T0 + timedelta(days=1, seconds=count - n), max_assignments=1,
                            initial_max_assignments=1, question="<q/>", reviewing=False, assignments_done=0))
        return hit_type.hit_type_id


def test_accept_next_reads_in_creation_order_without_sorting():
    with database_url("sqlite") as url:
        db = Database(url)
        try:
            hit_type_id = _seed(db, 50)
            with db.transaction(writes=False) as session:
                found = store.assignable_hit_ids(session, "AWORKER0000001", T0, limit=5, hit_type_id=hit_type_id)
                created = list(session.scalars(HIT.__table__.select().with_only_columns(HIT.hit_id)
                                               .where(HIT.hit_type_id == hit_type_id).order_by(HIT.seq)))
                assert found == created[:5]
                prepared, values = store.assignable_ids_query("sqlite", "AWORKER0000001", T0, limit=5,
                                                              hit_type_id=hit_type_id)
                compiled = prepared.compiled(db.engine.dialect)
                driver = session.connection().connection.dbapi_connection
                plan = " | ".join(row[3] for row in driver.execute("EXPLAIN QUERY PLAN " + compiled.sql,
                                                                   compiled.parameters(values)))
            assert "ix_hit_hit_type_id_seq" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
        finally:
            db.dispose()
