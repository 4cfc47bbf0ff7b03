"""Identifier formats, as MTurk minted them.

Entity ids (HITs, HIT types, assignments, qualification types) are 30 characters of [0-9A-Z] starting
with "3"; worker ids are "A" followed by uppercase letters and digits (14 characters in all).
"""

from __future__ import annotations

import re
import secrets
import string

_ALPHABET = string.digits + string.ascii_uppercase
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"

ENTITY_ID = re.compile(r"^[A-Z0-9]+$")
WORKER_ID = re.compile(r"^A[A-Z0-9]+$")


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def entity_id() -> str:
    """A HITId, HITTypeId, HITGroupId, AssignmentId or QualificationTypeId."""
    return "3" + _random(_ALPHABET, 29)


def worker_id() -> str:
    return "A" + _random(_ALPHABET, 13)


def access_key_id() -> str:
    return "AKIA" + _random(string.ascii_uppercase + "234567", 16)


def secret_access_key() -> str:
    return _random(_SECRET_ALPHABET, 40)


def customer_id() -> str:
    """The requester's own MTurk customer id (shown as CustomerId in notification messages)."""
    return "A" + _random(_ALPHABET, 13)
