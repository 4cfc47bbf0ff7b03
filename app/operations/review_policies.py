"""Running review policies inside the transaction that triggered them, and ListReviewPolicyResultsForHIT.

ScoreMyKnownAnswers runs at each submission (kempelen.operations.worksite.lifecycle.submit_assignment); SimplePlurality runs
once each time the HIT is announced Reviewable (kempelen.operations.hit_events.announce). Their approvals,
rejections and extensions are the very state changes and events the API operations make; each is recorded as
a review action, finished at once (Succeeded or Failed: nothing is left Intended).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kempelen import errors
from kempelen.domain import assignments as states
from kempelen.domain import review_policies as policies
from kempelen.domain.hits import is_disposed
from kempelen.operations import assignments as assignment_ops
from kempelen.operations import hits as hit_ops
from kempelen.operations.context import OperationContext
from kempelen.operations.registry import operation
from kempelen.questions import parse_question, parse_question_form_answers
from kempelen.schemas import generated as shapes
from kempelen.store import pagination
from kempelen.store import review_policies as store
from kempelen.store.models import HIT, Assignment, Requester, ReviewPolicyAction

LEVELS = ("Assignment", "HIT")
SUCCEEDED, FAILED = "Succeeded", "Failed"


def _context(session: Session, hit: HIT, now: datetime) -> OperationContext:
    """The HIT's requester acting, for the shared state changes (the funds check needs the account)."""
    return OperationContext(session=session, requester=session.get(Requester, hit.requester_id), now=now,
                            request_id="", settings=None)


def _status(assignment: Assignment, now: datetime) -> str:
    return states.effective(assignment.status, deadline=assignment.deadline,
                            auto_approval_time=assignment.auto_approval_time,
                            approval_time=assignment.approval_time, now=now).status


def _answers(hit: HIT, assignment: Assignment) -> dict[str, frozenset[str]]:
    # External forms record multi-valued fields as one FreeText joined by "|" (externalSubmit, worker API).
    split = parse_question(hit.question).kind != "QuestionForm"
    return policies.answers_by_question(parse_question_form_answers(assignment.answer or ""), split_free_text=split)


def _act(ctx: OperationContext, hit: HIT, level: str, name: str, target_id: str, target_type: str, status: str,
         result: str, error_code: str | None = None) -> ReviewPolicyAction:
    return store.add_action(ctx.session, hit_id=hit.hit_id, level=level, name=name, target_id=target_id,
                            target_type=target_type, status=status, at=ctx.now, result=result,
                            error_code=error_code)


def _approve(ctx: OperationContext, hit: HIT, level: str, assignment: Assignment, feedback: str | None) -> None:
    status = _status(assignment, ctx.now)
    target = (assignment.assignment_id, "Assignment")
    if status == states.APPROVED:
        _act(ctx, hit, level, "approve", *target, SUCCEEDED, "Already approved")
    elif status == states.SUBMITTED:
        assignment_ops.approve(ctx, assignment, hit, status, feedback)
        _act(ctx, hit, level, "approve", *target, SUCCEEDED, "Approved")
    else:
        _act(ctx, hit, level, "approve", *target, FAILED, f"The assignment is {status}; it cannot be approved",
             errors.invalid_assignment_state().turk_error_code)


def _reject(ctx: OperationContext, hit: HIT, level: str, assignment: Assignment, feedback: str | None) -> None:
    status = _status(assignment, ctx.now)
    target = (assignment.assignment_id, "Assignment")
    if status == states.REJECTED:
        _act(ctx, hit, level, "reject", *target, SUCCEEDED, "Already rejected")
    elif states.may_reject(status):
        assignment_ops.reject(ctx, assignment, hit, feedback)
        _act(ctx, hit, level, "reject", *target, SUCCEEDED, "Rejected")
    else:
        _act(ctx, hit, level, "reject", *target, FAILED, f"The assignment is {status}; it cannot be rejected",
             errors.invalid_assignment_state().turk_error_code)


def _extend(ctx: OperationContext, hit: HIT, level: str, cap: int, minimum_time: int | None) -> None:
    """One more assignment (up to the cap) and, with ExtendMinimumTimeInSeconds, at least that long to run."""
    target = (hit.hit_id, "HIT")
    if is_disposed(hit.disposed_at, hit.creation_time, ctx.now):
        _act(ctx, hit, level, "extend", *target, FAILED, "The HIT is Disposed; it cannot be extended",
             errors.hit_in_wrong_state("Disposed", "").turk_error_code)
        return
    if not policies.extension_allowed(max_assignments=hit.max_assignments,
                                      initial_max_assignments=hit.initial_max_assignments, cap=cap):
        _act(ctx, hit, level, "extend", *target, SUCCEEDED,
             f"Not extended: the HIT already has {hit.max_assignments} assignments "
             f"(ExtendMaximumAssignments {cap}; a HIT created with fewer than 10 stays below 10)")
        return
    expiration = None
    if minimum_time is not None:
        wanted = ctx.now + timedelta(seconds=minimum_time)
        expiration = wanted if wanted > hit.expiration else None
    try:
        # A savepoint: a refused extension (insufficient funds) is recorded as Failed, and the submission or
        # announcement that ran the policy still commits.
        with ctx.session.begin_nested():
            hit_ops.extend_hit(ctx, hit, additional_assignments=1, expiration=expiration)
    except errors.RequestError as exc:
        _act(ctx, hit, level, "extend", *target, FAILED, f"Not extended: {exc.message}", exc.turk_error_code)
        return
    result = f"Extended to {hit.max_assignments} assignments"
    if expiration is not None:
        result += f"; expires at {expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    _act(ctx, hit, level, "extend", *target, SUCCEEDED, result)


def _policy(ctx: OperationContext, hit: HIT, level: str, stored: str, target_id: str):
    """The stored policy, or None (with a Failed review) for one stored before CreateHIT checked parameters:
    a policy that cannot run must not stop the submission or announcement that triggered it."""
    try:
        return policies.parse_policy(level, json.loads(stored))
    except policies.PolicyInvalid as exc:
        _act(ctx, hit, level, "review", target_id, "Assignment" if level == "Assignment" else "HIT", FAILED,
             f"The policy cannot run: {exc}", errors.invalid_parameter("").turk_error_code)
        return None


# --- the hooks -------------------------------------------------------------------------------------------


def review_submission(session: Session, hit: HIT, assignment: Assignment, now: datetime) -> None:
    """ScoreMyKnownAnswers on a just-submitted assignment, if the HIT has it."""
    if hit.assignment_review_policy is None:
        return
    ctx = _context(session, hit, now)
    policy = _policy(ctx, hit, "Assignment", hit.assignment_review_policy, assignment.assignment_id)
    if policy is None:
        return
    review = policies.review_known_answers(policy, _answers(hit, assignment))
    subject = {"subject_id": assignment.assignment_id, "subject_type": "Assignment"}
    action = _act(ctx, hit, "Assignment", "review", assignment.assignment_id, "Assignment", SUCCEEDED,
                  review.summary)
    for question_id, correct in review.correct.items():
        store.add_result(session, action, **subject, question_id=question_id, key="KnownAnswerCorrect",
                         value="1" if correct else "0")
    store.add_result(session, action, **subject, key="KnownAnswerScore", value=str(review.score))
    for decision in policies.known_answer_decisions(policy, review.score):
        if decision == "approve":
            _approve(ctx, hit, "Assignment", assignment, policy.approve_reason)
        elif decision == "reject":
            _reject(ctx, hit, "Assignment", assignment, policy.reject_reason)
        else:
            _extend(ctx, hit, "Assignment", policy.extend_maximum_assignments, policy.extend_minimum_time)


def review_hit(session: Session, hit: HIT, now: datetime) -> None:
    """SimplePlurality on a HIT that has just been announced Reviewable, if the HIT has it."""
    if hit.hit_review_policy is None:
        return
    ctx = _context(session, hit, now)
    policy = _policy(ctx, hit, "HIT", hit.hit_review_policy, hit.hit_id)
    if policy is None:
        return
    known_scores = store.known_answer_scores(session, hit.hit_id)
    counted = {}
    for assignment in store.done_assignments(session, hit.hit_id):
        if policies.counted(policy, rejected=_status(assignment, now) == states.REJECTED,
                            known_answer_score=known_scores.get(assignment.assignment_id)):
            counted[assignment.assignment_id] = assignment
    review = policies.review_plurality(policy, {assignment_id: _answers(hit, assignment)
                                                for assignment_id, assignment in counted.items()})

    action = _act(ctx, hit, "HIT", "review", hit.hit_id, "HIT", SUCCEEDED, review.summary)
    on_hit = {"subject_id": hit.hit_id, "subject_type": "HIT"}
    for question in review.questions:
        found = question.agreed_answer is not None
        store.add_result(session, action, **on_hit, question_id=question.question_id, key="AgreedAnswerFound",
                         value="true" if found else "false")
        if found:
            store.add_result(session, action, **on_hit, question_id=question.question_id, key="AgreedAnswer",
                             value=policies.format_answer(question.agreed_answer))
        if question.score is not None:
            store.add_result(session, action, **on_hit, question_id=question.question_id,
                             key="AnswerAgreementScore", value=str(question.score))
    for assignment_id, worker in review.workers.items():
        if worker.score is None:
            continue
        on_assignment = {"subject_id": assignment_id, "subject_type": "Assignment"}
        store.add_result(session, action, **on_assignment, key="WorkerAgreementScore", value=str(worker.score))
        store.add_result(session, action, **on_assignment, key="PluralityAnswersCorrect", value=str(worker.correct))
        store.add_result(session, action, **on_assignment, key="PluralityAnswersIncorrect",
                         value=str(worker.incorrect))
    store.add_result(session, action, **on_hit, key="HitAgreementScore", value=str(review.hit_score))

    for assignment_id, worker in review.workers.items():
        for decision in policies.worker_decisions(policy, worker.score):
            if decision == "approve":
                _approve(ctx, hit, "HIT", counted[assignment_id], None)
            else:
                _reject(ctx, hit, "HIT", counted[assignment_id], policy.reject_reason)
    if policies.hit_extension_due(policy, review.hit_score):
        _extend(ctx, hit, "HIT", policy.extend_maximum_assignments, policy.extend_minimum_time)


# --- ListReviewPolicyResultsForHIT -----------------------------------------------------------------------


def _result_view(row) -> shapes.ReviewResultDetail:
    return shapes.ReviewResultDetail(ActionId=row.action_id, SubjectId=row.subject_id,
                                     SubjectType=row.subject_type, QuestionId=row.question_id, Key=row.key,
                                     Value=row.value)


def _action_view(row: ReviewPolicyAction) -> shapes.ReviewActionDetail:
    return shapes.ReviewActionDetail(ActionId=row.action_id, ActionName=row.action_name, TargetId=row.target_id,
                                     TargetType=row.target_type, Status=row.status, CompleteTime=row.complete_time,
                                     Result=row.result, ErrorCode=row.error_code)


@operation("ListReviewPolicyResultsForHIT", writes=False)
def list_review_policy_results_for_hit(ctx: OperationContext, request: shapes.ListReviewPolicyResultsForHITRequest
                                       ) -> shapes.ListReviewPolicyResultsForHITResponse:
    hit, _ = hit_ops.load_hit(ctx, request.HITId)
    stored = {"Assignment": hit.assignment_review_policy, "HIT": hit.hit_review_policy}
    levels = [level for level in LEVELS if level in (request.PolicyLevels or LEVELS) and stored[level]]
    with_results = request.RetrieveResults is not False
    with_actions = request.RetrieveActions is not False
    scope = f"ListReviewPolicyResultsForHIT:{hit.hit_id}:{','.join(levels)}:{int(with_results)}{int(with_actions)}"
    # One token carries both positions: each page holds up to MaxResults results and MaxResults actions.
    try:
        position = pagination.decode(scope, request.NextToken, kind=str) or "0.0"
        after_result, after_action = (int(part) for part in position.split("."))
    except (pagination.InvalidToken, ValueError):
        raise errors.invalid_next_token() from None
    limit = request.MaxResults or pagination.DEFAULT_PAGE_SIZE
    results = (store.page_of_results(ctx.session, hit.hit_id, levels, after=after_result, limit=limit)
               if with_results and levels else [])
    actions = (store.page_of_actions(ctx.session, hit.hit_id, levels, after=after_action, limit=limit)
               if with_actions and levels else [])

    response = shapes.ListReviewPolicyResultsForHITResponse(HITId=hit.hit_id)
    for level in levels:
        report = shapes.ReviewReport(
            ReviewResults=[_result_view(row) for row in results if row.policy_level == level]
            if with_results else None,
            ReviewActions=[_action_view(row) for row in actions if row.policy_level == level]
            if with_actions else None)
        policy = shapes.ReviewPolicy(PolicyName=json.loads(stored[level])["PolicyName"])
        if level == "Assignment":
            response.AssignmentReviewPolicy, response.AssignmentReviewReport = policy, report
        else:
            response.HITReviewPolicy, response.HITReviewReport = policy, report
    if results or actions:  # as every List operation: a token on a non-empty page, none on an empty one
        last_result = results[-1].seq if results else after_result
        last_action = actions[-1].seq if actions else after_action
        response.NextToken = pagination.encode(scope, f"{last_result}.{last_action}")
    return response
