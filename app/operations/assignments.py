"""The assignment operations of the Requester API (spec §5.1, §6.B)."""

from __future__ import annotations

from kempelen import errors, events
from kempelen.domain import assignments as states
from kempelen.domain.hits import is_disposed
from kempelen.operations.account import ensure_funds
from kempelen.operations.context import OperationContext
from kempelen.operations.hits import hit_shape, load_hit
from kempelen.operations.paging import page_after
from kempelen.operations.registry import operation
from kempelen.schemas import generated as shapes
from kempelen.store import assignments as store
from kempelen.store import pagination
from kempelen.store.models import HIT, Assignment, HITType


def assignment_view(assignment: Assignment, now) -> shapes.Assignment:
    """How an Assignment looks on the wire at `now` (only listed statuses ever get here)."""
    moment = states.effective(assignment.status, deadline=assignment.deadline,
                              auto_approval_time=assignment.auto_approval_time,
                              approval_time=assignment.approval_time, now=now)
    return shapes.Assignment(
        AssignmentId=assignment.assignment_id,
        WorkerId=assignment.worker_id,
        HITId=assignment.hit_id,
        AssignmentStatus=moment.status,
        AutoApprovalTime=assignment.auto_approval_time,
        AcceptTime=assignment.accept_time,
        SubmitTime=assignment.submit_time,
        ApprovalTime=moment.approval_time,
        RejectionTime=assignment.rejection_time,
        Deadline=assignment.deadline,
        Answer=assignment.answer,
        RequesterFeedback=assignment.requester_feedback,
    )


def load_assignment(ctx: OperationContext, assignment_id: str, *, for_update: bool = False
          ) -> tuple[Assignment, HIT, HITType, str]:
    """The caller's assignment and its status now. In-progress, returned and abandoned assignments, and
    other requesters' ones, "do not exist", as on MTurk."""
    found = store.get_with_hit(ctx.session, assignment_id, for_update=for_update)
    if found is None or found[1].requester_id != ctx.requester.access_key_id:
        raise errors.assignment_does_not_exist(assignment_id)
    assignment, hit, hit_type = found
    status = states.effective(assignment.status, deadline=assignment.deadline,
                              auto_approval_time=assignment.auto_approval_time,
                              approval_time=assignment.approval_time, now=ctx.now).status
    if status not in states.LISTED:
        raise errors.assignment_does_not_exist(assignment_id)
    return assignment, hit, hit_type, status


def _check_feedback(feedback: str | None) -> None:
    problem = states.feedback_problem(feedback)
    if problem:
        raise errors.invalid_parameter(problem)


@operation("GetAssignment", writes=False)
def get_assignment(ctx: OperationContext, request: shapes.GetAssignmentRequest) -> shapes.GetAssignmentResponse:
    assignment, hit, hit_type, _ = load_assignment(ctx, request.AssignmentId)
    return shapes.GetAssignmentResponse(Assignment=assignment_view(assignment, ctx.now),
                                        HIT=hit_shape(ctx, hit, hit_type))


@operation("ListAssignmentsForHIT", writes=False)
def list_assignments_for_hit(ctx: OperationContext, request: shapes.ListAssignmentsForHITRequest
                             ) -> shapes.ListAssignmentsForHITResponse:
    hit, _ = load_hit(ctx, request.HITId)
    wanted = [s for s in states.LISTED if s in (request.AssignmentStatuses or states.LISTED)]
    scope = f"ListAssignmentsForHIT:{hit.hit_id}:{','.join(wanted)}"
    after = page_after(scope, request.NextToken)
    limit = request.MaxResults or pagination.DEFAULT_PAGE_SIZE
    rows = store.page_for_hit(ctx.session, hit.hit_id, wanted, ctx.now, after=after, limit=limit)
    # As ListHITs: a NextToken on every non-empty page, never on an empty one.
    next_token = pagination.encode(scope, rows[-1].seq) if rows else None
    return shapes.ListAssignmentsForHITResponse(
        NextToken=next_token, NumResults=len(rows), Assignments=[assignment_view(a, ctx.now) for a in rows])


@operation("ApproveAssignment")
def approve_assignment(ctx: OperationContext, request: shapes.ApproveAssignmentRequest
                       ) -> shapes.ApproveAssignmentResponse:
    _check_feedback(request.RequesterFeedback)
    assignment, hit, _, status = load_assignment(ctx, request.AssignmentId, for_update=True)
    if not states.may_approve(status, override_rejection=bool(request.OverrideRejection),
                              submit_time=assignment.submit_time, now=ctx.now,
                              hit_disposed=is_disposed(hit.disposed_at, hit.creation_time, ctx.now)):
        raise errors.invalid_assignment_state()
    approve(ctx, assignment, hit, status, request.RequesterFeedback)
    return shapes.ApproveAssignmentResponse()


def approve(ctx: OperationContext, assignment: Assignment, hit: HIT, status: str, feedback: str | None) -> None:
    """The approval itself, once allowed (ApproveAssignment, a review policy's approve)."""
    # An overturned rejection keeps its RejectionTime: the record shows both decisions.
    overturned = status == states.REJECTED
    assignment.status = states.APPROVED
    assignment.approval_time = ctx.now
    if feedback is not None:
        assignment.requester_feedback = feedback
    if overturned:  # its hold was released at rejection: the payment needs funds now
        ensure_funds(ctx)
    events.emit(ctx.session, "AssignmentApproved", hit, ctx.now, assignment.assignment_id)


@operation("RejectAssignment")
def reject_assignment(ctx: OperationContext, request: shapes.RejectAssignmentRequest
                      ) -> shapes.RejectAssignmentResponse:
    if request.RequesterFeedback is None:
        raise errors.missing_parameters("RequesterFeedback")
    _check_feedback(request.RequesterFeedback)
    assignment, hit, _, status = load_assignment(ctx, request.AssignmentId, for_update=True)
    if not states.may_reject(status):
        raise errors.invalid_assignment_state()
    reject(ctx, assignment, hit, request.RequesterFeedback)
    return shapes.RejectAssignmentResponse()


def reject(ctx: OperationContext, assignment: Assignment, hit: HIT, feedback: str | None) -> None:
    """The rejection itself, once allowed (RejectAssignment, a review policy's reject)."""
    assignment.status = states.REJECTED
    assignment.rejection_time = ctx.now
    assignment.requester_feedback = feedback
    events.emit(ctx.session, "AssignmentRejected", hit, ctx.now, assignment.assignment_id)
