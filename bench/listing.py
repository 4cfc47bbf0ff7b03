"""Benchmark 2: ListHITs page time (and GetHIT) at 1,000 and at 1,000,000 HITs.

For each size: `kempelen db upgrade` builds a fresh SQLite database (so the tables and indexes are exactly the
migrations'), the HIT type and the HITs are bulk-inserted for the development requester with the INSERT that
SQLAlchemy compiles for the real `hit` table (values put through the columns' own bind processors, so they
are stored as the server stores them), then `kempelen serve` is started on it and pages are timed one request
at a time: the first page, pages in the middle and pages deep in the listing. Deep pages are reached with the
server's own cursor format (kempelen.store.pagination.encode("ListHITs", seq)), not by walking NextToken.
"""

from __future__ import annotations

import base64
import os
import random
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.dialects import sqlite as sqlite_dialect

from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID
from kempelen.store import pagination
from kempelen.store.models import HIT, HITType
from bench import loadgen, servers, signing, workload

PAGE_GOAL = 1.5  # page time at 1M within 1.5x of the page time at 1k
BATCH = 50_000


@dataclass
class Settings:
    sizes: tuple[int, ...] = (1_000, 1_000_000)
    page_size: int = 10
    warmup: float = 1.0
    duration: float = 8.0
    max_requests: int = 1000
    rounds: int = 4
    positions: int = 20          # distinct cursors per deep/middle case
    cases: tuple[str, ...] = field(default=("first", "middle", "deep", "GetHIT"))


def _hit_id() -> str:
    # MTurk's shape (app/ids.py): "3" + 29 of [0-9A-Z]; base32 draws from a subset, random like the real ones
    return "3" + base64.b32encode(os.urandom(20)).decode()[:29]


def bulk_load(database_path: Path, count: int, say) -> dict:
    """Inserts one HIT type and `count` HITs (all live, Assignable) for the development requester."""
    dialect = sqlite_dialect.dialect()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    hit_type_id = _hit_id()
    hit_type = {"hit_type_id": hit_type_id, "hit_group_id": _hit_id(), "requester_id": DEVELOPMENT_ACCESS_KEY_ID,
                "fingerprint": os.urandom(32).hex(), "title": workload.TITLE, "description": workload.DESCRIPTION,
                "keywords": workload.KEYWORDS, "reward_cents": workload.REWARD_CENTS,
                "assignment_duration": workload.ASSIGNMENT_DURATION,
                "auto_approval_delay": workload.AUTO_APPROVAL_DELAY, "qualification_requirements": "[]",
                "created_at": now - timedelta(hours=1)}
    hit_constant = {"requester_id": DEVELOPMENT_ACCESS_KEY_ID, "hit_type_id": hit_type_id,
                    "creation_time": now - timedelta(minutes=30), "expiration": now + timedelta(days=7),
                    "max_assignments": workload.MAX_ASSIGNMENTS, "initial_max_assignments": workload.MAX_ASSIGNMENTS,
                    "question": workload.EXTERNAL_QUESTION, "reviewing": False, "assignments_done": 0}

    def statement(table, values: dict, leading: tuple[str, ...] = ()) -> tuple[str, tuple]:
        # Columns the models give a Python default are compiled into the INSERT too: pass those defaults,
        # so the loader keeps up with new columns instead of failing on a short row.
        values = {**{c.name: c.default.arg for c in table.c
                     if c.default is not None and c.default.is_scalar and c.name not in values
                     and c.name not in leading}, **values}
        # the compiled INSERT lists columns in the table's order, so the values follow that order too
        columns = [c.name for c in table.c if c.name in values or c.name in leading]
        if columns[:len(leading)] != list(leading):
            raise RuntimeError(f"leading columns {leading} must come first in {table.name}")
        sql = str(insert(table).compile(dialect=dialect, column_keys=columns))
        processed = []
        for name in columns[len(leading):]:
            processor = table.c[name].type.bind_processor(dialect)
            processed.append(processor(values[name]) if processor else values[name])
        return sql, tuple(processed)

    type_sql, type_values = statement(HITType.__table__, hit_type)
    hit_sql, hit_values = statement(HIT.__table__, hit_constant, leading=("hit_id",))

    started, cpu_started = time.perf_counter(), time.process_time()
    connection = sqlite3.connect(database_path, isolation_level=None)
    try:
        # the server leaves the database in WAL mode; a bulk load may go without a journal, then WAL again
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-262144")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("BEGIN")
        connection.execute(type_sql, type_values)
        connection.execute("COMMIT")
        # The migrations' secondary indexes on hit are dropped and built again after the load (one sorted
        # build each instead of a million random inserts); the unique hit_id index stays, checking every row.
        indexes = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hit' "
                                     "AND sql IS NOT NULL").fetchall()
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        done = 0
        while done < count:  # bounded: count / BATCH batches
            batch = min(BATCH, count - done)
            connection.execute("BEGIN")
            connection.executemany(hit_sql, [(_hit_id(), *hit_values) for _ in range(batch)])
            connection.execute("COMMIT")
            done += batch
            if count >= 10 * BATCH and done % (10 * BATCH) == 0:
                say(f"    {done:,} HITs inserted ({time.perf_counter() - started:.1f} s)")
        for _, sql in indexes:
            connection.execute(sql)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        first, last, total = connection.execute("SELECT min(seq), max(seq), count(*) FROM hit").fetchone()
        connection.execute("PRAGMA synchronous=FULL")
        mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    finally:
        connection.close()
    if total != count or mode.lower() != "wal":
        raise RuntimeError(f"bulk load: {total} HITs (wanted {count}), journal mode {mode}")
    size = sum(p.stat().st_size for p in database_path.parent.glob(database_path.name + "*"))
    return {"hits": total, "first_seq": first, "last_seq": last, "insert_s": round(seconds, 2),
            "insert_cpu_s": round(cpu_seconds, 2), "load_average": round(os.getloadavg()[0], 2),
            "rows_per_s": round(count / seconds), "database_bytes": size}


def _sample_hit_ids(database_path: Path, first: int, last: int, how_many: int) -> list[str]:
    chosen = random.Random(7).sample(range(first, last + 1), min(how_many, last - first + 1))
    connection = sqlite3.connect(database_path)
    try:
        marks = ",".join("?" * len(chosen))
        return [row[0] for row in connection.execute(f"SELECT hit_id FROM hit WHERE seq IN ({marks})", chosen)]
    finally:
        connection.close()


def query_plan(database_url: str, after: int | None, page_size: int) -> dict:
    """The SQL that ListHITs sends for one page (kempelen.store.hits.page_query, compiled for SQLite as the
    server compiles it), and SQLite's plan for it (diagnostics)."""
    from sqlalchemy import create_engine

    from kempelen.store import hits as store

    engine = create_engine(database_url)
    try:
        prepared, values = store.page_query(DEVELOPMENT_ACCESS_KEY_ID, datetime.now(timezone.utc), after=after,
                                            limit=page_size)
        compiled = prepared.compiled(engine.dialect)
        with engine.connect() as connection:
            plan = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.sql,
                                                                  compiled.parameters(values))]
        return {"sql": " ".join(compiled.sql.split()), "plan": plan}
    except Exception as exc:  # noqa: BLE001 - a diagnostic only; the timings stand without it
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        engine.dispose()


def _cases(settings: Settings, loaded: dict, hit_ids: list[str]) -> dict[str, tuple[str, list[dict]]]:
    first, last = loaded["first_seq"], loaded["last_seq"]
    span = last - first + 1
    step = settings.page_size

    def cursors(low: int, high: int) -> list[dict]:
        # `after` keys spread over [low, high], each leaving a full page behind it
        high = min(high, last - step)
        low = max(first - 1, min(low, high))
        count = max(1, min(settings.positions, high - low + 1))
        keys = sorted({low + (high - low) * i // max(1, count - 1) for i in range(count)})
        return [{"MaxResults": step, "NextToken": pagination.encode("ListHITs", key)} for key in keys]

    cases = {
        "first": ("ListHITs", [{"MaxResults": step}]),
        "middle": ("ListHITs", cursors(first + span // 2 - span // 20, first + span // 2 + span // 20)),
        "deep": ("ListHITs", cursors(last - span // 10, last - step)),
        "GetHIT": ("GetHIT", [{"HITId": hit_id} for hit_id in hit_ids]),
    }
    return {name: cases[name] for name in settings.cases}


def _stats(latencies_ms: list[float]) -> dict:
    if not latencies_ms:
        return {"requests": 0, "p50_ms": None, "p90_ms": None, "p99_ms": None, "mean_ms": None}
    ordered = sorted(latencies_ms)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))]

    return {"requests": len(ordered), "p50_ms": round(statistics.median(ordered), 3), "p90_ms": round(at(90), 3),
            "p99_ms": round(at(99), 3), "mean_ms": round(statistics.fmean(ordered), 3)}


def _prepare(count: int, settings: Settings, workspace: servers.Workspace, say) -> dict:
    directory = workspace.sub(f"listing-{count}")
    database_path = directory / "kempelen.db"
    database_url = f"sqlite:///{database_path}"
    say(f"{count:,} HITs: migrating (kempelen db upgrade), then bulk-inserting")
    servers.migrate(database_url, directory)
    loaded = bulk_load(database_path, count, say)
    say(f"  inserted {loaded['hits']:,} HITs in {loaded['insert_s']} s ({loaded['rows_per_s']:,}/s), "
        f"database {loaded['database_bytes'] / 1e6:.0f} MB")
    hit_ids = _sample_hit_ids(database_path, loaded["first_seq"], loaded["last_seq"], settings.positions)
    plan = query_plan(database_url, loaded["last_seq"] - 10 * settings.page_size, settings.page_size)
    say(f"  ListHITs plan: {' / '.join(plan.get('plan', [])) or plan.get('error')}")
    return {"count": count, "directory": directory, "database_url": database_url, "load": loaded,
            "hit_ids": hit_ids, "plan": plan}


def _check(server: servers.ChildServer, prepared: dict, page_size: int) -> None:
    """One real walk of two pages and one GetHIT: the server reads the loaded rows as its own."""
    mturk = workload.client(server.endpoint)
    page = mturk.list_hits(MaxResults=page_size)
    following = mturk.list_hits(MaxResults=page_size, NextToken=page["NextToken"])
    if page["NumResults"] != page_size or following["NumResults"] != page_size:
        raise RuntimeError(f"the server lists {page['NumResults']}, {following['NumResults']} HITs")
    if mturk.get_hit(HITId=prepared["hit_ids"][0])["HIT"]["HITStatus"] != "Assignable":
        raise RuntimeError("a loaded HIT is not Assignable")


def run(settings: Settings, workspace: servers.Workspace, say) -> dict:
    """All sizes are served at once and measured in interleaved rounds (round -> case -> size), so a slow
    moment of the machine falls on every size alike and the ratios compare like with like."""
    prepared = [_prepare(count, settings, workspace, say) for count in settings.sizes]
    running: dict[int, servers.ChildServer] = {}
    samples: dict[tuple[int, str], list[float]] = {}
    per_round: dict[tuple[int, str], list[float | None]] = {}
    errors: dict[tuple[int, str], int] = {}
    first_errors: dict[tuple[int, str], str] = {}
    cases: dict[int, dict] = {}
    try:
        for item in prepared:
            server = servers.kempelen(item["database_url"], item["directory"], item["directory"])
            running[item["count"]] = server.start()
            _check(server, item, settings.page_size)
            cases[item["count"]] = _cases(settings, item["load"], item["hit_ids"])
        share = settings.duration / settings.rounds
        say(f"  {settings.rounds} interleaved rounds of {share:.1f} s (or {settings.max_requests // settings.rounds} "
            f"requests) per case and size, one request at a time")
        for round_number in range(settings.rounds):
            for case in settings.cases:
                for item in prepared:
                    count, server = item["count"], running[item["count"]]
                    operation, parameters = cases[count][case]
                    calls = signing.pool(server.endpoint, operation, parameters, max(len(parameters), 1))
                    raw = [call.raw(server.host_header) for call in calls]
                    result = loadgen.run_load(
                        servers.HOST, server.port, raw, concurrency=1,
                        warmup=settings.warmup if round_number == 0 else settings.warmup / 4, duration=share,
                        max_requests=max(1, settings.max_requests // settings.rounds), label=f"{case} @ {count}")
                    key = (count, case)
                    samples.setdefault(key, []).extend(result.latencies_ms)
                    per_round.setdefault(key, []).append(None if result.p50 is None else round(result.p50, 3))
                    errors[key] = errors.get(key, 0) + result.errors
                    if result.first_error and key not in first_errors:
                        first_errors[key] = result.first_error
            say(f"  round {round_number + 1}: " + ", ".join(
                f"{case} " + "/".join(f"{per_round[(item['count'], case)][-1]:.2f}" for item in prepared)
                for case in settings.cases) + " ms (p50 per size)")
    finally:
        for server in running.values():
            server.stop()
        if not workspace.keep:
            for item in prepared:
                if item["count"] >= 100_000:
                    for path in item["directory"].glob("kempelen.db*"):
                        path.unlink()

    sizes = {}
    for item in prepared:
        count = item["count"]
        sizes[str(count)] = {"load": item["load"], "list_hits_query": item["plan"], "cases": {
            case: {**_stats(samples.get((count, case), [])), "operation": cases[count][case][0],
                   "distinct_requests": len(cases[count][case][1]), "errors": errors.get((count, case), 0),
                   "first_error": first_errors.get((count, case)), "p50_per_round_ms": per_round.get((count, case))}
            for case in settings.cases}}
    ratios = {}
    if len(settings.sizes) >= 2:
        small, large = str(min(settings.sizes)), str(max(settings.sizes))
        for case in settings.cases:
            low, high = sizes[small]["cases"][case], sizes[large]["cases"][case]
            if low.get("p50_ms") and high.get("p50_ms"):
                ratio = high["p50_ms"] / low["p50_ms"]
                ratios[case] = {"small": int(small), "large": int(large), "ratio": ratio,
                                "goal": {"ratio_at_most": PAGE_GOAL, "met": ratio <= PAGE_GOAL}}
    return {"settings": {"sizes": list(settings.sizes), "page_size": settings.page_size, "concurrency": 1,
                         "warmup_s": settings.warmup, "duration_s": settings.duration, "rounds": settings.rounds,
                         "max_requests": settings.max_requests, "positions": settings.positions},
            "sizes": sizes, "ratios": ratios}
