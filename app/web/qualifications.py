"""The worker API for qualifications: requestable types, requests and tests, one's own scores, the inbox.
Same authentication and error body as app/web/workers.py."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from kempelen import errors
from kempelen.operations.worksite import qualifications as ops
from kempelen.web.workers import ActingFor, Auth, Submission, acting_worker

router = APIRouter(prefix="/api", tags=["qualifications"])


@router.get("/worker/qualification-types")
def list_requestable_types(request: Request, MaxResults: int | None = Query(default=None),  # noqa: N803
                           NextToken: str | None = Query(default=None),  # noqa: N803
                           authorization: str | None = Auth, worker_id: str | None = ActingFor) -> dict:
    """Active qualification types workers may request, oldest first, each with HasTest,
    TestDurationInSeconds, RetryDelayInSeconds, this worker's Qualification (if any), its latest
    request's status, and RequestableAt (when it may request; null while a request is open, or never)."""
    with acting_worker(request, authorization, worker_id, writes=False) as ctx:
        return ops.list_requestable_types(ctx, NextToken, MaxResults)


@router.post("/worker/qualification-types/{qualification_type_id}/request", status_code=201)
def request_qualification(qualification_type_id: str, request: Request, authorization: str | None = Auth,
                          worker_id: str | None = ActingFor) -> dict:
    """Request a qualification. AutoGranted types are Granted at once; a type with a test gives a
    TestStarted request holding the Test, to answer before TestDeadline; otherwise the request is Pending
    until the type's owner accepts or rejects it. Refused while a request is open, and when the type's
    RetryDelayInSeconds (or, without one, the one-request rule) says not yet."""
    with acting_worker(request, authorization, worker_id, writes=True) as ctx:
        return ops.request_qualification(ctx, qualification_type_id)


@router.post("/worker/qualification-requests/{qualification_request_id}/answers")
def answer_test(qualification_request_id: str, body: Submission, request: Request,
                authorization: str | None = Auth, worker_id: str | None = ActingFor) -> dict:
    """Submit the test's answers (as for an assignment: Answers or QuestionFormAnswers) before
    TestDeadline. With an AnswerKey the answers are scored and the request Granted at once."""
    if (body.Answers is None) == (body.QuestionFormAnswers is None):
        raise errors.answers_malformed("Send exactly one of Answers and QuestionFormAnswers.")
    with acting_worker(request, authorization, worker_id, writes=True) as ctx:
        return ops.answer_test(ctx, qualification_request_id, answers=body.Answers,
                               question_form_answers=body.QuestionFormAnswers)


@router.get("/worker/qualifications")
def list_qualifications(request: Request, MaxResults: int | None = Query(default=None),  # noqa: N803
                        NextToken: str | None = Query(default=None),  # noqa: N803
                        authorization: str | None = Auth, worker_id: str | None = ActingFor) -> dict:
    """This worker's qualifications (Granted and Revoked), with their values."""
    with acting_worker(request, authorization, worker_id, writes=False) as ctx:
        return ops.list_qualifications(ctx, NextToken, MaxResults)


@router.get("/worker/messages")
def list_messages(request: Request, MaxResults: int | None = Query(default=None),  # noqa: N803
                  NextToken: str | None = Query(default=None),  # noqa: N803
                  authorization: str | None = Auth, worker_id: str | None = ActingFor) -> dict:
    """This worker's inbox, oldest first: e.g. a qualification request accepted or rejected (with the Reason)."""
    with acting_worker(request, authorization, worker_id, writes=False) as ctx:
        return ops.list_messages(ctx, NextToken, MaxResults)
