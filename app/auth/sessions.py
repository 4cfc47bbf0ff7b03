"""The websites' sign-in rules, over the store and the service clock: sessions and their lifetime, one-time
sign-in links, and the slowing of repeated failed sign-ins. One place for the worker and requester sites.

A session names its principal: ("worker", WorkerId) or ("requester_login", the login's id).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kempelen.store import web_sessions as store

WORKER = "worker"
REQUESTER_LOGIN = "requester_login"
PRINCIPAL_KINDS = (WORKER, REQUESTER_LOGIN)

#: a session ends after this long without a request (sliding), and is refreshed at most once per SLIDE
SESSION_IDLE_LIFETIME = timedelta(days=14)
SESSION_SLIDE = timedelta(hours=1)
SIGN_IN_LINK_LIFETIME = timedelta(days=7)

#: failed sign-ins allowed per key before it is locked out; each further failure doubles the lock-out, up to
#: LOCKOUT_MAX; failures older than FAILURE_MEMORY are forgotten
FREE_FAILURES = 5
LOCKOUT_FIRST = timedelta(seconds=30)
LOCKOUT_MAX = timedelta(minutes=15)
FAILURE_MEMORY = timedelta(hours=1)


@dataclass(frozen=True)
class SignedIn:
    kind: str
    principal_id: str
    csrf_token: str
    token: str  # the cookie's value


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start(session: Session, kind: str, principal_id: str, now: datetime) -> SignedIn:
    if kind not in PRINCIPAL_KINDS:
        raise ValueError(f"unknown principal kind {kind!r}")
    token, csrf = new_token(), new_token()
    store.add_session(session, token, kind, principal_id, csrf, now, now + SESSION_IDLE_LIFETIME)
    return SignedIn(kind, principal_id, csrf, token)


def resume(session: Session, token: str, now: datetime) -> SignedIn | None:
    """The live session a cookie names, kept alive while it is used; None when unknown or expired."""
    row = store.live_session(session, token, now)
    if row is None:
        return None
    return SignedIn(row.principal_kind, row.principal_id, row.csrf_token, token)


def needs_touch(session: Session, token: str, now: datetime) -> bool:
    row = store.live_session(session, token, now)
    return row is not None and now - row.last_seen_at >= SESSION_SLIDE


def touch(session: Session, token: str, now: datetime) -> None:
    store.touch_session(session, token, now, now + SESSION_IDLE_LIFETIME)


def end(session: Session, token: str) -> None:
    store.drop_session(session, token)


def end_all(session: Session, kind: str, principal_id: str) -> None:
    """Sign a principal out everywhere (after a password change, a block...)."""
    store.drop_sessions_of(session, kind, principal_id)


def issue_link(session: Session, kind: str, principal_id: str, now: datetime) -> str:
    """A one-time sign-in token (the link carries it); shown once."""
    token = new_token()
    store.add_link(session, token, kind, principal_id, now, now + SIGN_IN_LINK_LIFETIME)
    return token


def spend_link(session: Session, token: str, kind: str, now: datetime) -> str | None:
    """The principal id a one-time link signs in (spending it), or None."""
    link = store.spend_link(session, token, now)
    if link is None or link.principal_kind != kind:
        return None
    return link.principal_id


# --- throttling ---------------------------------------------------------------------------------------


def throttle_keys(site: str, account: str, client: str | None) -> list[str]:
    """Failures count per account (guessing one account's password) and per client address (trying many)."""
    keys = [f"{site}:account:{account.strip().lower()[:200]}"]
    if client:
        keys.append(f"{site}:client:{client[:64]}")
    return keys


def locked_for(session: Session, keys: list[str], now: datetime) -> int:
    """Seconds until a sign-in may be tried again (0: now)."""
    wait = 0
    for key in keys:
        row = store.throttle(session, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            wait = max(wait, int((row.locked_until - now).total_seconds()) + 1)
    return wait


def lockout_after(failures: int) -> timedelta | None:
    """How long a key is locked after its `failures`-th failure in a row."""
    if failures <= FREE_FAILURES:
        return None
    return min(LOCKOUT_FIRST * 2 ** (failures - FREE_FAILURES - 1), LOCKOUT_MAX)


def record_failure(session: Session, keys: list[str], now: datetime) -> None:
    for key in keys:
        row = store.throttle(session, key)
        failures = 1 if row is None or now - row.last_failure_at > FAILURE_MEMORY else row.failures + 1
        lock = lockout_after(failures)
        store.record_failure(session, key, now, failures, now + lock if lock else None)


def record_success(session: Session, keys: list[str]) -> None:
    # The account's counter only: one good password on an address does not excuse its other guesses.
    store.clear_failures(session, keys[0])
