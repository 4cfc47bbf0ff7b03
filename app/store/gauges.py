"""What /metrics reports about the stored state (kempelen.observability.metrics): a few indexed counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kempelen.store.models import Assignment, NotificationDelivery


@dataclass(frozen=True)
class State:
    pending_deliveries: int
    failed_deliveries: int
    failed_attempts: int
    open_assignments: int
    sweeper_lag_seconds: float


def read(session: Session, now: datetime) -> State:
    rows = session.execute(select(NotificationDelivery.status, func.count(),
                                  func.coalesce(func.sum(NotificationDelivery.attempts), 0))
                           .group_by(NotificationDelivery.status)).all()
    by_status = {status: (count, attempts) for status, count, attempts in rows}
    pending = by_status.get("Pending", (0, 0))
    failed = by_status.get("Failed", (0, 0))
    delivered = by_status.get("Delivered", (0, 0))
    # every attempt of an undelivered row failed; a delivered row's last attempt is the one that worked
    failed_attempts = int(pending[1]) + int(failed[1]) + int(delivered[1]) - int(delivered[0])
    open_assignments = session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.status == "Accepted", Assignment.deadline > now)) or 0
    # the oldest transition the clock has made due that the sweeper has not written down yet
    overdue = session.scalar(select(func.min(Assignment.deadline)).where(
        Assignment.status == "Accepted", Assignment.deadline <= now))
    approvable = session.scalar(select(func.min(Assignment.auto_approval_time)).where(
        Assignment.status == "Submitted", Assignment.auto_approval_time <= now))
    due = [moment for moment in (overdue, approvable) if moment is not None]
    lag = (now - min(due)).total_seconds() if due else 0.0
    return State(pending_deliveries=int(pending[0]), failed_deliveries=int(failed[0]),
                 failed_attempts=failed_attempts, open_assignments=int(open_assignments),
                 sweeper_lag_seconds=max(lag, 0.0))
