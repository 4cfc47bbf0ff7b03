"""Worker accounts on the worker website: sign-up (open, by invite, or closed), passwords, one-time sign-in
links and invite codes. The WorkerId stays the one the API knows; the API token keeps working beside it."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kempelen import errors
from kempelen.auth import passwords
from kempelen.auth import sessions as session_rules
from kempelen.operations.worksite import profiles
from kempelen.store import web_sessions
from kempelen.store import workers as worker_store
from kempelen.store.models import Worker

SIGNUP_MODES = ("open", "invite", "closed")
INVITE_LIFETIME = timedelta(days=30)


def sign_up(session: Session, now: datetime, mode: str, password: str, invite_code: str | None = None,
            worker_id: str | None = None) -> Worker:
    """A new worker with a password (its WorkerId MTurk-style at random unless given)."""
    refusals = sign_up_refusals(mode, password, worker_id)
    if refusals:
        raise refusals[0]
    worker, _token = profiles.create_worker(session, now, worker_id)
    if mode == "invite" and not (invite_code and web_sessions.spend_invite(session, invite_code.strip(),
                                                                           worker.worker_id, now)):
        raise errors.invite_code_invalid()
    worker.password_hash = passwords.hash_password(password)
    return worker


def sign_up_refusals(mode: str, password: str, worker_id: str | None) -> list[errors.WorkerError]:
    """Every reason to refuse a sign-up that needs no database (a form shows them all at once); the
    WorkerId being taken and the invite code are sign_up's to find."""
    found = []
    if mode not in ("open", "invite"):
        found.append(errors.sign_up_closed())
    problem = passwords.password_problem(password)
    if problem:
        found.append(errors.password_invalid(problem))
    if worker_id is not None and not profiles.valid_worker_id(worker_id):
        found.append(errors.invalid_worker_id(worker_id))
    return found


def set_password(session: Session, worker: Worker, password: str) -> None:
    """Set (or change) the password, signing the worker out of every browser."""
    problem = passwords.password_problem(password)
    if problem:
        raise errors.password_invalid(problem)
    worker.password_hash = passwords.hash_password(password)
    session_rules.end_all(session, session_rules.WORKER, worker.worker_id)


def set_password_of(session: Session, worker_id: str, password: str) -> None:
    """The admin's route: a worker's password by WorkerId."""
    worker = worker_store.get(session, worker_id)
    if worker is None:
        raise errors.worker_does_not_exist(worker_id)
    set_password(session, worker, password)


def check_password(session: Session, worker_id: str, password: str) -> str | None:
    """The WorkerId when the password is the worker's; None otherwise (same cost either way)."""
    worker = worker_store.get(session, worker_id.strip()) if len(worker_id) <= profiles.WORKER_ID_MAX else None
    ok = passwords.verify_password(worker.password_hash if worker else None, password)
    return worker.worker_id if ok and worker is not None else None


def create_invite(session: Session, now: datetime) -> str:
    """A new invite code (shown once)."""
    code = secrets.token_urlsafe(12)
    web_sessions.add_invite(session, code, now, now + INVITE_LIFETIME)
    return code


def issue_sign_in_link(session: Session, worker_id: str, now: datetime) -> str:
    """A one-time sign-in token for a worker (e.g. one created through the API, with no password)."""
    if worker_store.get(session, worker_id) is None:
        raise errors.worker_does_not_exist(worker_id)
    return session_rules.issue_link(session, session_rules.WORKER, worker_id, now)


def spend_sign_in_link(session: Session, token: str, now: datetime) -> str:
    worker_id = session_rules.spend_link(session, token, session_rules.WORKER, now)
    if worker_id is None:
        raise errors.sign_in_link_invalid()
    return worker_id


def set_auto_accept(worker: Worker, on: bool) -> None:
    worker.auto_accept = on
