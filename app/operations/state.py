"""State controls for tests and CI: reset, snapshot save and restore (the SQL is kempelen.store.state's).

Besides the rows, a snapshot keeps what lives in the process and shapes what happens next: the manual
clock's time (restored when the server runs on a manual clock) and where the seeded id generators stand
(`kempelen serve --seed`), so restoring and rerunning makes the same ids again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kempelen import errors, ids
from kempelen.clock import Clock, ManualClock, wall_time
from kempelen.config import Settings
from kempelen.store import requesters
from kempelen.store import state as store
from kempelen.store.db import Database
from kempelen.store.models import Requester


def snapshot_dir(settings: Settings) -> Path:
    return settings.data_dir / "snapshots"


def reset(db: Database, clock: Clock, settings: Settings, *, requester: str | None = None,
          everything: bool = False) -> dict[str, int]:
    """Empty the activity of every requester (or of `requester`); accounts too with `everything` (the
    development requester then comes back, if enabled). Rows deleted, per table."""
    if requester is not None and everything:
        raise errors.WorkerError(400, "InvalidParameterCombination",
                                 "everything empties every account; it cannot be combined with requester.")
    if requester is None and db.dialect == "sqlite":
        deleted = store.empty_sqlite(db, everything=everything)
    else:
        with db.transaction() as session:
            if requester is not None and session.get(Requester, requester) is None:
                raise errors.requester_does_not_exist(requester)
            deleted = store.reset(session, requester=requester, everything=everything)
    if everything:
        with db.transaction() as session:
            requesters.set_development_requester(session, clock.now(), settings.development_credentials)
    if requester is None:  # the tables these ids live in are empty: a rerun may make the same ids again
        ids.restart_generators(None if everything else set(ids.ACTIVITY_KINDS))
    return deleted


def save_snapshot(db: Database, clock: Clock, settings: Settings, name: str) -> dict:
    meta = {"created": wall_time().isoformat(), "clock": clock.now().isoformat() if clock.mode == "manual" else None,
            "ids": ids.generator_state()}
    try:
        saved = store.save(db, snapshot_dir(settings), name, meta)
    except ValueError as exc:
        raise errors.snapshot_refused(str(exc)) from None
    return _view(saved)


def restore_snapshot(db: Database, clock: Clock, settings: Settings, name: str) -> dict:
    try:
        restored = store.restore(db, snapshot_dir(settings), name)
    except store.SnapshotNotFound:
        raise errors.snapshot_does_not_exist(name) from None
    except ValueError as exc:
        raise errors.snapshot_refused(str(exc)) from None
    if restored.meta.get("clock") and isinstance(clock, ManualClock):
        clock.set(datetime.fromisoformat(restored.meta["clock"]))
    ids.restore_generator_state(restored.meta.get("ids"))
    return _view(restored)


def list_snapshots(db: Database, settings: Settings) -> list[dict]:
    return [_view(snapshot) for snapshot in store.list_snapshots(db, snapshot_dir(settings))]


def delete_snapshot(db: Database, settings: Settings, name: str) -> None:
    try:
        found = store.delete_snapshot(db, snapshot_dir(settings), name)
    except ValueError as exc:
        raise errors.snapshot_refused(str(exc)) from None
    if not found:
        raise errors.snapshot_does_not_exist(name)


def _view(snapshot: store.Snapshot) -> dict:
    return {"Name": snapshot.name, "Created": snapshot.meta.get("created"), "Clock": snapshot.meta.get("clock"),
            "SchemaRevision": snapshot.meta.get("schema"), "SeededIds": snapshot.meta.get("ids") is not None}


def hit_facts(db: Database, hit_id: str) -> dict:
    """What a simulated crowd may key answers on beyond a worker's view: the HIT's RequesterAnnotation."""
    from kempelen.store import hits as hit_store

    with db.transaction(writes=False) as session:
        found = hit_store.get_hit_any_requester(session, hit_id)
        if found is None:
            raise errors.worker_hit_does_not_exist(hit_id)
        hit, hit_type = found
        return {"HITId": hit.hit_id, "HITTypeId": hit.hit_type_id, "RequesterId": hit.requester_id,
                "RequesterAnnotation": hit.requester_annotation}
