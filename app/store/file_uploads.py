"""Workers' uploaded files: the bytes in the upload directory, named by an opaque key, and one row each.

A file is written to a temporary name and renamed into place, so a reader never sees half of one; if the
transaction that records it rolls back, the file is removed again.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from kempelen.store.models import FileUpload

SIGNING_KEY_FILE = ".url-signing-key"
_NOT_IN_NAMES = re.compile(r"[\x00-\x1f\x7f]")


def path_of(directory: Path, key: str) -> Path:
    return directory / key


def save(session: Session, directory: Path, *, assignment_id: str, question_identifier: str, content: BinaryIO,
         size: int, file_name: str | None, content_type: str | None, now: datetime) -> FileUpload:
    directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(20).upper()
    target = path_of(directory, key)
    temporary = directory / f".{key}.partial"
    with open(temporary, "wb") as out:
        shutil.copyfileobj(content, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)
    event.listen(session, "after_rollback", lambda _session: target.unlink(missing_ok=True), once=True)
    record = FileUpload(upload_key=key, assignment_id=assignment_id, question_identifier=question_identifier,
                        size=size, content_type=(content_type or "").strip()[:255] or "application/octet-stream",
                        file_name=clean_file_name(file_name), created_at=now)
    session.add(record)
    return record


def clean_file_name(name: str | None) -> str:
    """The name without the folders some browsers send (C:\\fakepath\\...) and without control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    return _NOT_IN_NAMES.sub("", base)[:255] or "upload"


def get(session: Session, key: str) -> FileUpload | None:
    return session.get(FileUpload, key)


def of_assignment(session: Session, assignment_id: str) -> dict[str, FileUpload]:
    """Every file uploaded for the assignment, by key."""
    rows = session.scalars(select(FileUpload).where(FileUpload.assignment_id == assignment_id))
    return {row.upload_key: row for row in rows}


def signing_key(directory: Path) -> bytes:
    """The secret that signs download links, made on first use. It is written under a temporary name and
    hard-linked into place, which fails if the name exists: replicas sharing the directory all end up
    with the one key written first, and never read a half-written one."""
    path = directory / SIGNING_KEY_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".{secrets.token_hex(8)}.partial"
        temporary.write_text(secrets.token_hex(32))
        temporary.chmod(0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return bytes.fromhex(path.read_text().strip())
