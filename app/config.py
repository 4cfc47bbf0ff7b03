"""Settings, from the command line and the environment (KEMPELEN_*)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# The development requester a fresh database gets. Documented in the README and printed by `make run`;
# the server refuses to listen beyond loopback while these are enabled.
DEVELOPMENT_ACCESS_KEY_ID = "AKIAKEMPELENDEVELOP1"
DEVELOPMENT_SECRET_ACCESS_KEY = "kempelen/development/secret/do-not-use-in-production"
DEVELOPMENT_ADMIN_TOKEN = "kempelen-development-admin"


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", "disabled"}


def default_data_dir() -> Path:
    return Path(os.environ.get("KEMPELEN_DATA_DIR", "data"))


def default_database_url(data_dir: Path | None = None) -> str:
    url = os.environ.get("KEMPELEN_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{(data_dir or default_data_dir()).resolve() / 'kempelen.db'}"


@dataclass
class Settings:
    database_url: str = field(default_factory=default_database_url)
    data_dir: Path = field(default_factory=default_data_dir)
    clock: str = field(default_factory=lambda: os.environ.get("KEMPELEN_CLOCK", "system"))
    development_credentials: bool = field(
        default_factory=lambda: _env_flag("KEMPELEN_DEVELOPMENT_CREDENTIALS", True))
    admin_token: str | None = field(default_factory=lambda: os.environ.get("KEMPELEN_ADMIN_TOKEN"))
    public_url: str | None = field(default_factory=lambda: os.environ.get("KEMPELEN_PUBLIC_URL"))

    def effective_admin_token(self) -> str | None:
        """The token admin routes require: the configured one, else the development one if enabled."""
        if self.admin_token:
            return self.admin_token
        return DEVELOPMENT_ADMIN_TOKEN if self.development_credentials else None
