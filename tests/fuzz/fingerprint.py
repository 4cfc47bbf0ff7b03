"""A database's whole content as one hash: what a refused request must leave unchanged."""

from __future__ import annotations

import hashlib

from sqlalchemy import MetaData, create_engine, select, text


class Fingerprinter:
    """Reads every table (reflected, so tables added later are covered too) over its own connection."""

    def __init__(self, database_url: str):
        if database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
        self.engine = create_engine(database_url)
        self.metadata = MetaData()
        self.metadata.reflect(self.engine)
        tables = [t for t in self.metadata.sorted_tables if t.name != "alembic_version"]
        # PostgreSQL hashes every table in one round trip; SQLite is read in-process, table by table.
        self._one_query = None
        if self.engine.dialect.name == "postgresql":
            self._one_query = text("SELECT " + ", ".join(
                f"(SELECT count(*) || ':' || md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "
                f'FROM "{t.name}" r)' for t in tables))

    def __call__(self) -> str:
        if self._one_query is not None:
            with self.engine.connect() as connection:
                return hashlib.sha256(repr(tuple(connection.execute(self._one_query).one())).encode()).hexdigest()
        digest = hashlib.sha256()
        with self.engine.connect() as connection:
            for table in self.metadata.sorted_tables:
                if table.name == "alembic_version":
                    continue
                rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
                digest.update(f"{table.name}:{len(rows)}\n".encode())
                for row in rows:
                    digest.update(row.encode())
        return digest.hexdigest()

    def close(self) -> None:
        self.engine.dispose()
