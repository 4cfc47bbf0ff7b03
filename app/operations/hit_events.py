"""The HIT-level events that follow from state rather than from one call: HITExpired and HITReviewable.

Each is announced once per round: a conditional UPDATE of the HIT's flag decides which transaction (of
however many processes) emits it, and extending the HIT clears the flags for the next round.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from kempelen import events
from kempelen.domain.hits import REVIEWABLE, hit_status, is_disposed
from kempelen.store import hits as hit_store
from kempelen.store.models import HIT


def _claim(session: Session, hit: HIT, flag: str) -> bool:
    column = getattr(HIT, flag)
    claimed = session.execute(update(HIT).where(HIT.hit_id == hit.hit_id, column.is_(False))
                              .values({flag: True}).execution_options(synchronize_session=False)).rowcount
    if claimed:
        setattr(hit, flag, True)
    return bool(claimed)


def announce(session: Session, hit: HIT, now: datetime) -> None:
    """Emit HITExpired and HITReviewable if the HIT has reached them and they were not announced yet."""
    if is_disposed(hit.disposed_at, hit.creation_time, now):
        return
    if now >= hit.expiration and not hit.expired_announced and _claim(session, hit, "expired_announced"):
        events.emit(session, "HITExpired", hit, max(hit.expiration, hit.creation_time))
    if hit.reviewable_announced:
        return
    if _status(session, hit, now) == REVIEWABLE and _claim(session, hit, "reviewable_announced"):
        events.emit(session, "HITReviewable", hit, now)
        # The HIT-level review policy runs once per Reviewable round (imported here: it extends HITs through
        # kempelen.operations.hits, which imports this module).
        from kempelen.operations import review_policies
        review_policies.review_hit(session, hit, now)


def reopen(session: Session, hit: HIT, now: datetime) -> None:
    """After an extension: HITExtended, and the next expiry or review round will be announced afresh."""
    events.emit(session, "HITExtended", hit, now)
    if hit.expiration > now:
        hit.expired_announced = False
    if _status(session, hit, now) != REVIEWABLE:  # reopened: its next Reviewable is news again
        hit.reviewable_announced = False
    announce(session, hit, now)


def _status(session: Session, hit: HIT, now: datetime) -> str:
    session.flush()
    counts = hit_store.assignment_counts(session, [hit.hit_id], now)[hit.hit_id]
    return hit_status(disposed=False, reviewing=hit.reviewing, expiration=hit.expiration,
                      max_assignments=hit.max_assignments, counts=counts, now=now)
