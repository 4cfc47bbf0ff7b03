"""The worker side of qualifications: finding requestable types, requesting one, taking its test, and
reading one's own scores and inbox (spec §5.3, formats §8.4). Views are dicts in MTurk's vocabulary.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kempelen import errors
from kempelen.domain import scoring
from kempelen.operations.worksite import answers as worker_answers
from kempelen.operations.worksite.context import WorkerContext
from kempelen.operations.worksite.paging import cursor, limit_of
from kempelen.questions import parse_answer_key, parse_test, write_question_form_answers
from kempelen.store import messages
from kempelen.store import pagination
from kempelen.store import qualification_requests as store
from kempelen.store import qualifications as qualification_store
from kempelen.store.models import Qualification, QualificationRequest, QualificationType

#: a TestStarted request whose test_deadline has passed: over, and it counts as an attempt
TEST_EXPIRED = "TestExpired"


def effective_status(request: QualificationRequest, now: datetime) -> str:
    if request.status == store.TEST_STARTED and now >= request.test_deadline:
        return TEST_EXPIRED
    return request.status


def retry_time(qualification_type: QualificationType, previous: QualificationRequest | None,
               now: datetime) -> datetime | None:
    """When the worker may request the type again: `now` if it may right away, None if never; a request
    still in progress must end first (callers check that)."""
    if previous is None:
        return now
    if qualification_type.retry_delay is None:
        return None  # no retries: one request per worker, ever, whatever became of it
    return max(now, previous.request_time + timedelta(seconds=qualification_type.retry_delay))


def _in_progress(request: QualificationRequest | None, now: datetime) -> bool:
    return request is not None and effective_status(request, now) in (store.TEST_STARTED, store.PENDING)


# --- views --------------------------------------------------------------------------------------------


def _score_view(score: Qualification | None) -> dict | None:
    if score is None:
        return None
    return {"IntegerValue": score.integer_value, "Status": score.status, "GrantTime": score.grant_time}


def type_view(ctx: WorkerContext, qualification_type: QualificationType, score: Qualification | None,
              previous: QualificationRequest | None) -> dict:
    may_retry_at = None if _in_progress(previous, ctx.now) else retry_time(qualification_type, previous, ctx.now)
    return {
        "QualificationTypeId": qualification_type.qualification_type_id, "Name": qualification_type.name,
        "Description": qualification_type.description, "Keywords": qualification_type.keywords,
        "CreationTime": qualification_type.created_at, "HasTest": qualification_type.test is not None,
        "TestDurationInSeconds": qualification_type.test_duration,
        "RetryDelayInSeconds": qualification_type.retry_delay, "AutoGranted": qualification_type.auto_granted,
        "Qualification": _score_view(score),
        "QualificationRequestId": previous.qualification_request_id if previous else None,
        "QualificationRequestStatus": effective_status(previous, ctx.now) if previous else None,
        # when the worker may (re)request: now or later; None while a request is in progress, or never
        "RequestableAt": may_retry_at,
    }


def request_view(ctx: WorkerContext, request: QualificationRequest, qualification_type: QualificationType,
                 score: Qualification | None = None) -> dict:
    status = effective_status(request, ctx.now)
    return {
        "QualificationRequestId": request.qualification_request_id,
        "QualificationTypeId": request.qualification_type_id, "Name": qualification_type.name,
        "WorkerId": request.worker_id, "Status": status, "RequestTime": request.request_time,
        # the test only while it can still be answered
        "Test": request.test if status == store.TEST_STARTED else None,
        "TestDurationInSeconds": qualification_type.test_duration if request.test is not None else None,
        "TestDeadline": request.test_deadline, "Answer": request.answer, "SubmitTime": request.submit_time,
        "ResolveTime": request.resolve_time, "Reason": request.reason, "Qualification": _score_view(score),
    }


# --- listing and requesting ---------------------------------------------------------------------------


def list_requestable_types(ctx: WorkerContext, next_token: str | None, max_results: int | None) -> dict:
    scope = "worker-qualification-types"
    rows = store.requestable_types_page(ctx.session, after=cursor(scope, next_token), limit=limit_of(max_results))
    type_ids = [row.qualification_type_id for row in rows]
    worker_id = ctx.worker.worker_id
    scores = store.scores_by_type(ctx.session, worker_id, type_ids)
    previous = store.latest_by_type(ctx.session, worker_id, type_ids)
    return {"QualificationTypes": [type_view(ctx, row, scores.get(row.qualification_type_id),
                                             previous.get(row.qualification_type_id)) for row in rows],
            "NumResults": len(rows), "NextToken": pagination.encode(scope, rows[-1].seq) if rows else None}


def request_qualification(ctx: WorkerContext, qualification_type_id: str) -> dict:
    """AutoGranted: granted at once. With a test: TestStarted, the test to answer before TestDeadline.
    Otherwise: Pending, for the type's owner to accept or reject."""
    qualification_type = qualification_store.get_type(ctx.session, qualification_type_id)
    if qualification_type is None:
        raise errors.worker_qualification_type_does_not_exist(qualification_type_id)
    if qualification_type.status != "Active":
        raise errors.qualification_type_not_requestable(qualification_type_id, "it is Inactive")
    if not qualification_type.is_requestable:
        raise errors.qualification_type_not_requestable(qualification_type_id, "workers cannot request it")
    worker_id = ctx.worker.worker_id
    store.lock_worker(ctx.session, worker_id)
    previous = store.latest(ctx.session, qualification_type_id, worker_id)
    if _in_progress(previous, ctx.now):
        raise errors.qualification_request_in_progress(previous.qualification_request_id,
                                                       effective_status(previous, ctx.now))
    may_retry_at = retry_time(qualification_type, previous, ctx.now)
    if may_retry_at is None or may_retry_at > ctx.now:
        raise errors.qualification_retry_not_allowed(qualification_type_id,
                                                     may_retry_at.isoformat() if may_retry_at else None)
    if qualification_type.auto_granted:
        value = 1 if qualification_type.auto_granted_value is None else qualification_type.auto_granted_value
        score = qualification_store.grant(ctx.session, qualification_type_id, worker_id, value, ctx.now)
        request = store.create(ctx.session, qualification_type_id, worker_id, store.GRANTED, ctx.now)
        return request_view(ctx, request, qualification_type, score)
    if qualification_type.test is not None:
        request = store.create(ctx.session, qualification_type_id, worker_id, store.TEST_STARTED, ctx.now,
                               test=qualification_type.test,
                               test_deadline=ctx.now + timedelta(seconds=qualification_type.test_duration))
    else:
        request = store.create(ctx.session, qualification_type_id, worker_id, store.PENDING, ctx.now)
    return request_view(ctx, request, qualification_type)


def answer_test(ctx: WorkerContext, qualification_request_id: str, *, answers: dict | None = None,
                question_form_answers: str | None = None) -> dict:
    """Submit the test's answers before TestDeadline. With an AnswerKey they are scored and the
    qualification granted at once; without one the request waits for the owner (Pending)."""
    found = store.get_with_type(ctx.session, qualification_request_id, for_update=True)
    if found is None or found[0].worker_id != ctx.worker.worker_id:
        raise errors.worker_qualification_request_does_not_exist(qualification_request_id)
    request, qualification_type = found
    status = effective_status(request, ctx.now)
    if status != store.TEST_STARTED:
        raise errors.qualification_test_not_active(qualification_request_id, status)
    test = parse_test(request.test)
    if question_form_answers is not None:
        parsed = worker_answers.answers_from_xml(question_form_answers)
    else:
        parsed = worker_answers.answers_from_json(test, answers or {})
    parsed = worker_answers.checked(test, parsed)
    request.answer = write_question_form_answers(parsed)
    request.submit_time = ctx.now
    # The key scores the test it was written for: a test replaced while the worker took it goes to the owner.
    if qualification_type.answer_key is not None and qualification_type.test == request.test:
        value = scoring.score(parse_answer_key(qualification_type.answer_key), parsed)
        score = qualification_store.grant(ctx.session, qualification_type.qualification_type_id,
                                          request.worker_id, value, ctx.now)
        request.status, request.resolve_time = store.GRANTED, ctx.now
        return request_view(ctx, request, qualification_type, score)
    request.status = store.PENDING
    return request_view(ctx, request, qualification_type)


# --- one's own scores and inbox -----------------------------------------------------------------------


def list_qualifications(ctx: WorkerContext, next_token: str | None, max_results: int | None) -> dict:
    scope = "worker-qualifications"
    rows = store.scores_page(ctx.session, ctx.worker.worker_id, after=cursor(scope, next_token),
                             limit=limit_of(max_results))
    return {"Qualifications": [{"QualificationTypeId": t.qualification_type_id, "Name": t.name,
                                **_score_view(q), "RevokeTime": q.revoke_time, "Reason": q.revoke_reason}
                               for q, t in rows],
            "NumResults": len(rows), "NextToken": pagination.encode(scope, rows[-1][0].seq) if rows else None}


def list_messages(ctx: WorkerContext, next_token: str | None, max_results: int | None) -> dict:
    scope = "worker-messages"
    rows = messages.page(ctx.session, ctx.worker.worker_id, after=cursor(scope, next_token),
                         limit=limit_of(max_results))
    return {"Messages": [{"MessageId": str(m.seq), "RequesterId": m.requester_id, "Subject": m.subject,
                          "Body": m.body, "SendTime": m.created_at} for m in rows],
            "NumResults": len(rows), "NextToken": pagination.encode(scope, rows[-1].seq) if rows else None}


# --- the worker site's pages ----------------------------------------------------------------------------


def get_request(ctx: WorkerContext, qualification_request_id: str) -> dict:
    """One of the worker's own requests (with its test while it can be answered)."""
    found = store.get_with_type(ctx.session, qualification_request_id)
    if found is None or found[0].worker_id != ctx.worker.worker_id:
        raise errors.worker_qualification_request_does_not_exist(qualification_request_id)
    request, qualification_type = found
    return request_view(ctx, request, qualification_type)


def open_requests(ctx: WorkerContext) -> list[dict]:
    """Requests waiting for the worker (a test to take) or for the type's owner (Pending)."""
    return [request_view(ctx, request, qualification_type)
            for request, qualification_type in store.of_worker_open(ctx.session, ctx.worker.worker_id)
            if effective_status(request, ctx.now) in (store.TEST_STARTED, store.PENDING)]
