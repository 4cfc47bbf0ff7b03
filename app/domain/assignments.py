"""The assignment state machine (spec §5.1), decided from stored facts at a given moment.

Stored status can lag the clock: an acceptance whose deadline has passed is Abandoned, and a submission
whose AutoApprovalTime has come is Approved, whether or not the sweeper has written that down yet.
Every reader goes through ``effective_status`` so reads agree before and after the sweeper runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ACCEPTED = "Accepted"
SUBMITTED = "Submitted"
APPROVED = "Approved"
REJECTED = "Rejected"
RETURNED = "Returned"
ABANDONED = "Abandoned"

#: the statuses the Requester API ever shows; the others "do not exist" for requesters
LISTED = (SUBMITTED, APPROVED, REJECTED)
#: a rejection can be overturned within this long of the submission
OVERRIDE_REJECTION_WINDOW = timedelta(days=30)
FEEDBACK_MAX = 1024
# ASCII 0-8, 11, 12 and 14-31 are refused in RequesterFeedback (the docs' list: tab, LF and CR are allowed).
_FORBIDDEN_FEEDBACK = frozenset(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32)))


@dataclass(frozen=True)
class Moment:
    """What an assignment looks like at one instant."""

    status: str
    approval_time: datetime | None


def effective(status: str, *, deadline: datetime, auto_approval_time: datetime | None,
              approval_time: datetime | None, now: datetime) -> Moment:
    if status == ACCEPTED and now >= deadline:
        return Moment(ABANDONED, None)
    if status == SUBMITTED and auto_approval_time is not None and now >= auto_approval_time:
        return Moment(APPROVED, auto_approval_time)
    return Moment(status, approval_time)


def deadline(accept_time: datetime, assignment_duration: int) -> datetime:
    return accept_time + timedelta(seconds=assignment_duration)


def auto_approval_time(submit_time: datetime, auto_approval_delay: int) -> datetime:
    return submit_time + timedelta(seconds=auto_approval_delay)


def may_work_on(status: str) -> bool:
    """Submit and return need an acceptance still inside its deadline (the HIT may have expired since)."""
    return status == ACCEPTED


def may_approve(status: str, *, override_rejection: bool, submit_time: datetime | None, now: datetime,
                hit_disposed: bool) -> bool:
    if status == SUBMITTED:
        return True
    return (status == REJECTED and override_rejection and not hit_disposed and submit_time is not None
            and now <= submit_time + OVERRIDE_REJECTION_WINDOW)


def may_reject(status: str) -> bool:
    return status == SUBMITTED


def feedback_problem(feedback: str | None) -> str | None:
    """Why RequesterFeedback is refused, or None."""
    if feedback is None:
        return None
    if len(feedback) > FEEDBACK_MAX:
        return f"The value for parameter RequesterFeedback is too long. It must be at most {FEEDBACK_MAX} characters."
    if any(character in _FORBIDDEN_FEEDBACK for character in feedback):
        return ("The value for parameter RequesterFeedback contains characters that are not allowed "
                "(ASCII 0-8, 11, 12 or 14-31).")
    return None
