"""Opaque keyset cursors: NextToken encodes the last key seen, so every page costs what the first costs."""

from __future__ import annotations

import base64
import json

DEFAULT_PAGE_SIZE = 10


class InvalidToken(Exception):
    pass


def encode(scope: str, last_key: int | str) -> str:
    raw = json.dumps([scope, last_key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(scope: str, token: str | None, kind: type = int) -> int | str | None:
    """The key after which the next page starts; None for the first page."""
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        token_scope, last_key = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise InvalidToken(token) from exc
    if token_scope != scope or type(last_key) is not kind:
        raise InvalidToken(token)
    return last_key
