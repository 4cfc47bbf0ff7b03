"""Worker blocks (spec §6.D). A block hides the requester's HITs from the worker and refuses its accepts;
work already submitted is untouched."""

from __future__ import annotations

from kempelen import errors
from kempelen.operations.context import OperationContext
from kempelen.operations.paging import page_after
from kempelen.operations.registry import operation
from kempelen.schemas import generated as shapes
from kempelen.store import pagination
from kempelen.store import worker_blocks as store

BLOCKS_MAX = 100_000  # per requester (spec §10)


@operation("CreateWorkerBlock")
def create_worker_block(ctx: OperationContext, request: shapes.CreateWorkerBlockRequest
                        ) -> shapes.CreateWorkerBlockResponse:
    if not (request.Reason or "").strip():
        raise errors.missing_parameters("Reason")
    if not store.is_blocked(ctx.session, ctx.requester.access_key_id, request.WorkerId) \
            and store.count(ctx.session, ctx.requester.access_key_id) >= BLOCKS_MAX:
        raise errors.too_many_worker_blocks(BLOCKS_MAX)
    # Blocking an already blocked worker succeeds and keeps the newer reason.
    store.block(ctx.session, ctx.requester.access_key_id, request.WorkerId, request.Reason, ctx.now)
    return shapes.CreateWorkerBlockResponse()


@operation("DeleteWorkerBlock")
def delete_worker_block(ctx: OperationContext, request: shapes.DeleteWorkerBlockRequest
                        ) -> shapes.DeleteWorkerBlockResponse:
    store.unblock(ctx.session, ctx.requester.access_key_id, request.WorkerId)
    return shapes.DeleteWorkerBlockResponse()


@operation("ListWorkerBlocks", writes=False)
def list_worker_blocks(ctx: OperationContext, request: shapes.ListWorkerBlocksRequest
                       ) -> shapes.ListWorkerBlocksResponse:
    scope = "ListWorkerBlocks"
    after = page_after(scope, request.NextToken, kind=str)
    rows = store.page(ctx.session, ctx.requester.access_key_id, after=after,
                      limit=request.MaxResults or pagination.DEFAULT_PAGE_SIZE)
    return shapes.ListWorkerBlocksResponse(
        NextToken=pagination.encode(scope, rows[-1].worker_id) if rows else None, NumResults=len(rows),
        WorkerBlocks=[shapes.WorkerBlock(WorkerId=row.worker_id, Reason=row.reason) for row in rows])
