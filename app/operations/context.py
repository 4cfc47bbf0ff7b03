"""What an operation is given: its transaction, the caller, and one fixed moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from kempelen.config import Settings
from kempelen.store.models import Requester


@dataclass
class OperationContext:
    session: Session
    requester: Requester
    # Read once per request, so every rule in one operation sees the same instant.
    now: datetime
    request_id: str
    settings: Settings
    #: scheme://host[:port] the request reached this server at (links it hands out point back there)
    origin: str = ""
