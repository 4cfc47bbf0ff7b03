"""The people of a requester account and its access keys: what the requester website's sign-in, its
Developer page and `kempelen requester create --login / invite` share.

An account is a Requester row (keyed by its original access key id, which every HIT refers to); members sign
in to it with an email and a password; keys made on the Developer page act for it on the API as the original
key does.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kempelen import errors, ids
from kempelen.auth import passwords
from kempelen.store.models import Requester, RequesterAccessKey, RequesterInvite, RequesterMember

INVITE_LIFETIME = timedelta(days=7)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    """One spelling per address: surrounding blanks dropped, lower-cased (addresses are compared so)."""
    email = email.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise errors.requester_email_invalid(email)
    return email


def account(session: Session, access_key_id: str) -> Requester:
    requester = session.get(Requester, access_key_id)
    if requester is None or not requester.active:
        raise errors.requester_does_not_exist(access_key_id)
    return requester


def add_member(session: Session, now: datetime, requester_id: str, email: str, password: str,
               added_by: str | None = None) -> RequesterMember:
    """A person who signs in to `requester_id`'s account. One address belongs to one account."""
    account(session, requester_id)
    email = normalize_email(email)
    problem = passwords.password_problem(password)
    if problem:
        raise errors.password_invalid(problem)
    if session.scalar(select(RequesterMember.seq).where(RequesterMember.email == email)) is not None:
        raise errors.requester_member_exists(email)
    member = RequesterMember(member_id=secrets.token_hex(16), requester_id=requester_id, email=email,
                             password_hash=passwords.hash_password(password), created_at=now, added_by=added_by)
    session.add(member)
    session.flush()
    return member


def members(session: Session, requester_id: str) -> list[RequesterMember]:
    return list(session.scalars(select(RequesterMember).where(RequesterMember.requester_id == requester_id)
                                .order_by(RequesterMember.seq)))


def member(session: Session, member_id: str) -> RequesterMember | None:
    """The member a website session belongs to, while their account is active."""
    found = session.scalar(select(RequesterMember).where(RequesterMember.member_id == member_id))
    if found is None:
        return None
    requester = session.get(Requester, found.requester_id)
    return found if requester is not None and requester.active else None


def authenticate(session: Session, email: str, password: str) -> RequesterMember | None:
    """The member whose email and password these are; None otherwise (an unknown address costs one hash
    check too, so timing does not tell which addresses exist)."""
    try:
        email = normalize_email(email)
    except errors.WorkerError:
        email = ""
    found = session.scalar(select(RequesterMember).where(RequesterMember.email == email)) if email else None
    if found is None:
        passwords.verify_password(None, password)
        return None
    if not passwords.verify_password(found.password_hash, password):
        return None
    requester = session.get(Requester, found.requester_id)
    return found if requester is not None and requester.active else None


# --- invites ---------------------------------------------------------------------------------------------


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def invite(session: Session, now: datetime, requester_id: str, email: str, invited_by: str | None = None
           ) -> str:
    """A one-time code that lets `email` join the account (its link: /requester/invite/<code>). Only the
    code's hash is stored; the code is shown once."""
    account(session, requester_id)
    email = normalize_email(email)
    if session.scalar(select(RequesterMember.seq).where(RequesterMember.email == email)) is not None:
        raise errors.requester_member_exists(email)
    code = secrets.token_urlsafe(24)
    session.add(RequesterInvite(code_sha256=_code_hash(code), requester_id=requester_id, email=email,
                                invited_by=invited_by, created_at=now, expires_at=now + INVITE_LIFETIME))
    return code


def pending_invite(session: Session, now: datetime, code: str) -> RequesterInvite:
    found = session.get(RequesterInvite, _code_hash(code))
    if found is None or found.accepted_at is not None or found.expires_at <= now:
        raise errors.requester_invite_invalid()
    return found


def accept_invite(session: Session, now: datetime, code: str, password: str) -> RequesterMember:
    found = pending_invite(session, now, code)
    added = add_member(session, now, found.requester_id, found.email, password, added_by=found.invited_by)
    found.accepted_at = now
    return added


def pending_invites(session: Session, now: datetime, requester_id: str) -> list[RequesterInvite]:
    return list(session.scalars(select(RequesterInvite).where(
        RequesterInvite.requester_id == requester_id, RequesterInvite.accepted_at.is_(None),
        RequesterInvite.expires_at > now).order_by(RequesterInvite.created_at)))


# --- access keys (the Developer page) -------------------------------------------------------------------


def access_keys(session: Session, requester_id: str) -> list[dict]:
    """Every key of the account, the original first: {AccessKeyId, Status, CreationTime, Original}."""
    requester = account(session, requester_id)
    keys = [{"AccessKeyId": requester.access_key_id, "Status": "Active" if requester.key_active else "Inactive",
             "CreationTime": requester.created_at, "Original": True}]
    for key in session.scalars(select(RequesterAccessKey).where(RequesterAccessKey.requester_id == requester_id)
                               .order_by(RequesterAccessKey.created_at)):
        keys.append({"AccessKeyId": key.access_key_id, "Status": "Active" if key.active else "Inactive",
                     "CreationTime": key.created_at, "Original": False})
    return keys


def create_access_key(session: Session, now: datetime, requester_id: str) -> dict[str, str]:
    """A new key pair for the account; the secret is returned here and never again."""
    account(session, requester_id)
    key = RequesterAccessKey(access_key_id=ids.access_key_id(), requester_id=requester_id,
                             secret_access_key=ids.secret_access_key(), active=True, created_at=now)
    session.add(key)
    return {"AccessKeyId": key.access_key_id, "SecretAccessKey": key.secret_access_key}


def deactivate_access_key(session: Session, now: datetime, requester_id: str, access_key_id: str) -> None:
    """Refuse the key from now on (API caches keep a read key for a few seconds); the last active key stays."""
    keys = access_keys(session, requester_id)
    target = next((key for key in keys if key["AccessKeyId"] == access_key_id), None)
    if target is None:
        raise errors.requester_access_key_does_not_exist(access_key_id)
    if target["Status"] == "Inactive":
        return
    if sum(key["Status"] == "Active" for key in keys) == 1:
        raise errors.requester_last_access_key(access_key_id)
    if target["Original"]:
        session.get(Requester, requester_id).key_active = False
    else:
        row = session.get(RequesterAccessKey, access_key_id)
        row.active, row.deactivated_at = False, now
