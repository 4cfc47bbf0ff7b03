"""Requester accounts and their keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import ids
from app.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY
from app.store.models import Requester


def find_active(session: Session, access_key_id: str) -> Requester | None:
    requester = session.get(Requester, access_key_id)
    return requester if requester is not None and requester.active else None


def create(session: Session, now: datetime, *, name: str = "", mode: str = "sandbox") -> Requester:
    requester = Requester(access_key_id=ids.access_key_id(), secret_access_key=ids.secret_access_key(),
                          customer_id=ids.customer_id(), name=name, is_development=False, active=True,
                          mode=mode, created_at=now)
    session.add(requester)
    return requester


def set_development_requester(session: Session, now: datetime, enabled: bool) -> None:
    """A fresh database gets the documented development requester; disabling it refuses its key."""
    requester = session.get(Requester, DEVELOPMENT_ACCESS_KEY_ID)
    if requester is None:
        if not enabled:
            return
        requester = Requester(access_key_id=DEVELOPMENT_ACCESS_KEY_ID,
                              secret_access_key=DEVELOPMENT_SECRET_ACCESS_KEY, customer_id=ids.customer_id(),
                              name="development", is_development=True, mode="sandbox", created_at=now)
        session.add(requester)
    requester.active = enabled


def all_requesters(session: Session) -> list[Requester]:
    return list(session.scalars(select(Requester).order_by(Requester.created_at)))
