"""Passwords of people who sign in to the websites (workers, requester logins): argon2id, never stored
in clear. argon2-cffi's defaults follow RFC 9106's second recommended setting."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

#: shorter passwords are refused (NIST SP 800-63B's floor); longer than MAX is refused so a huge
#: password cannot make hashing a denial of service
MIN_LENGTH = 8
MAX_LENGTH = 256

@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so a miss costs what a wrong password costs.
    Made on first use: hashing is deliberately slow, and every start would otherwise pay for it."""
    return _hasher.hash("kempelen-no-such-account")


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"The password must be at most {MAX_LENGTH} characters long."
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash still spends the time of one verification."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
