"""Whole-database state for tests and CI: empty it (reset), or save it and go back to it (snapshots).

Reset deletes activity (HITs, HIT types, assignments, qualifications, bonuses, messages, events and what hangs
off them) in one transaction, children before parents. Accounts (requesters' access keys, workers, money put
into ledger accounts) stay unless `everything` is asked for. A reset of one requester follows that requester's
rows through the relations listed in REQUESTER_SCOPE.

Snapshots are copies of every table but Alembic's, taken consistently and restored in one go:
- SQLite: SQLite's online backup API, file to file (page copies, no SQL per row), while this process's
  writers are held off; other processes wait on SQLite's own lock.
- PostgreSQL: a schema per snapshot (``kempelen_snapshot_<name>``) filled with ``CREATE UNLOGGED TABLE ...
  AS SELECT`` in one REPEATABLE READ transaction; a restore truncates the live tables and copies the rows
  back with ``INSERT ... SELECT`` in one transaction, then moves each sequence past its table's rows.
  Everything stays inside the server (no rows over the wire) and other connections are never cut off,
  which ``CREATE DATABASE ... TEMPLATE`` would need (bench/state.py measures both).
A snapshot records the schema revision; restoring one made at another revision is refused.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table, delete, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kempelen.store import models
from kempelen.store.db import Database

#: kept by a reset unless everything goes (a requester's funds are part of its account, not its activity)
ACCOUNT_TABLES = frozenset({"requester", "worker", "ledger_entry",
                            # the websites' sign-in state and a requester's people and keys go with the accounts
                            "web_session", "sign_in_link", "worker_invite", "sign_in_throttle",
                            "requester_access_key", "requester_invite", "requester_member"})
SNAPSHOT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
PG_SCHEMA_PREFIX = "kempelen_snapshot_"
META_TABLE = "kempelen_snapshot_meta"
_T = models.Base.metadata.tables


def _hits_of(key: str):
    return select(models.HIT.hit_id).where(models.HIT.requester_id == key)


def _hit_types_of(key: str):
    return select(models.HITType.hit_type_id).where(models.HITType.requester_id == key)


def _qualification_types_of(key: str):
    return select(models.QualificationType.qualification_type_id).where(
        models.QualificationType.requester_id == key)


def _assignments_of(key: str):
    return select(models.Assignment.assignment_id).where(models.Assignment.hit_id.in_(_hits_of(key)))


def _events_of(key: str):
    return select(models.Event.seq).where(models.Event.requester_id == key)


#: table -> the condition choosing one requester's rows (a test checks every activity table is listed here)
REQUESTER_SCOPE = {
    # projects (HIT layouts) and their batches are a requester's work too, as its HIT types are
    "batch_row": lambda key: models.BatchRow.batch_id.in_(
        select(models.Batch.batch_id).where(models.Batch.requester_id == key)),
    "batch": lambda key: models.Batch.requester_id == key,
    "project": lambda key: models.Project.requester_id == key,
    "review_policy_result": lambda key: models.ReviewPolicyResult.hit_id.in_(_hits_of(key)),
    "review_policy_action": lambda key: models.ReviewPolicyAction.hit_id.in_(_hits_of(key)),
    "file_upload": lambda key: models.FileUpload.assignment_id.in_(_assignments_of(key)),
    "notification_delivery": lambda key: (models.NotificationDelivery.hit_type_id.in_(_hit_types_of(key))
                                          | models.NotificationDelivery.event_seq.in_(_events_of(key))),
    "event": lambda key: models.Event.requester_id == key,
    "notification_setting": lambda key: models.NotificationSetting.hit_type_id.in_(_hit_types_of(key)),
    "bonus_payment": lambda key: models.BonusPayment.requester_id == key,
    "worker_message": lambda key: models.WorkerMessage.requester_id == key,
    "worker_block": lambda key: models.WorkerBlock.requester_id == key,
    "qualification_request": lambda key: models.QualificationRequest.qualification_type_id.in_(
        _qualification_types_of(key)),
    "qualification": lambda key: models.Qualification.qualification_type_id.in_(_qualification_types_of(key)),
    "request_token": lambda key: models.RequestToken.requester_id == key,
    "assignment": lambda key: models.Assignment.hit_id.in_(_hits_of(key)),
    "qualification_type": lambda key: models.QualificationType.requester_id == key,
    "hit": lambda key: models.HIT.requester_id == key,
    "hit_type": lambda key: models.HITType.requester_id == key,
}


def tables() -> list[Table]:
    """Every table the application owns, parents before children."""
    return list(models.Base.metadata.sorted_tables)


def reset(session: Session, *, requester: str | None = None, everything: bool = False) -> dict[str, int]:
    """Delete activity (of one requester, or of all), and accounts too with `everything`; rows deleted per
    table. Children go first, so foreign keys hold at every statement."""
    if requester is None and session.get_bind().dialect.name == "postgresql":
        return _pg_truncate(session, [t for t in tables() if everything or t.name not in ACCOUNT_TABLES])
    deleted = {}
    for table in reversed(tables()):
        if requester is not None:
            scope = REQUESTER_SCOPE.get(table.name)
            if scope is None:
                continue
            statement = delete(table).where(scope(requester))
        elif everything or table.name not in ACCOUNT_TABLES:
            statement = delete(table)
        else:
            continue
        count = session.execute(statement.execution_options(synchronize_session=False)).rowcount
        if count:
            deleted[table.name] = count
    return deleted


def empty_sqlite(db: Database, *, everything: bool = False) -> dict[str, int]:
    """SQLite empties whole tables fast only with foreign keys off (a DELETE without WHERE then drops pages
    instead of checking every row's children): one transaction on a connection of its own, this process's
    writers held off. Every table a child could point into is emptied with it, so nothing is left dangling."""
    emptied = [t for t in reversed(tables()) if everything or t.name not in ACCOUNT_TABLES]
    with db.writers_held():
        connection = sqlite3.connect(_sqlite_path(db), timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA foreign_keys=OFF")
            connection.execute("BEGIN IMMEDIATE")
            deleted = {}
            for table in emptied:
                count = connection.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
                if count:
                    connection.execute(f'DELETE FROM "{table.name}"')
                    deleted[table.name] = count
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()
    return deleted


def _pg_truncate(session: Session, emptied: list[Table]) -> dict[str, int]:
    """PostgreSQL empties whole tables in one TRUNCATE, far faster than deleting row by row."""
    deleted = {}
    for table in emptied:
        count = session.execute(select(func.count()).select_from(table)).scalar()
        if count:
            deleted[table.name] = count
    session.execute(text("TRUNCATE " + ", ".join(f'public."{t.name}"' for t in emptied)))
    return deleted


# --- snapshots ---------------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    name: str
    meta: dict


def check_name(name: str) -> None:
    if not SNAPSHOT_NAME.match(name):
        raise ValueError(f"a snapshot name is 1 to 40 letters, digits, '-' and '_' (starting with a letter or "
                         f"digit), not {name!r}")


def schema_revision(session: Session) -> str | None:
    return session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def save(db: Database, directory: Path, name: str, meta: dict) -> Snapshot:
    check_name(name)
    if db.dialect == "sqlite":
        return _sqlite_save(db, directory, name, meta)
    return _pg_save(db, name, meta)


def restore(db: Database, directory: Path, name: str) -> Snapshot:
    """Put the database back as it was when `name` was saved; the snapshot's meta comes back."""
    check_name(name)
    if db.dialect == "sqlite":
        return _sqlite_restore(db, directory, name)
    return _pg_restore(db, name)


def list_snapshots(db: Database, directory: Path) -> list[Snapshot]:
    if db.dialect == "sqlite":
        return [Snapshot(path.stem, json.loads(path.read_text())) for path in sorted(directory.glob("*.json"))
                if (directory / f"{path.stem}.sqlite3").exists()]
    with db.transaction(writes=False) as session:
        schemas = session.execute(text(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'kempelen\\_snapshot\\_%' ORDER BY nspname"
        )).scalars().all()
        found = []
        for schema in schemas:
            meta = session.execute(text(f'SELECT meta FROM "{schema}".{META_TABLE}')).scalar()
            found.append(Snapshot(schema[len(PG_SCHEMA_PREFIX):], json.loads(meta)))
        return found


def delete_snapshot(db: Database, directory: Path, name: str) -> bool:
    check_name(name)
    if db.dialect == "sqlite":
        existed = (directory / f"{name}.sqlite3").exists()
        for path in (directory / f"{name}.sqlite3", directory / f"{name}.json"):
            path.unlink(missing_ok=True)
        return existed
    with db.transaction() as session:
        existed = _pg_exists(session, name)
        session.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA_PREFIX}{name}" CASCADE'))
        return existed


class SnapshotNotFound(LookupError):
    pass


class SnapshotMismatch(ValueError):
    pass


def _sqlite_path(db: Database) -> str:
    return db.engine.url.database


def _sqlite_save(db: Database, directory: Path, name: str, meta: dict) -> Snapshot:
    directory.mkdir(parents=True, exist_ok=True)
    target, partial = directory / f"{name}.sqlite3", directory / f"{name}.sqlite3.partial"
    with db.writers_held():
        source = sqlite3.connect(_sqlite_path(db), timeout=30)
        try:
            meta = {**meta, "schema": source.execute("SELECT version_num FROM alembic_version").fetchone()[0]}
            partial.unlink(missing_ok=True)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
    partial.replace(target)
    (directory / f"{name}.json").write_text(json.dumps(meta))
    return Snapshot(name, meta)


def _sqlite_restore(db: Database, directory: Path, name: str) -> Snapshot:
    path, meta_path = directory / f"{name}.sqlite3", directory / f"{name}.json"
    if not path.exists() or not meta_path.exists():
        raise SnapshotNotFound(name)
    meta = json.loads(meta_path.read_text())
    with db.writers_held():
        live = sqlite3.connect(_sqlite_path(db), timeout=30)
        try:
            current = live.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            if current != meta.get("schema"):
                raise SnapshotMismatch(f"snapshot {name} was saved at schema revision {meta.get('schema')}, "
                                       f"the database is at {current}")
            saved = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                saved.backup(live)  # takes SQLite's write lock: other processes' writers wait
            finally:
                saved.close()
        finally:
            live.close()
    return Snapshot(name, meta)


def _pg_exists(session: Session, name: str) -> bool:
    return session.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :n"),
                           {"n": PG_SCHEMA_PREFIX + name}).scalar() is not None


def _pg_save(db: Database, name: str, meta: dict) -> Snapshot:
    schema = f'"{PG_SCHEMA_PREFIX}{name}"'
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            # Every transaction older than this one's snapshot horizon had finished: a row whose xmin is older
            # is in the copy as it is now, until something rewrites it (see _pg_restore).
            horizon = connection.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")).scalar()
            meta = {**meta, "schema": connection.execute(text("SELECT version_num FROM alembic_version")).scalar(),
                    "pg_horizon": int(horizon) % 2**32, "pg_clean_xid": None}
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
            counts = {}
            for table in tables():
                counts[table.name] = connection.execute(text(
                    f'CREATE UNLOGGED TABLE {schema}."{table.name}" AS SELECT * FROM public."{table.name}"')).rowcount
                # restores look rows up by primary key: a few changed rows must not cost a scan of the copy
                keys = ", ".join(f'"{column.name}"' for column in table.primary_key.columns)
                connection.execute(text(f'CREATE UNIQUE INDEX ON {schema}."{table.name}" ({keys})'))
            meta["pg_rows"] = counts
            connection.execute(text(f"CREATE UNLOGGED TABLE {schema}.{META_TABLE} (meta text)"))
            connection.execute(text(f"INSERT INTO {schema}.{META_TABLE} VALUES (:m)"), {"m": json.dumps(meta)})
    return Snapshot(name, meta)


def _skip_foreign_key_checks(session: Session) -> None:
    """The rows put back are the saved, consistent ones: checking each against its parents only costs time.
    Only a superuser may switch the checks off (session_replication_role); others restore with them on."""
    try:
        with session.begin_nested():
            session.execute(text("SET LOCAL session_replication_role = replica"))
    except DBAPIError:
        pass


def _pg_restore(db: Database, name: str) -> Snapshot:
    """Put back only what changed: a row whose xmin is older than the snapshot's horizon (and not the last
    restore's own) is untouched since, so it stays. The rest is compared with the copy by primary key:
    rewritten rows get their saved values back, new rows go (children first), deleted rows return (parents
    first). A test that changed ten rows of a 100,000-HIT database costs a scan, not a reload."""
    schema = f'"{PG_SCHEMA_PREFIX}{name}"'
    with db.transaction() as session:
        if not _pg_exists(session, name):
            raise SnapshotNotFound(name)
        meta = json.loads(session.execute(text(f"SELECT meta FROM {schema}.{META_TABLE}")).scalar())
        current = schema_revision(session)
        if current != meta.get("schema"):
            raise SnapshotMismatch(f"snapshot {name} was saved at schema revision {meta.get('schema')}, "
                                   f"the database is at {current}")
        ordered = tables()
        # writers wait until the restore is over, so no row is written under it
        session.execute(text("LOCK TABLE " + ", ".join(f'public."{t.name}"' for t in ordered)
                             + " IN EXCLUSIVE MODE"))
        _skip_foreign_key_checks(session)
        changed = f"age(t.xmin) <= age('{int(meta['pg_horizon'])}'::xid)"
        if meta.get("pg_clean_xid") is not None:
            changed += f" AND t.xmin <> '{int(meta['pg_clean_xid'])}'::xid"
        for table in ordered:
            keys = [c.name for c in table.primary_key.columns]
            match = " AND ".join(f't."{k}" = s."{k}"' for k in keys)
            others = [c.name for c in table.columns if c.name not in keys]
            if others:
                columns = ", ".join(f'"{c}"' for c in others)
                values = ", ".join(f's."{c}"' for c in others)
                setter = f"({columns}) = ({values})" if len(others) > 1 else f"{columns} = {values}"
                session.execute(text(f'UPDATE public."{table.name}" AS t SET {setter} '
                                     f'FROM {schema}."{table.name}" AS s WHERE {match} AND {changed}'))
        for table in reversed(ordered):
            match = " AND ".join(f't."{k.name}" = s."{k.name}"' for k in table.primary_key.columns)
            session.execute(text(f'DELETE FROM public."{table.name}" AS t WHERE {changed} AND NOT EXISTS '
                                 f'(SELECT 1 FROM {schema}."{table.name}" AS s WHERE {match})'))
        for table in ordered:
            live = session.execute(text(f'SELECT count(*) FROM public."{table.name}"')).scalar()
            saved = meta["pg_rows"][table.name]
            if live == saved:
                continue  # every live row is a saved one (the rest went above): none is missing
            columns = ", ".join(f'"{column.name}"' for column in table.columns)
            match = " AND ".join(f't."{k.name}" = s."{k.name}"' for k in table.primary_key.columns)
            session.execute(text(f'INSERT INTO public."{table.name}" ({columns}) SELECT {columns} '
                                 f'FROM {schema}."{table.name}" AS s WHERE NOT EXISTS '
                                 f'(SELECT 1 FROM public."{table.name}" AS t WHERE {match})'))
        for table in ordered:
            for column in table.columns:
                if column.primary_key and column.autoincrement is True:
                    session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('public.\"{table.name}\"', '{column.name}'), "
                        f'COALESCE((SELECT MAX("{column.name}") FROM public."{table.name}"), 0) + 1, false)'))
        # rows this transaction wrote now equal the copy: the next restore may leave them alone
        restorer = session.execute(text("SELECT pg_current_xact_id()::text, "
                                        "pg_snapshot_xmin(pg_current_snapshot())::text")).one()
        meta["pg_clean_xid"], meta["pg_horizon"] = int(restorer[0]) % 2**32, int(restorer[1]) % 2**32
        session.execute(text(f"UPDATE {schema}.{META_TABLE} SET meta = :m"), {"m": json.dumps(meta)})
    return Snapshot(name, meta)
