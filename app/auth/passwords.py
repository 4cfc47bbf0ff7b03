"""Passwords of people who sign in to the websites (workers, requester logins): argon2id, never stored
in clear. argon2-cffi's defaults follow RFC 9106's second recommended setting.

A test server can hash at argon2's cheapest instead (KEMPELEN_PASSWORD_HASHING=test): the standard setting
costs about 0.2 s of CPU per sign-up and sign-in, which a suite signing in hundreds of workers pays in full.
A hash carries its own parameters, so either setting verifies the other's hashes."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kempelen.config import PASSWORD_HASHINGS

HASHING = {"standard": PasswordHasher(), "test": PasswordHasher.from_parameters(profiles.CHEAPEST)}
assert tuple(HASHING) == PASSWORD_HASHINGS
_hasher = HASHING["standard"]


def use(hashing: str) -> None:
    """Hash new passwords with the named setting (a key of HASHING) in this process from now on."""
    global _hasher
    if _hasher is not HASHING[hashing]:
        _hasher = HASHING[hashing]
        _dummy_hash.cache_clear()

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
