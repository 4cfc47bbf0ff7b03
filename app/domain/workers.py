"""Worker statistics, the facts MTurk's system qualifications were computed from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkerStatistics:
    """Counts over every assignment the worker ever accepted, each in its status at one moment.

    ``submitted`` counts every submission (Submitted, Approved or Rejected now); ``accepted`` every
    acceptance, however it ended.
    """

    accepted: int = 0
    submitted: int = 0
    approved: int = 0
    rejected: int = 0
    returned: int = 0
    abandoned: int = 0
    pending: int = 0  # accepted and still within the deadline

    @property
    def approval_rate(self) -> int:
        """PercentAssignmentsApproved: approved of submitted, in whole percent (floor); 100 before any
        submission, as MTurk gave new workers the benefit of the doubt."""
        return percent(self.approved, self.submitted)

    @property
    def rejection_rate(self) -> int:
        return percent(self.rejected, self.submitted, empty=0)

    @property
    def return_rate(self) -> int:
        return percent(self.returned, self.accepted, empty=0)

    @property
    def abandonment_rate(self) -> int:
        return percent(self.abandoned, self.accepted, empty=0)

    @property
    def submission_rate(self) -> int:
        return percent(self.submitted, self.accepted - self.pending)

    def as_dict(self) -> dict[str, int]:
        return {
            "NumberOfAssignmentsAccepted": self.accepted,
            "NumberOfAssignmentsSubmitted": self.submitted,
            "NumberOfAssignmentsApproved": self.approved,
            "NumberOfAssignmentsRejected": self.rejected,
            "NumberOfAssignmentsReturned": self.returned,
            "NumberOfAssignmentsAbandoned": self.abandoned,
            "NumberOfAssignmentsPending": self.pending,
            "PercentAssignmentsApproved": self.approval_rate,
            "PercentAssignmentsRejected": self.rejection_rate,
            "PercentAssignmentsReturned": self.return_rate,
            "PercentAssignmentsAbandoned": self.abandonment_rate,
            "PercentAssignmentsSubmitted": self.submission_rate,
        }


def percent(part: int, whole: int, *, empty: int = 100) -> int:
    return empty if whole <= 0 else (100 * part) // whole
