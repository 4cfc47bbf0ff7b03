"""Qualification requests on the Requester API (spec §5.3, §6.C): the owner's queue of requests that
need a decision. Auto-granted and auto-scored requests never enter it."""

from __future__ import annotations

from kempelen import errors
from kempelen.operations.context import OperationContext
from kempelen.operations.paging import page_after
from kempelen.operations.registry import operation
from kempelen.schemas import generated as shapes
from kempelen.store import messages
from kempelen.store import pagination
from kempelen.store import qualification_requests as store
from kempelen.store import qualifications as qualification_store
from kempelen.store.models import QualificationRequest, QualificationType


def _pending(ctx: OperationContext, request_id: str) -> tuple[QualificationRequest, QualificationType]:
    """The caller's request that waits for a decision. Unknown ones, other requesters' ones, and ones
    already decided (or still in their test) all "do not exist"."""
    found = store.get_with_type(ctx.session, request_id, for_update=True)
    if (found is None or found[1].requester_id != ctx.requester.access_key_id
            or found[0].status != store.PENDING):
        raise errors.qualification_request_does_not_exist(request_id)
    return found


@operation("ListQualificationRequests", writes=False)
def list_qualification_requests(ctx: OperationContext, request: shapes.ListQualificationRequestsRequest
                                ) -> shapes.ListQualificationRequestsResponse:
    type_id = request.QualificationTypeId
    if type_id is not None:
        qualification_type = qualification_store.get_type(ctx.session, type_id)
        if qualification_type is None or qualification_type.requester_id != ctx.requester.access_key_id:
            raise errors.qualification_type_does_not_exist(type_id)
    scope = f"ListQualificationRequests:{type_id or ''}"
    after = page_after(scope, request.NextToken)
    rows = store.pending_page(ctx.session, ctx.requester.access_key_id, qualification_type_id=type_id,
                              after=after, limit=request.MaxResults or pagination.DEFAULT_PAGE_SIZE)
    return shapes.ListQualificationRequestsResponse(
        NumResults=len(rows), NextToken=pagination.encode(scope, rows[-1].seq) if rows else None,
        QualificationRequests=[shapes.QualificationRequest(
            QualificationRequestId=row.qualification_request_id, QualificationTypeId=row.qualification_type_id,
            WorkerId=row.worker_id, Test=row.test, Answer=row.answer, SubmitTime=row.submit_time)
            for row in rows])


@operation("AcceptQualificationRequest")
def accept_qualification_request(ctx: OperationContext, request: shapes.AcceptQualificationRequestRequest
                                 ) -> shapes.AcceptQualificationRequestResponse:
    pending, qualification_type = _pending(ctx, request.QualificationRequestId)
    # No IntegerValue: the qualification only says the worker has it (requirements test Exists).
    qualification_store.grant(ctx.session, qualification_type.qualification_type_id, pending.worker_id,
                              request.IntegerValue, ctx.now)
    pending.status, pending.resolve_time = store.GRANTED, ctx.now
    value = "" if request.IntegerValue is None else f" with the value {request.IntegerValue}"
    messages.deliver(ctx.session, pending.worker_id, ctx.requester.access_key_id,
                     f'Qualification granted: "{qualification_type.name}"',
                     f'Your request for the qualification "{qualification_type.name}" '
                     f"({qualification_type.qualification_type_id}) was granted{value}.", ctx.now)
    return shapes.AcceptQualificationRequestResponse()


@operation("RejectQualificationRequest")
def reject_qualification_request(ctx: OperationContext, request: shapes.RejectQualificationRequestRequest
                                 ) -> shapes.RejectQualificationRequestResponse:
    pending, qualification_type = _pending(ctx, request.QualificationRequestId)
    pending.status, pending.resolve_time, pending.reason = store.REJECTED, ctx.now, request.Reason
    because = f" Reason: {request.Reason}" if request.Reason else ""
    messages.deliver(ctx.session, pending.worker_id, ctx.requester.access_key_id,
                     f'Qualification request rejected: "{qualification_type.name}"',
                     f'Your request for the qualification "{qualification_type.name}" '
                     f"({qualification_type.qualification_type_id}) was rejected.{because}", ctx.now)
    return shapes.RejectQualificationRequestResponse()
