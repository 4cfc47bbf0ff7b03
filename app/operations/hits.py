"""The HIT operations (spec §5.2, §6.A)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from kempelen import errors, events, ids
from kempelen.domain import hits as rules
from kempelen.domain import review_policies
from kempelen.domain.money import assignment_cost_cents
from kempelen.domain.qualifications import requires_masters
from kempelen.operations import hit_events
from kempelen.operations.account import ensure_funds, is_ledger
from kempelen.operations.context import OperationContext
from kempelen.operations.hit_types import check_length, check_range, find_or_create_hit_type
from kempelen.operations.paging import page_after
from kempelen.operations.projects import layout_question
from kempelen.operations.registry import operation
from kempelen.operations.views import hit_serialized, hit_view
from kempelen.questions import QuestionInvalid, parse_question
from kempelen.schemas import generated as shapes
from kempelen.schemas.writer import Serialized, built
from kempelen.store import hits as store
from kempelen.store import pagination, tokens
from kempelen.store.models import HIT, HITType

REVIEW_POLICY_LEVELS = {"AssignmentReviewPolicy": "Assignment", "HITReviewPolicy": "HIT"}


def load_hit(ctx: OperationContext, hit_id: str, *, for_update: bool = False) -> tuple[HIT, HITType]:
    found = store.get_hit(ctx.session, ctx.requester.access_key_id, hit_id, for_update=for_update)
    if found is None:
        raise errors.hit_does_not_exist(hit_id)
    return found


def hit_shape(ctx: OperationContext, hit: HIT, hit_type: HITType) -> shapes.HIT:
    counts = store.assignment_counts(ctx.session, [hit.hit_id], ctx.now)[hit.hit_id]
    return hit_view(hit, hit_type, counts, ctx.now)


def _status(ctx: OperationContext, hit: HIT, hit_type: HITType) -> tuple[str, rules.AssignmentCounts]:
    counts = store.assignment_counts(ctx.session, [hit.hit_id], ctx.now)[hit.hit_id]
    return hit_view(hit, hit_type, counts, ctx.now).HITStatus, counts


def _policy_json(member: str, policy) -> str | None:
    """The policy as stored on the HIT, once its name and every parameter have been checked (formats §9)."""
    if policy is None:
        return None
    document = policy.model_dump(exclude_none=True)
    try:
        review_policies.parse_policy(REVIEW_POLICY_LEVELS[member], document)
    except review_policies.PolicyInvalid as exc:
        if exc.missing:
            raise errors.missing_parameters(exc.missing) from None
        if exc.out_of_range:
            raise errors.parameter_out_of_range(*exc.out_of_range) from None
        raise errors.invalid_parameter(str(exc)) from None
    return json.dumps(document, separators=(",", ":"))


def extend_hit(ctx: OperationContext, hit: HIT, *, additional_assignments: int = 0,
               expiration: datetime | None = None) -> None:
    """More assignments and/or a later expiration, as CreateAdditionalAssignmentsForHIT, UpdateExpirationForHIT
    and a review policy's extend do it: one HITExtended, and the next expiry and Reviewable are news again."""
    hit.max_assignments += additional_assignments
    if expiration is not None:
        hit.expiration = expiration
    ensure_funds(ctx)  # the new (or reopened) free slots are held
    hit_events.reopen(ctx.session, hit, ctx.now)


def _create(ctx: OperationContext, request, hit_type: HITType) -> shapes.HIT:
    """What CreateHIT and CreateHITWithHITType share once the HIT type is settled."""
    check_range("LifetimeInSeconds", request.LifetimeInSeconds, rules.DURATION_RANGE)
    max_assignments = request.MaxAssignments
    if max_assignments is None:
        max_assignments = rules.DEFAULT_MAX_ASSIGNMENTS
    check_range("MaxAssignments", max_assignments, rules.MAX_ASSIGNMENTS_RANGE)
    check_length("RequesterAnnotation", request.RequesterAnnotation, rules.ANNOTATION_MAX)
    if request.Question is not None and request.HITLayoutId is not None:
        raise errors.invalid_parameter("Provide either a Question or a HITLayoutId, not both.")
    question, layout_parameters = request.Question, None
    if request.HITLayoutId is not None:  # the project's layout, filled in, is the HIT's HTMLQuestion
        question, layout_parameters = layout_question(ctx, request.HITLayoutId, request.HITLayoutParameters)
    elif request.HITLayoutParameters:
        raise errors.missing_parameters("HITLayoutId")
    if question is None:
        raise errors.missing_parameters("Question")
    try:
        parse_question(question)
    except QuestionInvalid as exc:
        raise errors.invalid_question("Question", question, str(exc)) from None
    assignment_policy = _policy_json("AssignmentReviewPolicy", request.AssignmentReviewPolicy)
    hit_policy = _policy_json("HITReviewPolicy", request.HITReviewPolicy)

    hit_id = ids.entity_id()
    if request.UniqueRequestToken is not None:
        spent, earlier = tokens.spend(ctx.session, ctx.requester.access_key_id, "HIT",
                                      request.UniqueRequestToken, ctx.now, ctx.request_id)
        if earlier is not None:
            raise errors.hit_already_exists(earlier.result_id or "")
        spent.result_id = hit_id

    cost = assignment_cost_cents(hit_type.reward_cents, max_assignments=max_assignments,
                                 masters=requires_masters(json.loads(hit_type.qualification_requirements)))
    hit = store.NewHIT(
        hit_id=hit_id, requester_id=ctx.requester.access_key_id, hit_type_id=hit_type.hit_type_id,
        creation_time=ctx.now, expiration=ctx.now + timedelta(seconds=request.LifetimeInSeconds),
        max_assignments=max_assignments, initial_max_assignments=max_assignments, question=question,
        requester_annotation=request.RequesterAnnotation, hit_layout_id=request.HITLayoutId,
        hit_layout_parameters=layout_parameters, assignment_review_policy=assignment_policy,
        hit_review_policy=hit_policy, reviewing=False, disposed_at=None, assignments_done=0,
        assignment_cost_cents=cost, expired_announced=False, reviewable_announced=False)
    # The HIT with its HITCreated event: one statement on PostgreSQL, and the whole unit when nothing came
    # before it and no funds are held after it (last)
    with store.checking_known_type(hit):
        events.emit(ctx.session, "HITCreated", hit, ctx.now, inserting=store.new_row(hit), last=not is_ledger(ctx))
    ensure_funds(ctx)
    return hit_view(hit, hit_type, rules.AssignmentCounts(), ctx.now)


@operation("CreateHIT", defers_check=True)
def create_hit(ctx: OperationContext, request: shapes.CreateHITRequest) -> shapes.CreateHITResponse:
    hit_type = find_or_create_hit_type(
        ctx, title=request.Title, description=request.Description, reward=request.Reward,
        assignment_duration=request.AssignmentDurationInSeconds,
        auto_approval_delay=request.AutoApprovalDelayInSeconds, keywords=request.Keywords,
        qualification_requirements=request.QualificationRequirements, for_new_hit=True)
    return shapes.CreateHITResponse(HIT=_create(ctx, request, hit_type))


@operation("CreateHITWithHITType", defers_check=True)
def create_hit_with_hit_type(ctx: OperationContext, request: shapes.CreateHITWithHITTypeRequest
                             ) -> shapes.CreateHITWithHITTypeResponse:
    hit_type = store.known_hit_type(ctx.session, ctx.requester.access_key_id, request.HITTypeId)
    if hit_type is None:
        raise errors.hit_type_does_not_exist(request.HITTypeId)
    return shapes.CreateHITWithHITTypeResponse(HIT=_create(ctx, request, hit_type))


@operation("GetHIT", writes=False)
def get_hit(ctx: OperationContext, request: shapes.GetHITRequest) -> shapes.GetHITResponse:
    # one prepared statement: the HIT, its type and its counts (a row holds the columns of both)
    row = store.hit_view_row(ctx.session, ctx.requester.access_key_id, request.HITId, ctx.now)
    if row is None:
        raise errors.hit_does_not_exist(request.HITId)
    return shapes.GetHITResponse(HIT=hit_view(row, row, store.counts_of(row), ctx.now))


def _page(ctx: OperationContext, scope: str, request, **filters) -> tuple[list[Serialized], str | None]:
    after = page_after(scope, request.NextToken)
    limit = request.MaxResults or pagination.DEFAULT_PAGE_SIZE
    rows = store.page_of_hit_views(ctx.session, ctx.requester.access_key_id, ctx.now, after=after, limit=limit,
                                   **filters)
    views = [hit_serialized(row, row, store.counts_of(row), ctx.now) for row in rows]
    # A NextToken on every non-empty page, never on an empty one: clients loop on either signal.
    next_token = pagination.encode(scope, rows[-1].seq) if rows else None
    return views, next_token


@operation("ListHITs", writes=False)
def list_hits(ctx: OperationContext, request: shapes.ListHITsRequest) -> shapes.ListHITsResponse:
    views, next_token = _page(ctx, "ListHITs", request)
    return built(shapes.ListHITsResponse, {"NextToken": next_token, "NumResults": len(views), "HITs": views})


@operation("ListReviewableHITs", writes=False)
def list_reviewable_hits(ctx: OperationContext, request: shapes.ListReviewableHITsRequest
                         ) -> shapes.ListReviewableHITsResponse:
    status = request.Status or rules.REVIEWABLE
    views, next_token = _page(ctx, f"ListReviewableHITs:{status}:{request.HITTypeId or ''}", request,
                              status=status, hit_type_id=request.HITTypeId)
    return built(shapes.ListReviewableHITsResponse,
                 {"NextToken": next_token, "NumResults": len(views), "HITs": views})


@operation("UpdateExpirationForHIT")
def update_expiration_for_hit(ctx: OperationContext, request: shapes.UpdateExpirationForHITRequest
                              ) -> shapes.UpdateExpirationForHITResponse:
    hit, hit_type = load_hit(ctx, request.HITId, for_update=True)
    status, _ = _status(ctx, hit, hit_type)
    if status == rules.DISPOSED:
        # MTurk answered "expire now" on a deleted HIT with success, and clients that expire-then-delete rely
        # on it (they learn "already deleted" from the DeleteHIT that follows): nothing changes. Extending
        # a deleted HIT is still refused.
        if request.ExpireAt <= ctx.now:
            return shapes.UpdateExpirationForHITResponse()
        raise errors.hit_in_wrong_state(status, "Assignable, Unassignable, Reviewable, Reviewing")
    # 0 or any moment not in the future expires the HIT now; a future moment sets (and may reopen) it.
    if request.ExpireAt > ctx.now:
        if request.ExpireAt > hit.expiration:
            extend_hit(ctx, hit, expiration=request.ExpireAt)
        else:
            hit.expiration = request.ExpireAt
    else:
        hit.expiration = min(hit.expiration, ctx.now)
        hit_events.announce(ctx.session, hit, ctx.now)
    return shapes.UpdateExpirationForHITResponse()


@operation("UpdateHITReviewStatus")
def update_hit_review_status(ctx: OperationContext, request: shapes.UpdateHITReviewStatusRequest
                             ) -> shapes.UpdateHITReviewStatusResponse:
    hit, hit_type = load_hit(ctx, request.HITId, for_update=True)
    status, _ = _status(ctx, hit, hit_type)
    # Revert=false moves Reviewable -> Reviewing and Revert=true moves back; it never toggles.
    required = rules.REVIEWING if request.Revert else rules.REVIEWABLE
    if status != required:
        raise errors.hit_in_wrong_state(status, required)
    hit.reviewing = not request.Revert
    return shapes.UpdateHITReviewStatusResponse()


@operation("UpdateHITTypeOfHIT")
def update_hit_type_of_hit(ctx: OperationContext, request: shapes.UpdateHITTypeOfHITRequest
                           ) -> shapes.UpdateHITTypeOfHITResponse:
    hit, hit_type = load_hit(ctx, request.HITId, for_update=True)
    new_type = store.get_hit_type(ctx.session, ctx.requester.access_key_id, request.HITTypeId)
    if new_type is None:
        raise errors.hit_type_does_not_exist(request.HITTypeId)
    status, _ = _status(ctx, hit, hit_type)
    if status == rules.DISPOSED:
        raise errors.hit_in_wrong_state(status, "Assignable, Unassignable, Reviewable, Reviewing")
    hit.hit_type_id = new_type.hit_type_id
    return shapes.UpdateHITTypeOfHITResponse()


@operation("DeleteHIT")
def delete_hit(ctx: OperationContext, request: shapes.DeleteHITRequest) -> shapes.DeleteHITResponse:
    hit, hit_type = load_hit(ctx, request.HITId, for_update=True)
    status, counts = _status(ctx, hit, hit_type)
    if not rules.may_delete(status, counts):
        raise errors.hit_in_wrong_state(status, rules.DELETABLE_STATES)
    hit.disposed_at = ctx.now
    events.emit(ctx.session, "HITDisposed", hit, ctx.now)
    return shapes.DeleteHITResponse()


@operation("CreateAdditionalAssignmentsForHIT")
def create_additional_assignments_for_hit(ctx: OperationContext,
                                          request: shapes.CreateAdditionalAssignmentsForHITRequest
                                          ) -> shapes.CreateAdditionalAssignmentsForHITResponse:
    hit, hit_type = load_hit(ctx, request.HITId, for_update=True)
    additional = request.NumberOfAdditionalAssignments
    check_range("NumberOfAdditionalAssignments", additional, rules.MAX_ASSIGNMENTS_RANGE)
    status, _ = _status(ctx, hit, hit_type)
    if status == rules.DISPOSED:
        raise errors.hit_in_wrong_state(status, "Assignable, Unassignable, Reviewable, Reviewing")
    if not rules.may_increase_assignments(hit.initial_max_assignments, hit.max_assignments, additional):
        raise errors.invalid_maximum_assignments_increase(hit.max_assignments, additional)
    check_range("MaxAssignments", hit.max_assignments + additional, rules.MAX_ASSIGNMENTS_RANGE)
    if request.UniqueRequestToken is not None:
        spent, earlier = tokens.spend(ctx.session, ctx.requester.access_key_id, "Assignments",
                                      request.UniqueRequestToken, ctx.now, ctx.request_id)
        if earlier is not None:
            raise errors.idempotency_token_processed(request.UniqueRequestToken, earlier.request_id)
        spent.result_id = hit.hit_id
    extend_hit(ctx, hit, additional_assignments=additional)
    return shapes.CreateAdditionalAssignmentsForHITResponse()
