"""The HIT state machine: status and assignment counts, derived from facts at a given moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

# Limits MTurk enforced on HITs and HIT types (spec §10).
TITLE_MAX = 128
DESCRIPTION_MAX = 2000
KEYWORDS_MAX = 1000
ANNOTATION_MAX = 255
QUESTION_MAX_BYTES = 65535
DURATION_RANGE = (30, 31_536_000)          # AssignmentDurationInSeconds, LifetimeInSeconds
AUTO_APPROVAL_RANGE = (0, 2_592_000)       # AutoApprovalDelayInSeconds
MAX_ASSIGNMENTS_RANGE = (1, 1_000_000_000)
DEFAULT_AUTO_APPROVAL_DELAY = 2_592_000
DEFAULT_MAX_ASSIGNMENTS = 1
QUALIFICATION_REQUIREMENTS_MAX = 10
# A HIT created with fewer than this many assignments can never reach it (CreateAdditionalAssignmentsForHIT).
ASSIGNMENT_INCREASE_THRESHOLD = 10
# MTurk disposed of HITs on its own 120 days after creation.
AUTO_DISPOSE_AFTER = timedelta(days=120)

ASSIGNABLE = "Assignable"
UNASSIGNABLE = "Unassignable"
REVIEWABLE = "Reviewable"
REVIEWING = "Reviewing"
DISPOSED = "Disposed"
DELETABLE_STATES = "Reviewing, Reviewable"


class AssignmentCounts(NamedTuple):
    """Pending: accepted and still within their deadline. Done: Submitted, Approved or Rejected. (A named
    tuple: every HIT of a listing makes one, and a frozen dataclass costs several times as much to build.)"""

    pending: int = 0
    submitted: int = 0
    completed: int = 0  # Approved + Rejected only; Submitted-but-unreviewed is in none of MTurk's counts

    def available(self, max_assignments: int) -> int:
        return max(0, max_assignments - self.pending - self.submitted - self.completed)


def is_disposed(disposed_at: datetime | None, creation_time: datetime, now: datetime) -> bool:
    return disposed_at is not None or now >= creation_time + AUTO_DISPOSE_AFTER


def hit_status(*, disposed: bool, reviewing: bool, expiration: datetime, max_assignments: int,
               counts: AssignmentCounts, now: datetime) -> str:
    if disposed:
        return DISPOSED
    if reviewing:
        return REVIEWING
    if now < expiration and counts.available(max_assignments) > 0:
        return ASSIGNABLE
    if counts.pending > 0:
        return UNASSIGNABLE
    return REVIEWABLE


def may_delete(status: str, counts: AssignmentCounts) -> bool:
    """DeleteHIT: Reviewable or Reviewing, with nothing in progress and nothing left to review."""
    return status in (REVIEWABLE, REVIEWING) and counts.pending == 0 and counts.submitted == 0


def may_increase_assignments(initial_max: int, current_max: int, additional: int) -> bool:
    if initial_max >= ASSIGNMENT_INCREASE_THRESHOLD:
        return True
    return current_max + additional < ASSIGNMENT_INCREASE_THRESHOLD
