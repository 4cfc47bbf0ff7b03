"""Qualification types and workers' scores, the requester's side (spec §5.4, §5.5, §6.C, §9.1).
Qualification requests (accept, reject, list) live in qualification_requests.py."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from kempelen import errors, ids
from kempelen.domain import hits as hit_rules
from kempelen.domain.qualifications import SYSTEM_QUALIFICATION_TYPES, is_system_type
from kempelen.operations.context import OperationContext
from kempelen.operations.hit_types import check_length
from kempelen.operations.paging import page_after
from kempelen.operations.registry import operation
from kempelen.operations.views import hit_view
from kempelen.questions import QuestionInvalid, check_answer_key, parse_answer_key, parse_test
from kempelen.schemas import generated as shapes
from kempelen.store import hits as hit_store
from kempelen.store import messages, pagination
from kempelen.store import qualifications as store
from kempelen.store.models import QualificationType, Worker

SECONDS_MAX = 100 * 365 * 24 * 3600  # TestDurationInSeconds, RetryDelayInSeconds
GRANTED, REVOKED = "Granted", "Revoked"
#: the moment every system type reports as its CreationTime: the 2017-01-17 API's release
SYSTEM_CREATION_TIME = datetime(2017, 1, 17, tzinfo=timezone.utc)
SYSTEM_DESCRIPTIONS = {
    "Masters": "Workers who have shown consistently high accuracy across many HITs.",
    "Worker_NumberHITsApproved": "The number of the worker's assignments that requesters approved.",
    "Worker_Locale": "The worker's location: a country, and in the US a state.",
    "Worker_Adult": "1 if the worker agreed to see potentially offensive (adult) content, else 0.",
    "Worker_PercentAssignmentsApproved": "The percentage of the worker's submitted assignments that were "
                                         "approved (100 until the worker has submitted 100).",
    "Worker_PercentAssignmentsSubmitted": "The percentage of the worker's accepted assignments that were "
                                          "submitted.",
    "Worker_PercentAssignmentsAbandoned": "The percentage of the worker's accepted assignments that ran out of "
                                          "time.",
    "Worker_PercentAssignmentsReturned": "The percentage of the worker's accepted assignments that were "
                                         "returned.",
    "Worker_PercentAssignmentsRejected": "The percentage of the worker's submitted assignments that were "
                                         "rejected.",
    "Categorization Masters": "Masters for categorization HITs (retired by MTurk; kept for old requirements).",
    "Photo Moderation Masters": "Masters for photo moderation HITs (retired by MTurk; kept for old "
                                "requirements).",
}
#: list position of each system type: keys below every custom type's seq (which starts at 1), so one
#: integer cursor walks the system types first and the custom ones after
SYSTEM_KEYS = {type_id: index - len(SYSTEM_QUALIFICATION_TYPES)
               for index, type_id in enumerate(SYSTEM_QUALIFICATION_TYPES)}
DELETED_REASON = "The QualificationType was deleted by its owner."


# --- views ------------------------------------------------------------------------------------------------


def type_view(qualification_type: QualificationType, caller: str) -> shapes.QualificationType:
    """A custom type on the wire. Only its owner sees the AnswerKey: others could otherwise pass the test."""
    auto_granted = qualification_type.auto_granted
    return shapes.QualificationType(
        QualificationTypeId=qualification_type.qualification_type_id,
        CreationTime=qualification_type.created_at,
        Name=qualification_type.name,
        Description=qualification_type.description,
        Keywords=qualification_type.keywords,
        QualificationTypeStatus=qualification_type.status,
        Test=qualification_type.test,
        TestDurationInSeconds=qualification_type.test_duration if qualification_type.test else None,
        AnswerKey=qualification_type.answer_key if qualification_type.requester_id == caller else None,
        RetryDelayInSeconds=qualification_type.retry_delay,
        IsRequestable=qualification_type.is_requestable,
        AutoGranted=auto_granted,
        AutoGrantedValue=qualification_type.auto_granted_value if auto_granted else None,
    )


def system_type_view(qualification_type_id: str) -> shapes.QualificationType:
    name = SYSTEM_QUALIFICATION_TYPES[qualification_type_id]
    return shapes.QualificationType(
        QualificationTypeId=qualification_type_id, CreationTime=SYSTEM_CREATION_TIME, Name=name,
        Description=SYSTEM_DESCRIPTIONS[name], QualificationTypeStatus="Active", IsRequestable=False,
        AutoGranted=False)


def score_view(score) -> shapes.Qualification:
    return shapes.Qualification(QualificationTypeId=score.qualification_type_id, WorkerId=score.worker_id,
                                GrantTime=score.grant_time, IntegerValue=score.integer_value, Status=score.status)


# --- shared checks ----------------------------------------------------------------------------------------


def _own_type(ctx: OperationContext, qualification_type_id: str, *, for_update: bool = False
              ) -> QualificationType:
    """The caller's live type. Another requester's type, or a system one, exists but is not the caller's."""
    found = store.get_type(ctx.session, qualification_type_id, for_update=for_update)
    if found is None and not is_system_type(qualification_type_id):
        raise errors.qualification_type_does_not_exist(qualification_type_id)
    if found is None or found.requester_id != ctx.requester.access_key_id:
        raise errors.permission_denied()
    return found


def _seconds_in_range(name: str, value: int | None, low: int) -> None:
    # At most a century: the model allows any long, but a deadline or retry time past year 9999 cannot be
    # computed (timedelta overflows) and no test or retry delay needs more.
    if value is not None and not low <= value <= SECONDS_MAX:
        raise errors.parameter_out_of_range(name, value, low, SECONDS_MAX)


def _parsed_test(test: str, duration: int | None):
    if duration is None:
        raise errors.missing_parameters("TestDurationInSeconds")
    _seconds_in_range("TestDurationInSeconds", duration, 1)
    try:
        return parse_test(test)
    except QuestionInvalid as exc:
        raise errors.invalid_question("Test", test, str(exc)) from None


def _check_answer_key(answer_key: str, parsed_test) -> None:
    try:
        check_answer_key(parsed_test, parse_answer_key(answer_key))
    except QuestionInvalid as exc:
        raise errors.invalid_question("AnswerKey", answer_key, str(exc)) from None


def _no_test_when_auto_granted() -> errors.RequestError:
    return errors.invalid_parameter("A QualificationType with a Test cannot be AutoGranted.")


# --- qualification types ----------------------------------------------------------------------------------


@operation("CreateQualificationType")
def create_qualification_type(ctx: OperationContext, request: shapes.CreateQualificationTypeRequest
                              ) -> shapes.CreateQualificationTypeResponse:
    if not (request.Name or "").strip():
        raise errors.missing_parameters("Name")
    check_length("Description", request.Description, hit_rules.DESCRIPTION_MAX, required=True)
    check_length("Keywords", request.Keywords, hit_rules.KEYWORDS_MAX)
    _seconds_in_range("RetryDelayInSeconds", request.RetryDelayInSeconds, 0)
    auto_granted = bool(request.AutoGranted)
    if request.Test is not None:
        if auto_granted:
            raise _no_test_when_auto_granted()
        parsed = _parsed_test(request.Test, request.TestDurationInSeconds)
        if request.AnswerKey is not None:
            _check_answer_key(request.AnswerKey, parsed)
    elif request.AnswerKey is not None:
        raise errors.missing_parameters("Test")
    auto_granted_value = request.AutoGrantedValue
    if auto_granted and auto_granted_value is None:
        auto_granted_value = 1

    created = QualificationType(
        qualification_type_id=ids.entity_id(), requester_id=ctx.requester.access_key_id, name=request.Name,
        live_name=request.Name, description=request.Description, keywords=request.Keywords,
        status=request.QualificationTypeStatus, test=request.Test,
        test_duration=request.TestDurationInSeconds if request.Test is not None else None,
        answer_key=request.AnswerKey, retry_delay=request.RetryDelayInSeconds, auto_granted=auto_granted,
        auto_granted_value=auto_granted_value, is_requestable=True, created_at=ctx.now)
    if not store.add_type(ctx.session, created):
        raise errors.qualification_type_already_exists()
    return shapes.CreateQualificationTypeResponse(QualificationType=type_view(created, created.requester_id))


@operation("GetQualificationType", writes=False)
def get_qualification_type(ctx: OperationContext, request: shapes.GetQualificationTypeRequest
                           ) -> shapes.GetQualificationTypeResponse:
    type_id = request.QualificationTypeId
    if is_system_type(type_id):
        return shapes.GetQualificationTypeResponse(QualificationType=system_type_view(type_id))
    found = store.get_type(ctx.session, type_id)
    if found is None:
        raise errors.qualification_type_does_not_exist(type_id)
    return shapes.GetQualificationTypeResponse(QualificationType=type_view(found, ctx.requester.access_key_id))


@operation("ListQualificationTypes", writes=False)
def list_qualification_types(ctx: OperationContext, request: shapes.ListQualificationTypesRequest
                             ) -> shapes.ListQualificationTypesResponse:
    owned_only = bool(request.MustBeOwnedByCaller)
    # System types are granted by MTurk itself, never requested, and owned by no requester.
    with_system = not request.MustBeRequestable and not owned_only
    text = request.Query or None
    # The scope ties a token to its filters; the query is hashed so tokens stay short.
    digest = hashlib.sha256((text or "").encode()).hexdigest()[:16]
    scope = f"ListQualificationTypes:{int(with_system)}:{int(owned_only)}:{digest}"
    after = page_after(scope, request.NextToken)
    limit = request.MaxResults or pagination.DEFAULT_PAGE_SIZE

    page: list[tuple[int, shapes.QualificationType]] = []
    if with_system:
        needle = (text or "").lower()
        for type_id, key in SYSTEM_KEYS.items():
            name = SYSTEM_QUALIFICATION_TYPES[type_id]
            if (after is None or key > after) and needle in f"{name}\n{SYSTEM_DESCRIPTIONS[name]}".lower():
                page.append((key, system_type_view(type_id)))
        page = page[:limit]
    if len(page) < limit:
        rows = store.page_of_types(ctx.session, ctx.requester.access_key_id, owned_only=owned_only, text=text,
                                   after=after if after is not None and after > 0 else None,
                                   limit=limit - len(page))
        page += [(row.seq, type_view(row, ctx.requester.access_key_id)) for row in rows]
    # As every list: a NextToken on every non-empty page, never on an empty one.
    return shapes.ListQualificationTypesResponse(
        NumResults=len(page), NextToken=pagination.encode(scope, page[-1][0]) if page else None,
        QualificationTypes=[view for _, view in page])


@operation("UpdateQualificationType")
def update_qualification_type(ctx: OperationContext, request: shapes.UpdateQualificationTypeRequest
                              ) -> shapes.UpdateQualificationTypeResponse:
    found = _own_type(ctx, request.QualificationTypeId, for_update=True)
    if request.Description is not None:
        check_length("Description", request.Description, hit_rules.DESCRIPTION_MAX, required=True)
    # Absent means unchanged, so a retry delay, once set, can be changed but never removed.
    _seconds_in_range("RetryDelayInSeconds", request.RetryDelayInSeconds, 0)
    auto_granted = found.auto_granted if request.AutoGranted is None else request.AutoGranted

    if request.Test is not None:
        if not request.Test.strip():
            raise errors.invalid_parameter("A QualificationType's Test cannot be removed.")
        parsed = _parsed_test(request.Test, request.TestDurationInSeconds)
        # A new test without an AnswerKey is scored by the requester: the old key goes.
        if request.AnswerKey is not None:
            _check_answer_key(request.AnswerKey, parsed)
    elif request.AnswerKey is not None or request.TestDurationInSeconds is not None:
        if found.test is None:
            raise errors.missing_parameters("Test")
        _seconds_in_range("TestDurationInSeconds", request.TestDurationInSeconds, 1)
        if request.AnswerKey is not None:
            _check_answer_key(request.AnswerKey, parse_test(found.test))
    if auto_granted and (request.Test is not None or found.test is not None):
        raise _no_test_when_auto_granted()

    if request.Description is not None:
        found.description = request.Description
    if request.QualificationTypeStatus is not None:
        found.status = request.QualificationTypeStatus
    if request.RetryDelayInSeconds is not None:
        found.retry_delay = request.RetryDelayInSeconds
    if request.Test is not None:
        found.test, found.answer_key = request.Test, request.AnswerKey
    elif request.AnswerKey is not None:
        found.answer_key = request.AnswerKey
    if request.TestDurationInSeconds is not None:
        found.test_duration = request.TestDurationInSeconds
    found.auto_granted = auto_granted
    if request.AutoGrantedValue is not None:
        found.auto_granted_value = request.AutoGrantedValue
    if auto_granted and found.auto_granted_value is None:
        found.auto_granted_value = 1
    return shapes.UpdateQualificationTypeResponse(QualificationType=type_view(found, found.requester_id))


@operation("DeleteQualificationType")
def delete_qualification_type(ctx: OperationContext, request: shapes.DeleteQualificationTypeRequest
                              ) -> shapes.DeleteQualificationTypeResponse:
    found = _own_type(ctx, request.QualificationTypeId, for_update=True)
    # MTurk took up to 48 hours and kept the name until then; Kempelen deletes at once and frees the name.
    # Granted scores stay, as on MTurk; requests still open are rejected.
    found.deleted_at, found.live_name = ctx.now, None
    for worker_id in store.reject_open_requests(ctx.session, found.qualification_type_id, DELETED_REASON,
                                                ctx.now):
        # As RejectQualificationRequest does, the worker is told why.
        messages.deliver(ctx.session, worker_id, ctx.requester.access_key_id,
                         f'Qualification request rejected: "{found.name}"',
                         f'Your request for the qualification "{found.name}" ({found.qualification_type_id}) '
                         f"was rejected. Reason: {DELETED_REASON}", ctx.now)
    return shapes.DeleteQualificationTypeResponse()


# --- workers' scores ----------------------------------------------------------------------------------------


@operation("AssociateQualificationWithWorker")
def associate_qualification_with_worker(ctx: OperationContext,
                                        request: shapes.AssociateQualificationWithWorkerRequest
                                        ) -> shapes.AssociateQualificationWithWorkerResponse:
    found = _own_type(ctx, request.QualificationTypeId)
    if ctx.session.get(Worker, request.WorkerId) is None:
        raise errors.worker_id_invalid()
    store.grant(ctx.session, found.qualification_type_id, request.WorkerId, request.IntegerValue, ctx.now)
    if request.SendNotification is not False:
        value = "with no value" if request.IntegerValue is None else f"with the value {request.IntegerValue}"
        messages.deliver(ctx.session, request.WorkerId, ctx.requester.access_key_id,
                         f"Qualification granted: {found.name}",
                         f'You have been granted the qualification "{found.name}" '
                         f"({found.qualification_type_id}) {value}.", ctx.now)
    return shapes.AssociateQualificationWithWorkerResponse()


@operation("DisassociateQualificationFromWorker")
def disassociate_qualification_from_worker(ctx: OperationContext,
                                           request: shapes.DisassociateQualificationFromWorkerRequest
                                           ) -> shapes.DisassociateQualificationFromWorkerResponse:
    found = _own_type(ctx, request.QualificationTypeId)
    score = store.get_score(ctx.session, found.qualification_type_id, request.WorkerId, for_update=True)
    if score is None or score.status != GRANTED:
        raise errors.qualification_does_not_exist()
    score.status, score.revoke_time, score.revoke_reason = REVOKED, ctx.now, request.Reason
    # The worker is told, with the reason when there is one.
    reason = f" Reason: {request.Reason}" if request.Reason else ""
    messages.deliver(ctx.session, request.WorkerId, ctx.requester.access_key_id,
                     f"Qualification revoked: {found.name}",
                     f'Your qualification "{found.name}" ({found.qualification_type_id}) has been revoked.'
                     f"{reason}", ctx.now)
    return shapes.DisassociateQualificationFromWorkerResponse()


@operation("GetQualificationScore", writes=False)
def get_qualification_score(ctx: OperationContext, request: shapes.GetQualificationScoreRequest
                            ) -> shapes.GetQualificationScoreResponse:
    # A malformed WorkerId never gets here: the model's pattern refuses it first (ValidationException).
    found = _own_type(ctx, request.QualificationTypeId)
    score = store.get_score(ctx.session, found.qualification_type_id, request.WorkerId)
    if score is None:
        raise errors.qualification_does_not_exist()
    if score.status != GRANTED:
        raise errors.qualification_not_granted()
    return shapes.GetQualificationScoreResponse(Qualification=score_view(score))


@operation("ListWorkersWithQualificationType", writes=False)
def list_workers_with_qualification_type(ctx: OperationContext,
                                         request: shapes.ListWorkersWithQualificationTypeRequest
                                         ) -> shapes.ListWorkersWithQualificationTypeResponse:
    found = _own_type(ctx, request.QualificationTypeId)
    statuses = [request.Status] if request.Status else [GRANTED, REVOKED]
    scope = f"ListWorkersWithQualificationType:{found.qualification_type_id}:{request.Status or ''}"
    rows = store.page_of_scores(ctx.session, found.qualification_type_id, statuses,
                                after=page_after(scope, request.NextToken),
                                limit=request.MaxResults or pagination.DEFAULT_PAGE_SIZE)
    return shapes.ListWorkersWithQualificationTypeResponse(
        NextToken=pagination.encode(scope, rows[-1].seq) if rows else None, NumResults=len(rows),
        Qualifications=[score_view(row) for row in rows])


@operation("ListHITsForQualificationType", writes=False)
def list_hits_for_qualification_type(ctx: OperationContext, request: shapes.ListHITsForQualificationTypeRequest
                                     ) -> shapes.ListHITsForQualificationTypeResponse:
    type_id = request.QualificationTypeId
    # Any existing type will do (a requirement may name another requester's type, or a system one);
    # only the caller's own HITs are listed.
    if not is_system_type(type_id) and store.get_type(ctx.session, type_id) is None:
        raise errors.qualification_type_does_not_exist(type_id)
    scope = f"ListHITsForQualificationType:{type_id}"
    rows = store.page_of_hits_requiring(ctx.session, ctx.requester.access_key_id, type_id, ctx.now,
                                        after=page_after(scope, request.NextToken),
                                        limit=request.MaxResults or pagination.DEFAULT_PAGE_SIZE)
    counts = hit_store.assignment_counts(ctx.session, [hit.hit_id for hit, _ in rows], ctx.now)
    return shapes.ListHITsForQualificationTypeResponse(
        NextToken=pagination.encode(scope, rows[-1][0].seq) if rows else None, NumResults=len(rows),
        HITs=[hit_view(hit, hit_type, counts[hit.hit_id], ctx.now) for hit, hit_type in rows])
