"""NotifyWorkers (spec §6.H): a message to up to 100 workers, into each one's inbox, and by email to those
with an address when an SMTP server is configured (queued in this transaction, sent and retried by the
deliverer: a mail server that is down delays the email but fails nothing)."""

from __future__ import annotations

from sqlalchemy import exists, select

from kempelen import errors
from kempelen.domain import assignments as states
from kempelen.events import outbox
from kempelen.operations.context import OperationContext
from kempelen.operations.registry import operation
from kempelen.schemas import generated as shapes
from kempelen.store import messages
from kempelen.store import workers as worker_store
from kempelen.store.models import HIT, Assignment

SUBJECT_MAX = 200
MESSAGE_MAX = 4096
WORKERS_MAX = 100
NO_WORK_FOR_YOU = "Cannot send a notification to a worker who has not done any work for you."


def _has_reviewed_work(ctx: OperationContext, worker_id: str) -> bool:
    """MTurk let a requester write only to workers whose work it had approved or rejected."""
    reviewed = (Assignment.status.in_((states.APPROVED, states.REJECTED))
                | ((Assignment.status == states.SUBMITTED) & (Assignment.auto_approval_time <= ctx.now)))
    return bool(ctx.session.scalar(select(exists().where(
        Assignment.worker_id == worker_id, Assignment.hit_id == HIT.hit_id,
        HIT.requester_id == ctx.requester.access_key_id, reviewed))))


@operation("NotifyWorkers")
def notify_workers(ctx: OperationContext, request: shapes.NotifyWorkersRequest) -> shapes.NotifyWorkersResponse:
    if not (request.Subject or "").strip():
        raise errors.missing_parameters("Subject")
    if not (request.MessageText or "").strip():
        raise errors.missing_parameters("MessageText")
    if len(request.Subject) > SUBJECT_MAX:
        raise errors.value_too_long("Subject", SUBJECT_MAX)
    if len(request.MessageText) > MESSAGE_MAX:
        raise errors.value_too_long("MessageText", MESSAGE_MAX)
    worker_ids = list(dict.fromkeys(request.WorkerIds or []))
    if not 1 <= len(worker_ids) <= WORKERS_MAX:
        raise errors.parameter_out_of_range("WorkerIds", len(worker_ids), 1, WORKERS_MAX)
    failures = []
    for worker_id in worker_ids:
        worker = worker_store.get(ctx.session, worker_id)
        if worker is None or not _has_reviewed_work(ctx, worker_id):
            failures.append(shapes.NotifyWorkersFailureStatus(
                NotifyWorkersFailureCode="HardFailure", NotifyWorkersFailureMessage=NO_WORK_FOR_YOU,
                WorkerId=worker_id))
            continue
        messages.deliver(ctx.session, worker_id, ctx.requester.access_key_id, request.Subject,
                         request.MessageText, ctx.now)
        if worker.email and ctx.settings.smtp_host:  # the inbox alone reaches the others
            outbox.enqueue_message(ctx.session, worker.email, request.Subject, request.MessageText)
    return shapes.NotifyWorkersResponse(NotifyWorkersFailureStatuses=failures)
