"""Transitions the clock decides, written down with their events: what the sweeper runs.

Readers never depend on this having run (they judge status at their own moment); it makes stored rows
catch up and puts AssignmentAbandoned, AssignmentApproved (auto-approval), HITExpired and HITReviewable
into the outbox, each exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from kempelen import events
from kempelen.domain import assignments as states
from kempelen.operations import hit_events
from kempelen.store import assignments as assignment_store
from kempelen.store import due as due_store
from kempelen.store import hits as hit_store
from kempelen.store.db import Database


@dataclass
class Swept:
    abandoned: int = 0
    approved: int = 0
    hits_announced: int = 0

    @property
    def total(self) -> int:
        return self.abandoned + self.approved + self.hits_announced


def anything_due(db: Database, now: datetime) -> bool:
    """Whether apply_due_transitions(now) would find anything, read without a transaction or the write lock:
    a sweep that finds nothing (nearly every sweep) then costs one indexed SELECT."""
    with db.reading() as unit:
        return due_store.anything_due(unit, now)


def apply_due_transitions(session: Session, now: datetime, batch: int = 500) -> Swept:
    swept = Swept()
    overdue, approvals = assignment_store.due(session, now, batch)
    touched = {}
    for assignment, hit in overdue:
        assignment.status = states.ABANDONED
        events.emit(session, "AssignmentAbandoned", hit, assignment.deadline, assignment.assignment_id)
        touched[hit.hit_id] = hit
        swept.abandoned += 1
    for assignment, hit in approvals:
        # dated when it fell due, not when the sweeper noticed
        assignment.status = states.APPROVED
        assignment.approval_time = assignment.auto_approval_time
        events.emit(session, "AssignmentApproved", hit, assignment.auto_approval_time, assignment.assignment_id)
        swept.approved += 1
    for hit in touched.values():
        hit_events.announce(session, hit, now)
    for hit in hit_store.to_announce(session, now, batch):
        hit_events.announce(session, hit, now)
        swept.hits_announced += 1
    return swept
