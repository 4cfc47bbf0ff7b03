"""SendBonus and ListBonusPayments (spec §6.E)."""

from __future__ import annotations

from sqlalchemy import select

from kempelen import errors
from kempelen.domain import assignments as states
from kempelen.domain.money import bonus_fee, format_amount, parse_amount, to_cents
from kempelen.operations.account import ensure_funds
from kempelen.operations.assignments import load_assignment
from kempelen.operations.context import OperationContext
from kempelen.operations.hit_types import check_payment
from kempelen.operations.paging import page_after
from kempelen.operations.registry import operation
from kempelen.schemas import generated as shapes
from kempelen.store import pagination, tokens
from kempelen.store.models import BonusPayment

#: SendBonus works on assignments the requester can see and has not refused to pay for
BONUSABLE = (states.SUBMITTED, states.APPROVED)


@operation("SendBonus")
def send_bonus(ctx: OperationContext, request: shapes.SendBonusRequest) -> shapes.SendBonusResponse:
    amount = parse_amount(request.BonusAmount)
    if amount <= 0:
        raise errors.parameter_out_of_range("BonusAmount", request.BonusAmount, "0.01", "the account balance")
    check_payment("BonusAmount", request.BonusAmount, "0.01")
    if not (request.Reason or "").strip():
        raise errors.missing_parameters("Reason")
    # in progress, returned or abandoned: it does not exist (Mephisto#1081)
    assignment, hit, _, status = load_assignment(ctx, request.AssignmentId)
    if assignment.worker_id != request.WorkerId:
        raise errors.invalid_parameter(f"Assignment {request.AssignmentId} was not worked on by worker "
                                       f"{request.WorkerId}.")
    if status not in BONUSABLE:
        raise errors.invalid_assignment_state("Approved, Submitted")
    if request.UniqueRequestToken is not None:
        spent, earlier = tokens.spend(ctx.session, ctx.requester.access_key_id, "Bonus", request.UniqueRequestToken,
                                      ctx.now, ctx.request_id)
        if earlier is not None:
            raise errors.idempotency_token_processed(request.UniqueRequestToken, earlier.request_id)
        spent.result_id = assignment.assignment_id
    ctx.session.add(BonusPayment(
        requester_id=ctx.requester.access_key_id, worker_id=assignment.worker_id,
        assignment_id=assignment.assignment_id, hit_id=hit.hit_id, amount_cents=to_cents(amount),
        fee_cents=to_cents(bonus_fee(amount)), reason=request.Reason, grant_time=ctx.now))
    ensure_funds(ctx)
    return shapes.SendBonusResponse()


@operation("ListBonusPayments", writes=False)
def list_bonus_payments(ctx: OperationContext, request: shapes.ListBonusPaymentsRequest
                        ) -> shapes.ListBonusPaymentsResponse:
    if (request.HITId is None) == (request.AssignmentId is None):
        raise errors.missing_parameters("HITId or AssignmentId (exactly one)")
    query = select(BonusPayment).where(BonusPayment.requester_id == ctx.requester.access_key_id)
    if request.HITId is not None:
        from kempelen.operations.hits import load_hit

        load_hit(ctx, request.HITId)  # an unknown or foreign HIT "does not exist"
        query, scope = query.where(BonusPayment.hit_id == request.HITId), f"ListBonusPayments:H:{request.HITId}"
    else:
        query = query.where(BonusPayment.assignment_id == request.AssignmentId)
        scope = f"ListBonusPayments:A:{request.AssignmentId}"
    after = page_after(scope, request.NextToken)
    if after is not None:
        query = query.where(BonusPayment.seq > after)
    rows = list(ctx.session.scalars(query.order_by(BonusPayment.seq)
                                    .limit(request.MaxResults or pagination.DEFAULT_PAGE_SIZE)))
    return shapes.ListBonusPaymentsResponse(
        NumResults=len(rows), NextToken=pagination.encode(scope, rows[-1].seq) if rows else None,
        BonusPayments=[shapes.BonusPayment(WorkerId=b.worker_id, BonusAmount=format_amount(b.amount_cents),
                                           AssignmentId=b.assignment_id, Reason=b.reason, GrantTime=b.grant_time)
                       for b in rows])
