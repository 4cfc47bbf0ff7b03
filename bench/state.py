"""Benchmark: reset and snapshot save/restore on a database with 100,000 HITs, SQLite and PostgreSQL.

Load (untimed): the migrations, then one requester's 100,000 HITs (one HIT type) with 10,000 submitted
assignments, and a second requester's 1,000 HITs, bulk-inserted with SQLAlchemy Core.
Timed, in-process through kempelen.operations.state (what the admin routes and `kempelen reset` /
`kempelen snapshot` call), over several rounds: snapshot save; restore after what one test might do (10 HITs
created, 20 HITs and 5 assignments rewritten); reset of the small requester and a restore after it; reset of
every requester, and a restore of the whole database after that.
Baselines measured in the same run, on the same database: SQLite, copying the database file (a checkpoint,
then shutil.copyfile: the least any file-level snapshot costs); PostgreSQL, CREATE DATABASE ... TEMPLATE of
the loaded database (PostgreSQL's own file-level copy; it needs every other connection to the template
closed, which a running server's pool never is, so Kempelen does not use it).
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select, text

from bench import servers, workload
from kempelen import ids
from kempelen.clock import ManualClock
from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, Settings as ServerSettings
from kempelen.operations import state as ops
from kempelen.store import requesters
from kempelen.store.db import Database
from kempelen.store.migrate import upgrade
from kempelen.store.models import HIT, Assignment, HITType, Requester, Worker

BATCH = 5_000


@dataclass
class Settings:
    hits: int = 100_000
    assignments: int = 10_000
    other_hits: int = 1_000
    rounds: int = 3
    databases: tuple[str, ...] = ("sqlite", "postgresql")


def _load(db: Database, settings: Settings, clock: ManualClock, say) -> dict:
    now = clock.now()
    started = time.perf_counter()
    with db.transaction() as session:
        requesters.set_development_requester(session, now, True)
        other = requesters.create(session, now, name="other")
        session.add(Worker(worker_id="ABENCHWORKER0001", token_sha256=uuid.uuid4().hex * 2, created_at=now))
        session.flush()
        other_key = other.access_key_id
        types = {}
        for owner in (DEVELOPMENT_ACCESS_KEY_ID, other_key):
            types[owner] = ids.entity_id()
            session.add(HITType(hit_type_id=types[owner], hit_group_id=ids.entity_id(), requester_id=owner,
                                fingerprint=uuid.uuid4().hex, title=workload.TITLE, description=workload.DESCRIPTION,
                                keywords=workload.KEYWORDS, reward_cents=workload.REWARD_CENTS,
                                assignment_duration=workload.ASSIGNMENT_DURATION,
                                auto_approval_delay=workload.AUTO_APPROVAL_DELAY, created_at=now))
    hit_ids: list[str] = []
    for owner, count in ((DEVELOPMENT_ACCESS_KEY_ID, settings.hits), (other_key, settings.other_hits)):
        done = 0
        while done < count:
            batch = [ids.entity_id() for _ in range(min(BATCH, count - done))]
            rows = [{"hit_id": hit_id, "requester_id": owner, "hit_type_id": types[owner], "creation_time": now,
                     "expiration": now + timedelta(days=7), "max_assignments": workload.MAX_ASSIGNMENTS,
                     "initial_max_assignments": workload.MAX_ASSIGNMENTS, "question": workload.EXTERNAL_QUESTION,
                     "reviewing": False, "assignments_done": 0} for hit_id in batch]
            with db.transaction() as session:
                session.execute(insert(HIT), rows)
            if owner == DEVELOPMENT_ACCESS_KEY_ID:
                hit_ids += batch
            done += len(batch)
        say(f"    {count:,} HITs of {owner} inserted ({time.perf_counter() - started:.1f} s)")
    for start in range(0, settings.assignments, BATCH):
        rows = [{"assignment_id": ids.entity_id(), "hit_id": hit_id, "worker_id": "ABENCHWORKER0001",
                 "status": "Submitted", "accept_time": now, "deadline": now + timedelta(minutes=10),
                 "submit_time": now, "auto_approval_time": now + timedelta(days=30),
                 "answer": "<QuestionFormAnswers/>"}
                for hit_id in hit_ids[start:start + BATCH]]
        with db.transaction() as session:
            session.execute(insert(Assignment), rows)
    with db.transaction(writes=False) as session:
        counts = {"hits": session.scalar(select(func.count()).select_from(HIT)),
                  "assignments": session.scalar(select(func.count()).select_from(Assignment)),
                  "requesters": session.scalar(select(func.count()).select_from(Requester))}
    counts["load_s"] = round(time.perf_counter() - started, 1)
    counts["other_requester"] = other_key
    return counts


def _types(db: Database) -> list[tuple[str, str]]:
    with db.transaction(writes=False) as session:
        return [(row.hit_type_id, row.requester_id) for row in session.scalars(select(HITType))]


def _small_change(db: Database, types: list[tuple[str, str]]) -> None:
    """What one test might do: 10 new HITs, 20 HITs rewritten, 5 assignments approved."""
    type_id, owner = types[0]
    with db.transaction() as session:
        now = datetime.now(timezone.utc)
        session.execute(insert(HIT), [{"hit_id": ids.entity_id(), "requester_id": owner, "hit_type_id": type_id,
                                       "creation_time": now, "expiration": now + timedelta(days=1),
                                       "max_assignments": 1, "initial_max_assignments": 1, "question": "<q/>",
                                       "reviewing": False, "assignments_done": 0} for _ in range(10)])
        session.execute(text("UPDATE hit SET reviewing = TRUE WHERE seq IN (SELECT seq FROM hit ORDER BY seq "
                             "LIMIT 20)"))
        session.execute(text("UPDATE assignment SET status = 'Approved' WHERE seq IN (SELECT seq FROM assignment "
                             "ORDER BY seq LIMIT 5)"))


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _stats(values: list[float]) -> dict:
    return {"median_s": round(statistics.median(values), 3), "min_s": round(min(values), 3),
            "max_s": round(max(values), 3), "rounds": len(values)}


def _hit_count(db: Database) -> int:
    with db.transaction(writes=False) as session:
        return session.scalar(select(func.count()).select_from(HIT))


def run_one(kind: str, settings: Settings, workspace: servers.Workspace, say) -> dict:
    from tests.databases import database_url  # the suite's throwaway databases (SQLite file or PostgreSQL)

    directory = workspace.sub(f"state-{kind}")
    with database_url(kind) as url:
        db = Database(url)
        try:
            upgrade(db)
            clock = ManualClock()
            config = ServerSettings(database_url=url, data_dir=directory)
            say(f"  {kind}: loading {settings.hits:,} HITs")
            loaded = _load(db, settings, clock, say)
            other = loaded.pop("other_requester")
            timings: dict[str, list[float]] = {"save": [], "restore": [], "restore_after_reset_one": [],
                                              "reset_one_requester": [], "reset_all": [],
                                              "restore_after_reset": [], "baseline": []}
            total = settings.hits + settings.other_hits
            for round_number in range(settings.rounds):
                timings["save"].append(_timed(lambda: ops.save_snapshot(db, clock, config, "bench")))
                _small_change(db, types := _types(db))
                timings["restore"].append(_timed(lambda: ops.restore_snapshot(db, clock, config, "bench")))
                assert _hit_count(db) == total
                timings["reset_one_requester"].append(_timed(lambda: ops.reset(db, clock, config, requester=other)))
                assert _hit_count(db) == settings.hits
                timings["restore_after_reset_one"].append(
                    _timed(lambda: ops.restore_snapshot(db, clock, config, "bench")))
                assert _hit_count(db) == total
                timings["reset_all"].append(_timed(lambda: ops.reset(db, clock, config)))
                assert _hit_count(db) == 0
                timings["restore_after_reset"].append(
                    _timed(lambda: ops.restore_snapshot(db, clock, config, "bench")))
                assert _hit_count(db) == settings.hits + settings.other_hits
                timings["baseline"].append(_baseline(kind, db, url, directory))
                say(f"  {kind} round {round_number + 1}: " + ", ".join(
                    f"{name} {values[-1]:.2f} s" for name, values in timings.items()))
            size = _size(kind, db, url)
        finally:
            db.dispose()
    baseline_name = "file copy" if kind == "sqlite" else "CREATE DATABASE TEMPLATE"
    result = {name: _stats(values) for name, values in timings.items()}
    result["baseline"]["what"] = baseline_name
    result["restore"]["ratio_to_baseline"] = round(result["restore"]["median_s"] / result["baseline"]["median_s"], 2)
    return {"loaded": loaded, "database_bytes": size, "timings": result}


def _baseline(kind: str, db: Database, url: str, directory: Path) -> float:
    if kind == "sqlite":
        path = Path(db.engine.url.database)
        db.dispose()  # a checkpoint needs no transaction open on the file
        raw = sqlite3.connect(path)
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
        target = directory / "copy.sqlite3"
        seconds = _timed(lambda: shutil.copyfile(path, target))
        target.unlink()
        return seconds
    import psycopg

    db.dispose()  # TEMPLATE needs the source database without other connections
    base, name = url.rsplit("/", 1)
    copy = f"kempelen_bench_copy_{uuid.uuid4().hex[:8]}"
    from tests.databases import POSTGRES_URL

    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        seconds = _timed(lambda: admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"'))
        admin.execute(f'DROP DATABASE "{copy}"')
    return seconds


def _size(kind: str, db: Database, url: str) -> int:
    if kind == "sqlite":
        path = Path(db.engine.url.database)
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with db.transaction(writes=False) as session:
        return session.scalar(text("SELECT pg_database_size(current_database())"))


def run(settings: Settings, workspace: servers.Workspace, say) -> dict:
    results = {}
    for kind in settings.databases:
        try:
            results[kind] = run_one(kind, settings, workspace, say)
        except BaseException as exc:  # noqa: BLE001 - pytest.skip from the throwaway-database helper
            if type(exc).__name__ == "Skipped":
                say(f"  {kind}: skipped ({exc})")
                continue
            raise
    return {"settings": {"hits": settings.hits, "assignments": settings.assignments,
                         "other_hits": settings.other_hits, "rounds": settings.rounds}, "databases": results}
