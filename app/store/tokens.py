"""UniqueRequestToken bookkeeping: the unique key, not luck, settles concurrent retries."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kempelen.store.models import RequestToken

TOKEN_WINDOW = timedelta(hours=24)


def spend(session: Session, requester_id: str, scope: str, token: str, now: datetime,
          request_id: str) -> tuple[RequestToken, RequestToken | None]:
    """Spends `token`. Returns (the row now holding it, the earlier spending if it is still within 24 h).

    When an earlier spending is returned nothing was written and the caller must refuse the request.
    """
    query = select(RequestToken).where(RequestToken.requester_id == requester_id,
                                       RequestToken.scope == scope, RequestToken.token == token)
    earlier = session.scalar(query.with_for_update())
    if earlier is not None:
        if earlier.created_at > now - TOKEN_WINDOW:
            return earlier, earlier
        # Outside the window the token may be used again.
        earlier.created_at, earlier.request_id, earlier.result_id = now, request_id, None
        return earlier, None
    row = RequestToken(requester_id=requester_id, scope=scope, token=token, created_at=now,
                       request_id=request_id)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # A concurrent retry spent it first and has committed; it wins.
        winner = session.scalar(query)
        return winner, winner
    return row, None
