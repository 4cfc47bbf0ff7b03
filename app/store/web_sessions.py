"""Rows of the websites' sign-in machinery: sessions, one-time links, invite codes, failure counters.
Tokens are stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kempelen.store.models import SignInLink, SignInThrottle, WebSession, WorkerInvite


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_session(session: Session, token: str, kind: str, principal_id: str, csrf_token: str,
                now: datetime, expires_at: datetime) -> WebSession:
    row = WebSession(token_sha256=digest(token), principal_kind=kind, principal_id=principal_id,
                     csrf_token=csrf_token, created_at=now, last_seen_at=now, expires_at=expires_at)
    session.add(row)
    return row


def live_session(session: Session, token: str, now: datetime) -> WebSession | None:
    return session.scalar(select(WebSession).where(WebSession.token_sha256 == digest(token),
                                                   WebSession.expires_at > now))


def touch_session(session: Session, token: str, now: datetime, expires_at: datetime) -> None:
    session.execute(update(WebSession).where(WebSession.token_sha256 == digest(token))
                    .values(last_seen_at=now, expires_at=expires_at))


def drop_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_sha256 == digest(token)))


def drop_sessions_of(session: Session, kind: str, principal_id: str) -> None:
    session.execute(delete(WebSession).where(WebSession.principal_kind == kind,
                                             WebSession.principal_id == principal_id))


def drop_expired(session: Session, now: datetime) -> None:
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))


def add_link(session: Session, token: str, kind: str, principal_id: str, now: datetime,
             expires_at: datetime) -> None:
    session.add(SignInLink(token_sha256=digest(token), principal_kind=kind, principal_id=principal_id,
                           created_at=now, expires_at=expires_at))


def spend_link(session: Session, token: str, now: datetime) -> SignInLink | None:
    """The link, marked used; None when unknown, used or expired. The conditional UPDATE decides a race."""
    spent = session.execute(update(SignInLink).where(SignInLink.token_sha256 == digest(token),
                                                     SignInLink.used_at.is_(None), SignInLink.expires_at > now)
                            .values(used_at=now))
    if spent.rowcount != 1:
        return None
    return session.get(SignInLink, digest(token))


def add_invite(session: Session, code: str, now: datetime, expires_at: datetime | None) -> None:
    session.add(WorkerInvite(code_sha256=digest(code), created_at=now, expires_at=expires_at))


def spend_invite(session: Session, code: str, worker_id: str, now: datetime) -> bool:
    spent = session.execute(
        update(WorkerInvite).where(WorkerInvite.code_sha256 == digest(code), WorkerInvite.used_at.is_(None),
                                   (WorkerInvite.expires_at.is_(None)) | (WorkerInvite.expires_at > now))
        .values(used_at=now, worker_id=worker_id))
    return spent.rowcount == 1


def throttle(session: Session, key: str) -> SignInThrottle | None:
    return session.get(SignInThrottle, key)


def record_failure(session: Session, key: str, now: datetime, failures: int, locked_until: datetime | None) -> None:
    row = session.get(SignInThrottle, key)
    if row is None:
        session.add(SignInThrottle(throttle_key=key, failures=failures, last_failure_at=now,
                                   locked_until=locked_until))
    else:
        row.failures, row.last_failure_at, row.locked_until = failures, now, locked_until


def clear_failures(session: Session, key: str) -> None:
    session.execute(delete(SignInThrottle).where(SignInThrottle.throttle_key == key))
