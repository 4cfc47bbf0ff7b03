"""Who is calling the worker API: a worker by its own token, or an admin acting for a named worker.

Pure over what the caller hands in (the Authorization value, the optional X-Kempelen-Worker-Id, the admin
token, and a token lookup), so the rule lives here once and any door can use it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import TypeVar

from kempelen import errors

W = TypeVar("W")


def bearer(authorization: str | None) -> str:
    value = (authorization or "").strip()
    return value[7:].strip() if value[:7].lower() == "bearer " else ""


def is_admin(token: str, admin_token: str | None) -> bool:
    return bool(token and admin_token and hmac.compare_digest(token.encode(), admin_token.encode()))


def resolve_worker(authorization: str | None, acting_for: str | None, admin_token: str | None,
                   by_token: Callable[[str], W | None], by_id: Callable[[str], W | None]) -> W:
    token = bearer(authorization)
    if not token:
        raise errors.worker_unauthorized()
    if is_admin(token, admin_token):
        if not acting_for:
            raise errors.worker_id_required()
        worker = by_id(acting_for)
        if worker is None:
            raise errors.worker_does_not_exist(acting_for)
        return worker
    worker = by_token(token)
    if worker is None:
        raise errors.worker_unauthorized()
    return worker
