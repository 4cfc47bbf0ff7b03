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
# How passwords are hashed (KEMPELEN_PASSWORD_HASHING): "standard", argon2id as RFC 9106 recommends (about
# 0.2 s of CPU a sign-in), or "test", argon2id at its cheapest, for throwaway test servers (LiveServer's).
PASSWORD_HASHINGS = ("standard", "test")


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
    # the requester website's own host name, if it has one (it is always at /requester/ too)
    requester_host: str | None = field(default_factory=lambda: os.environ.get("KEMPELEN_REQUESTER_HOST") or None)
    # The websites. Worker sign-up: "open" (anyone), "invite" (an admin's invite code), "closed" (admin-made
    # accounts only). Requester HTML (HTMLQuestion) is served from KEMPELEN_CONTENT_URL when set (another
    # host name, e.g. http://localhost:8000 beside http://127.0.0.1:8000), else sandboxed on the site's host.
    worker_signup: str = field(default_factory=lambda: os.environ.get("KEMPELEN_WORKER_SIGNUP", "open"))
    # Password hashing, one of PASSWORD_HASHINGS (kempelen.auth.passwords).
    password_hashing: str = field(default_factory=lambda: os.environ.get("KEMPELEN_PASSWORD_HASHING", "standard"))
    content_url: str | None = field(default_factory=lambda: os.environ.get("KEMPELEN_CONTENT_URL"))
    # Notification delivery (kempelen.events). SNS has no endpoint in a topic ARN: point this at an emulator
    # (e.g. moto, LocalStack), or leave it unset for AWS itself. SQS goes to the queue URL's own host.
    sns_endpoint: str | None = field(default_factory=lambda: os.environ.get("KEMPELEN_SNS_ENDPOINT"))
    # Credentials that sign SQS/SNS calls; unset = botocore's usual chain, else dummy ones (emulators).
    notification_aws_access_key_id: str | None = field(
        default_factory=lambda: os.environ.get("KEMPELEN_NOTIFICATION_AWS_ACCESS_KEY_ID"))
    notification_aws_secret_access_key: str | None = field(
        default_factory=lambda: os.environ.get("KEMPELEN_NOTIFICATION_AWS_SECRET_ACCESS_KEY"))
    # the region for queue URLs and endpoints that do not name one (local emulators)
    notification_aws_region: str = field(
        default_factory=lambda: os.environ.get("KEMPELEN_NOTIFICATION_AWS_REGION", "us-east-1"))
    smtp_host: str | None = field(default_factory=lambda: os.environ.get("KEMPELEN_SMTP_HOST"))
    smtp_port: int = field(default_factory=lambda: int(os.environ.get("KEMPELEN_SMTP_PORT", "25")))
    smtp_from: str = field(default_factory=lambda: os.environ.get("KEMPELEN_SMTP_FROM", "kempelen@localhost"))
    # real seconds between delivery passes, and the first retry delay (doubled per failure, capped)
    delivery_interval: float = field(
        default_factory=lambda: float(os.environ.get("KEMPELEN_DELIVERY_INTERVAL", "1.0")))
    delivery_retry_seconds: float = field(
        default_factory=lambda: float(os.environ.get("KEMPELEN_DELIVERY_RETRY_SECONDS", "5.0")))

    # Faults on demand (kempelen.faults): a JSON list of rules; unset = none, the default.
    faults: str | None = field(default_factory=lambda: os.environ.get("KEMPELEN_FAULTS"))
    # Reproducible ids (kempelen.ids.seed): `kempelen serve --seed S`; unset = random ids.
    seed: str | None = field(default_factory=lambda: os.environ.get("KEMPELEN_SEED"))

    # Bodies over these are refused before authentication (kempelen.limits); uploads have their own bound.
    max_body_bytes: int = field(default_factory=lambda: int(os.environ.get("KEMPELEN_MAX_BODY_BYTES", 1024 * 1024)))
    max_upload_bytes: int = field(default_factory=lambda: int(os.environ.get("KEMPELEN_MAX_UPLOAD_BYTES",
                                                                             2_000_000_000 + 1024 * 1024)))

    def effective_admin_token(self) -> str | None:
        """The token admin routes require: the configured one, else the development one if enabled."""
        if self.admin_token:
            return self.admin_token
        return DEVELOPMENT_ADMIN_TOKEN if self.development_credentials else None

    # Workers' FileUploadAnswer files (and the key signing GetFileUploadURL links): KEMPELEN_UPLOAD_DIR, else
    # <data_dir>/uploads. Replicas must share it, as they share the database.
    upload_dir: Path | None = field(default_factory=lambda: (Path(os.environ["KEMPELEN_UPLOAD_DIR"])
                                                             if os.environ.get("KEMPELEN_UPLOAD_DIR") else None))

    def effective_upload_dir(self) -> Path:
        return self.upload_dir or self.data_dir / "uploads"
