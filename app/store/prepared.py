"""Prepared statements: a Core statement compiled once per dialect and run on the driver's own cursor.

A read operation that needs one statement (GetHIT, a page of ListHITs) has no use for a Session, ORM
objects or a transaction: one SELECT sees one consistent snapshot on SQLite and PostgreSQL alike. Building
those cost several times the query itself, so `rows()` runs the statement straight on a pooled driver
connection in autocommit, with the columns' own bind and result processors (UTC datetimes, booleans), and
returns plain named tuples. In a write (kempelen.store.db.WriteUnit) the statement runs on the unit's own
driver connection inside its transaction; when the caller holds a Session instead (a read that needed the
ORM, the worker site's units of work), it runs inside the Session's transaction. Either way it sees what the
unit has written. `PreparedWrite` does the same for an INSERT of given columns.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, Table, bindparam, exc, insert

from kempelen.store.db import Database, invalidate_if_dropped
from kempelen.store.greenlets import fetch_in_transaction
from kempelen.store.models import UTCDateTime


class _Compiled:
    __slots__ = ("sql", "positional", "names", "constants", "slots", "results", "processed")

    def __init__(self, statement, dialect, result_columns=None):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = compiled.positional
        self.names = list(compiled.positiontup if compiled.positional else compiled.binds)
        # Literals in the statement (status == "Accepted") are processed once, here; named binds per call,
        # each once however often it appears (SQLite's positional parameters repeat "now" in every count):
        # slots = (name, processor, the positions it fills) for the parameters the caller gives.
        self.constants: list = []
        positions: dict[str, list[int]] = {}
        processors: dict[str, Any] = {}
        for index, name in enumerate(self.names):
            bind = compiled.binds[name]
            process = _bind_processor(bind.type, dialect)
            if bind.value is None and not bind.callable:
                self.constants.append(None)
                positions.setdefault(name, []).append(index)
                processors[name] = process
            else:
                self.constants.append(process(bind.value) if process else bind.value)
        self.slots = [(name, processors[name], tuple(indexes)) for name, indexes in positions.items()]
        if result_columns is None:
            result_columns = statement.selected_columns
        self.results = [_result_processor(column.type, dialect) for column in result_columns]
        # (position, processor) of the columns that have one: a HIT view's row has 22 columns, 4 of them
        # processed (datetimes, booleans)
        self.processed = tuple((index, process) for index, process in enumerate(self.results) if process)

    def parameters(self, values: dict[str, Any]):
        filled = self.constants.copy()
        for name, process, indexes in self.slots:
            value = values[name]
            if process is not None and value is not None:
                value = process(value)
            for index in indexes:
                filled[index] = value
        return tuple(filled) if self.positional else dict(zip(self.names, filled))


def _sqlite_utc(value):
    return None if value is None else datetime.fromisoformat(value + "+00:00")


def _sqlite_utc_text(value: datetime) -> str:
    # what UTCDateTime and SQLAlchemy's SQLite DATETIME store, in one C call instead of their two steps
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")


def _bind_processor(type_, dialect):
    if dialect.name == "sqlite" and isinstance(type_, UTCDateTime):
        return _sqlite_utc_text
    return type_._cached_bind_processor(dialect)


def _result_processor(type_, dialect):
    # UTCDateTime on SQLite is stored as SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff" text in UTC, which
    # fromisoformat reads directly (a page of HITs has thirty of them; SQLAlchemy's chain is regex + replace).
    if dialect.name == "sqlite" and isinstance(type_, UTCDateTime):
        return _sqlite_utc
    return type_._cached_result_processor(dialect, None)


class PreparedRead:
    """A SELECT whose selected columns have distinct names (they become the row's attributes)."""

    def __init__(self, statement: Select, name: str = "Row"):
        self.statement = statement
        self.row = namedtuple(name, [column.key for column in statement.selected_columns])
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect) -> _Compiled:
        key = dialect.name, dialect.driver  # one statement's text differs by driver (%(name)s, $1::VARCHAR)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _Compiled(self.statement, dialect)
        return found

    def process(self, compiled: _Compiled, raw_rows) -> list:
        make, processed = self.row._make, compiled.processed
        made = []
        for raw in raw_rows:
            values = list(raw)
            for index, process in processed:
                values[index] = process(values[index])
            made.append(make(values))
        return made


class PreparedWrite:
    """An INSERT of the given columns of `table`, each a bind named after its column; `returning` columns
    (say the row's autoincremented seq) come back as named tuples."""

    def __init__(self, table: Table, columns: list[str], returning: tuple[str, ...] = ()):
        statement = insert(table).values({name: bindparam(name, type_=table.c[name].type) for name in columns})
        self.result_columns = [table.c[name] for name in returning]
        if returning:
            statement = statement.returning(*self.result_columns)
        self.statement = statement
        self.row = namedtuple("Inserted", returning) if returning else None
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect) -> _Compiled:
        key = dialect.name, dialect.driver
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _Compiled(self.statement, dialect, self.result_columns)
        return found

    process = PreparedRead.process


def rows(unit, prepared: PreparedRead, values: dict[str, Any]) -> list:
    """The rows of `prepared` with bind `values`, as named tuples. `unit` is the operation's session: a
    lazily opened read (kempelen.store.db.LazyRead) that has not opened one yet runs the statement on the
    driver outside any transaction; a write unit (kempelen.store.db.WriteUnit) on its driver connection in
    its transaction; a Session in the Session's transaction."""
    database: Database | None = getattr(unit, "unopened_database", None)
    if database is not None:
        dialect, read = database.autocommit_reader()
        compiled = prepared.compiled(dialect)
        return prepared.process(compiled, read(compiled.sql, compiled.parameters(values)))
    return _in_transaction(unit, prepared, values)


def first_row(unit, prepared: PreparedRead, values: dict[str, Any]):
    """The first of rows(unit, prepared, values), or None when there is none."""
    found = rows(unit, prepared, values)
    return found[0] if found else None


def write(unit, prepared: PreparedWrite | PreparedRead, values: dict[str, Any]) -> list:
    """Run the INSERT `prepared` (or a statement that writes and selects) with `values` in the unit's
    transaction; the rows it returns, if any."""
    return _in_transaction(unit, prepared, values)


def dialect_name(unit) -> str:
    """The name of the database a write unit (or Session) works on: "sqlite" or "postgresql"."""
    dialect = getattr(unit, "dialect", None)
    return (dialect if dialect is not None else unit.get_bind().dialect).name


def write_alone(unit, prepared: PreparedRead, values: dict[str, Any]) -> list | None:
    """Run `prepared` as the unit's only statement, committed by itself, when the unit can (a WriteUnit on
    asyncpg that has sent nothing yet: kempelen.store.db.WriteUnit.alone); its rows, or None when it cannot
    and the caller must take its usual path. The statement must make the unit's held-back key check itself
    and write nothing when it fails."""
    alone = getattr(unit, "alone", None)
    taken = alone() if alone is not None else None
    if taken is None:
        return None
    connection, adapter = taken  # in autocommit: the statement begins no transaction
    return _run(connection, adapter, prepared, values)


def _in_transaction(unit, prepared, values: dict[str, Any]) -> list:
    connection_of = getattr(unit, "bound_connection", None)
    if connection_of is not None:  # a WriteUnit (kempelen.store.db)
        connection, driver = connection_of(), unit.driver()
    else:  # a Session: its pending changes first, as its own queries would flush them
        unit.flush()
        connection = unit.connection()
        driver = connection.connection.dbapi_connection
    return _run(connection, driver, prepared, values)


def _run(connection, driver, prepared, values: dict[str, Any]) -> list:
    compiled = prepared.compiled(connection.dialect)
    try:
        if connection.dialect.driver == "asyncpg":  # on the event loop (kempelen.store.greenlets)
            raw_rows = fetch_in_transaction(driver, compiled.sql, compiled.parameters(values))
        else:
            cursor = driver.cursor()
            cursor.execute(compiled.sql, compiled.parameters(values))
            raw_rows = cursor.fetchall() if compiled.results or prepared.row is not None else []
        return prepared.process(compiled, raw_rows) if raw_rows else []
    except Exception as error:
        invalidate_if_dropped(connection, error)
        if isinstance(error, connection.dialect.loaded_dbapi.IntegrityError):
            # as SQLAlchemy raises it for its own statements, so that callers catch one exception class
            raise exc.IntegrityError(compiled.sql, None, error) from error
        raise
