"""Alembic's migrations, installed as `kempelen.migrations` (see setup.py); Alembic skips __init__ files."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def directory(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the migrations that a server with this environment applies live: KEMPELEN_MIGRATIONS_DIR, else
    this package (importing it loads neither Alembic nor SQLAlchemy)."""
    return Path(environ.get("KEMPELEN_MIGRATIONS_DIR") or Path(__file__).resolve().parent)
