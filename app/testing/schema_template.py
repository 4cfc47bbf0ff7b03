"""An empty SQLite database at the migrations' head, made once and copied for every `LiveServer` that brings no
database of its own.

Migrating an empty database is about half the CPU of a forked server's start (Alembic reads every script and
runs them all). The template is named by what decides the schema: the bytes of the migration scripts and the
versions of Kempelen, SQLAlchemy and Alembic, so an edited migration or an upgrade makes a new one. It holds no
rows (not even the development requester: each server adds its own, with its own clock and seeded ids).

It lives in a directory of the temporary directory that only its user can enter, and is shared by the
processes of that user (pytest-xdist workers, later runs). A template that cannot be made or copied only means
the server migrates its own database, as it always did."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from kempelen.testing import forkserver


def _name(environ: Mapping[str, str]) -> str:
    from kempelen.migrations import directory

    digest = hashlib.sha256()
    for distribution in ("kempelen", "sqlalchemy", "alembic"):
        try:
            digest.update(f"{distribution}=={metadata.version(distribution)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{distribution} not installed\n".encode())
    root = directory(environ)
    for script in [root / "env.py", *sorted(root.glob("versions/*.py"))]:
        digest.update(script.name.encode() + b"\0" + script.read_bytes() + b"\0")
    return f"schema-{digest.hexdigest()[:20]}.db"


def _private_directory() -> Path:
    """$TMPDIR/kempelen-<uid>, made private; refused if another user made it or can write into it."""
    path = Path(tempfile.gettempdir()) / f"kempelen-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    status = path.lstat()
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o022:
        raise PermissionError(f"{path} is not this user's own directory")
    return path


def _make(template: Path, env: dict[str, str]) -> None:
    """`kempelen db upgrade` into a new file beside `template`, then renamed into place: a process that finds
    the template finds it whole, and two that make it at once both leave the same one."""
    with tempfile.TemporaryDirectory(dir=template.parent, prefix="making-") as scratch:
        database = Path(scratch) / "kempelen.db"
        done = forkserver.run(["db", "upgrade", "--database-url", f"sqlite:///{database}", "--data-dir", scratch],
                              env={**env, "KEMPELEN_DEVELOPMENT_CREDENTIALS": "off"}, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"kempelen db upgrade exited with {done.returncode}:\n{done.stderr}")
        # a fork ends without closing its connections: the schema may still be in the write-ahead log
        with contextlib.closing(sqlite3.connect(database)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if not _usable(database):
            raise RuntimeError("kempelen db upgrade left no schema version")
        os.replace(database, template)


def _usable(template: Path) -> bool:
    """The template is there and holds a schema version (a damaged one is made again, not copied forever)."""
    if not template.exists():
        return False
    try:  # immutable: read without the write-ahead log's files, which a closed template no longer has
        with contextlib.closing(sqlite3.connect(template.absolute().as_uri() + "?immutable=1", uri=True)) as db:
            return db.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    except sqlite3.Error:
        return False


def copy_to(target: Path, env: dict[str, str]) -> bool:
    """Put a copy of the template at `target` (a server's database file to be), making the template first if
    there is none yet; False (and nothing at `target`) if that cannot be done here."""
    if not hasattr(os, "getuid"):
        return False
    try:
        template = _private_directory() / _name(env)
        if not _usable(template):
            _make(template, env)
        shutil.copyfile(template, target)
        return True
    except (OSError, RuntimeError, ValueError, sqlite3.Error):
        with contextlib.suppress(OSError):
            target.unlink()
        return False
