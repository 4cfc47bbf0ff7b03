"""What review policies wrote down: their actions and results, per HIT, in the order they were made."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kempelen import ids
from kempelen.store.models import Assignment, ReviewPolicyAction, ReviewPolicyResult


def add_action(session: Session, *, hit_id: str, level: str, name: str, target_id: str, target_type: str,
               status: str, at: datetime, result: str, error_code: str | None = None) -> ReviewPolicyAction:
    action = ReviewPolicyAction(action_id=ids.entity_id(), hit_id=hit_id, policy_level=level, action_name=name,
                                target_id=target_id, target_type=target_type, status=status, complete_time=at,
                                result=result, error_code=error_code)
    session.add(action)
    return action


def add_result(session: Session, action: ReviewPolicyAction, *, subject_id: str, subject_type: str, key: str,
               value: str, question_id: str | None = None) -> None:
    session.add(ReviewPolicyResult(hit_id=action.hit_id, policy_level=action.policy_level,
                                   action_id=action.action_id, subject_id=subject_id, subject_type=subject_type,
                                   question_id=question_id, key=key, value=value))


def known_answer_scores(session: Session, hit_id: str) -> dict[str, int]:
    """Each assignment's latest KnownAnswerScore on the HIT (ScoreMyKnownAnswers runs once per submission)."""
    session.flush()
    rows = session.execute(select(ReviewPolicyResult.subject_id, ReviewPolicyResult.value)
                           .where(ReviewPolicyResult.hit_id == hit_id,
                                  ReviewPolicyResult.policy_level == "Assignment",
                                  ReviewPolicyResult.key == "KnownAnswerScore",
                                  ReviewPolicyResult.question_id.is_(None))
                           .order_by(ReviewPolicyResult.seq))
    return {assignment_id: int(value) for assignment_id, value in rows}


def done_assignments(session: Session, hit_id: str) -> list[Assignment]:
    """The HIT's submitted, approved and rejected assignments in submission order, locked for the review."""
    return list(session.scalars(select(Assignment)
                                .where(Assignment.hit_id == hit_id,
                                       Assignment.status.in_(("Submitted", "Approved", "Rejected")))
                                .order_by(Assignment.seq).with_for_update()))


def page_of_results(session: Session, hit_id: str, levels: Collection[str], *, after: int, limit: int
                    ) -> list[ReviewPolicyResult]:
    return list(session.scalars(select(ReviewPolicyResult)
                                .where(ReviewPolicyResult.hit_id == hit_id, ReviewPolicyResult.seq > after,
                                       ReviewPolicyResult.policy_level.in_(list(levels)))
                                .order_by(ReviewPolicyResult.seq).limit(limit)))


def page_of_actions(session: Session, hit_id: str, levels: Collection[str], *, after: int, limit: int
                    ) -> list[ReviewPolicyAction]:
    return list(session.scalars(select(ReviewPolicyAction)
                                .where(ReviewPolicyAction.hit_id == hit_id, ReviewPolicyAction.seq > after,
                                       ReviewPolicyAction.policy_level.in_(list(levels)))
                                .order_by(ReviewPolicyAction.seq).limit(limit)))
