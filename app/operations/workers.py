"""The worker side: what MTurk's worker site did, as functions every door (worker API, CLI, externalSubmit,
pages) shares. Views are plain dicts in MTurk's vocabulary, ready for JSON.
"""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kempelen import errors, events, ids
from kempelen.domain import assignments as states
from kempelen.domain import frames
from kempelen.domain import qualifications as quals
from kempelen.domain.hits import ASSIGNABLE, hit_status, is_disposed
from kempelen.domain.money import format_amount
from kempelen.events import transports
from kempelen.operations import hit_events, review_policies, worker_answers
from kempelen.questions import Answer, parse_question, write_question_form_answers
from kempelen.questions.model import FileUploadAnswer, Question
from kempelen.store import assignments as store
from kempelen.store import file_uploads
from kempelen.store import hits as hit_store
from kempelen.store import ledger, pagination
from kempelen.store import qualifications as qualification_store
from kempelen.store import worker_blocks
from kempelen.store import workers as worker_store
from kempelen.store.models import HIT, Assignment, FileUpload, HITType, Worker

WORKER_ID_MAX = 64
EMAIL_MAX = 254  # the longest address SMTP carries (RFC 5321)


@dataclass
class WorkerContext:
    session: Session
    worker: Worker
    now: datetime
    #: the origin workers reach this server at: turkSubmitTo, and the host of HTMLQuestion frames
    public_url: str
    _values: dict | None = None

    def qualification_values(self) -> dict[str, quals.Value]:
        """The worker's value for every system type and every granted custom type, read once per request."""
        if self._values is None:
            stats = store.worker_statistics(self.session, self.worker.worker_id, self.now)
            worker = self.worker
            self._values = quals.system_values(stats, country=worker.locale_country,
                                               subdivision=worker.locale_subdivision, adult=worker.adult,
                                               masters=worker.masters)
            self._values.update(qualification_store.granted_values(self.session, worker.worker_id))
        return self._values


def check_allowed(ctx: WorkerContext, hit: HIT, hit_type: HITType, action: str) -> None:
    """Blocks, then the requirements guarding `action` (Discover, Preview or Accept)."""
    if worker_blocks.is_blocked(ctx.session, hit.requester_id, ctx.worker.worker_id):
        raise errors.worker_blocked(hit.requester_id)
    requirements = parsed_requirements(hit_type.qualification_requirements)
    if not requirements:
        return
    values = ctx.qualification_values()
    unmet = quals.first_unmet(requirements, values, action)
    if unmet is not None:
        type_id = unmet["QualificationTypeId"]
        name = quals.SYSTEM_QUALIFICATION_TYPES.get(type_id)
        if name is None:
            found = qualification_store.types_by_id(ctx.session, [type_id]).get(type_id)
            name = found.name if found else type_id
        raise errors.qualification_requirement_not_met(quals.describe_unmet(unmet, name, values.get(type_id)))


def hidden_hit_types(ctx: WorkerContext) -> set[str]:
    """HIT types whose DiscoverPreviewAndAccept requirements this worker fails: left out of listings."""
    guarded = hit_store.discover_guarded_types(ctx.session)
    if not guarded:
        return set()
    values = ctx.qualification_values()
    return {type_id for type_id, requirements in guarded
            if quals.first_unmet(parsed_requirements(requirements), values, quals.DISCOVER) is not None}


@lru_cache(maxsize=8192)
def parsed_requirements(text: str) -> tuple[dict, ...]:
    """A HIT type's QualificationRequirements, parsed once per process: a HIT type never changes them, and a
    worker's listing evaluates every discover-guarded type. Callers must not modify the dicts."""
    return tuple(json.loads(text))


# --- accounts -----------------------------------------------------------------------------------------


def create_worker(session: Session, now: datetime, worker_id: str | None = None) -> tuple[Worker, str]:
    """A new worker and its API token (shown this once; only its digest is kept)."""
    if worker_id is not None and (len(worker_id) > WORKER_ID_MAX or not ids.WORKER_ID.match(worker_id)):
        raise errors.invalid_worker_id(worker_id)
    token = secrets.token_urlsafe(32)
    worker = worker_store.create(session, worker_id or ids.worker_id(), token, now)
    if worker is None:
        raise errors.worker_already_exists(worker_id)
    return worker, token


def worker_view(session: Session, worker: Worker, now: datetime) -> dict:
    stats = store.worker_statistics(session, worker.worker_id, now)
    locale = {"Country": worker.locale_country}
    if worker.locale_subdivision:
        locale["Subdivision"] = worker.locale_subdivision
    rewards, bonuses = ledger.worker_earnings_cents(session, worker.worker_id, now)
    view = {"WorkerId": worker.worker_id, "CreationTime": worker.created_at, "Statistics": stats.as_dict(),
            "Locale": locale, "Adult": worker.adult, "Masters": worker.masters,
            "Earnings": {"Rewards": format_amount(rewards), "Bonuses": format_amount(bonuses),
                         "Total": format_amount(rewards + bonuses)}}
    if worker.email:
        view["Email"] = worker.email
    return view


def set_profile(worker: Worker, *, country: str | None = None, subdivision: str | None = None,
                clear_subdivision: bool = False, adult: bool | None = None, masters: bool | None = None,
                email: str | None = None) -> None:
    """What the system qualifications Worker_Locale, Worker_Adult and Masters read (an admin's call: Kempelen
    has no identity checks or statistical monitoring to decide them), and where NotifyWorkers mails the
    worker ("" removes the address)."""
    if email is not None:
        email = email.strip()
        if email and (len(email) > EMAIL_MAX or transports.destination_problem("Email", email)):
            raise errors.invalid_value(f"Email {email!r} is not an email address such as worker@example.org.")
    if country is not None:
        if not (len(country) == 2 and country.isascii() and country.isalpha() and country.isupper()):
            raise errors.invalid_value(f"Country {country!r} is not an ISO 3166-1 alpha-2 code such as US or DE.")
        worker.locale_country = country
        if country != "US":
            worker.locale_subdivision = None
    if clear_subdivision:
        worker.locale_subdivision = None
    if subdivision is not None:
        if worker.locale_country != "US":
            raise errors.invalid_value("A Subdivision can be set only for the Country US, as on MTurk.")
        if not (1 <= len(subdivision) <= 3 and subdivision.isascii() and subdivision.isalnum()
                and subdivision.isupper()):
            raise errors.invalid_value(f"Subdivision {subdivision!r} is not an ISO 3166-2 code such as CA or NY.")
        worker.locale_subdivision = subdivision
    if adult is not None:
        worker.adult = adult
    if masters is not None:
        worker.masters = masters
    if email is not None:
        worker.email = email or None


# --- HITs ---------------------------------------------------------------------------------------------


def _hit_view(ctx: WorkerContext, hit: HIT, hit_type: HITType, counts=None) -> dict:
    if counts is None:
        counts = hit_store.assignment_counts(ctx.session, [hit.hit_id], ctx.now)[hit.hit_id]
    status = hit_status(disposed=is_disposed(hit.disposed_at, hit.creation_time, ctx.now),
                        reviewing=hit.reviewing, expiration=hit.expiration,
                        max_assignments=hit.max_assignments, counts=counts, now=ctx.now)
    return {
        "HITId": hit.hit_id, "HITTypeId": hit.hit_type_id, "HITGroupId": hit_type.hit_group_id,
        "RequesterId": hit.requester_id, "Title": hit_type.title, "Description": hit_type.description,
        "Keywords": hit_type.keywords, "Reward": format_amount(hit_type.reward_cents),
        "CreationTime": hit.creation_time, "Expiration": hit.expiration, "HITStatus": status,
        "AssignmentDurationInSeconds": hit_type.assignment_duration,
        "AutoApprovalDelayInSeconds": hit_type.auto_approval_delay,
        "MaxAssignments": hit.max_assignments,
        "NumberOfAssignmentsAvailable": counts.available(hit.max_assignments),
        "QualificationRequirements": json.loads(hit_type.qualification_requirements),
    }


def _question_view(ctx: WorkerContext, hit: HIT, assignment_id: str | None) -> dict:
    question = parse_question(hit.question)
    view = {"QuestionType": question.kind, "Question": hit.question, "FrameHeight": question.frame_height,
            "FrameURL": frame_url(ctx.public_url, question, hit.hit_id, assignment_id, ctx.worker.worker_id)}
    return view


def frame_url(public_url: str, question: Question, hit_id: str, assignment_id: str | None,
              worker_id: str | None) -> str | None:
    """Where the work frame points: the ExternalURL, or Kempelen's HTMLQuestion host; None for a
    QuestionForm, which the worker site renders itself."""
    if question.kind == "ExternalQuestion":
        return frames.external_frame_url(question.external_url, hit_id, assignment_id, worker_id, public_url)
    if question.kind == "HTMLQuestion":
        return frames.html_frame_url(public_url, hit_id, assignment_id, worker_id)
    return None


def list_hits(ctx: WorkerContext, next_token: str | None, max_results: int | None,
              hit_type_id: str | None = None) -> dict:
    scope = f"worker-hits:{hit_type_id or ''}"
    after = _cursor(scope, next_token)
    limit = _limit(max_results)
    rows = store.assignable_page(ctx.session, ctx.worker.worker_id, ctx.now, after=after, limit=limit,
                                 hit_type_id=hit_type_id, hidden_hit_types=hidden_hit_types(ctx))
    counts = hit_store.assignment_counts(ctx.session, [hit.hit_id for hit, _ in rows], ctx.now)  # one query a page
    return {"HITs": [_hit_view(ctx, hit, hit_type, counts[hit.hit_id]) for hit, hit_type in rows],
            "NumResults": len(rows),
            "NextToken": pagination.encode(scope, rows[-1][0].seq) if rows else None}


def _find_hit(ctx: WorkerContext, hit_id: str, *, for_update: bool = False) -> tuple[HIT, HITType]:
    found = hit_store.get_hit_any_requester(ctx.session, hit_id, for_update=for_update)
    if found is None or is_disposed(found[0].disposed_at, found[0].creation_time, ctx.now):
        raise errors.worker_hit_does_not_exist(hit_id)
    return found


def preview_hit(ctx: WorkerContext, hit_id: str) -> dict:
    hit, hit_type = _find_hit(ctx, hit_id)
    check_allowed(ctx, hit, hit_type, quals.PREVIEW)
    return {**_hit_view(ctx, hit, hit_type), **_question_view(ctx, hit, None)}


# --- the lifecycle ------------------------------------------------------------------------------------


def accept_hit(ctx: WorkerContext, hit_id: str) -> dict:
    """Accept one assignment of `hit_id`. The HIT row is locked first (SQLite: the write transaction is
    already exclusive), so concurrent accepts count each other and never exceed MaxAssignments."""
    hit, hit_type = _find_hit(ctx, hit_id, for_update=True)
    counts = hit_store.assignment_counts(ctx.session, [hit.hit_id], ctx.now)[hit.hit_id]
    status = hit_status(disposed=False, reviewing=hit.reviewing, expiration=hit.expiration,
                        max_assignments=hit.max_assignments, counts=counts, now=ctx.now)
    if store.of_worker_on_hit(ctx.session, hit.hit_id, ctx.worker.worker_id) is not None:
        raise errors.hit_already_taken(hit.hit_id)
    if status != ASSIGNABLE:
        raise errors.hit_not_available(hit.hit_id, status)
    check_allowed(ctx, hit, hit_type, quals.ACCEPT)
    assignment = Assignment(
        assignment_id=ids.assignment_id(hit.hit_id, ctx.worker.worker_id), hit_id=hit.hit_id,
        worker_id=ctx.worker.worker_id,
        status=states.ACCEPTED, accept_time=ctx.now,
        deadline=states.deadline(ctx.now, hit_type.assignment_duration))
    try:
        with ctx.session.begin_nested():
            ctx.session.add(assignment)
    except IntegrityError:  # the unique (hit, worker) key: a concurrent accept by the same worker won
        raise errors.hit_already_taken(hit.hit_id) from None
    events.emit(ctx.session, "AssignmentAccepted", hit, ctx.now, assignment.assignment_id)
    return assignment_view(ctx, assignment, hit, hit_type)


def accept_next(ctx: WorkerContext, hit_type_or_group_id: str) -> dict:
    """Accept the first HIT of a HIT type (or HIT group) that this worker may still take."""
    refusal = None
    for hit_type_id in store.hit_types_by_id_or_group(ctx.session, hit_type_or_group_id):
        candidates = store.assignable_page(ctx.session, ctx.worker.worker_id, ctx.now, after=None, limit=20,
                                           hit_type_id=hit_type_id)
        for hit, _ in candidates:
            try:
                return accept_hit(ctx, hit.hit_id)
            except errors.WorkerError as exc:
                if exc.code in ("QualificationRequirementNotMet", "WorkerBlocked"):
                    refusal = exc  # the whole type is closed to this worker; say why rather than "none left"
                    break
                if exc.code not in ("HITNotAvailable", "HITAlreadyTaken"):
                    raise
                # taken by someone else since the listing: try the next one
    raise refusal or errors.no_hit_available(hit_type_or_group_id)


def _own_assignment(ctx: WorkerContext, assignment_id: str, *, for_update: bool = False
                    ) -> tuple[Assignment, HIT, HITType, str]:
    found = store.get_with_hit(ctx.session, assignment_id, for_update=for_update)
    # Another worker's assignment does not exist for this one.
    if found is None or found[0].worker_id != ctx.worker.worker_id:
        raise errors.worker_assignment_does_not_exist(assignment_id)
    assignment, hit, hit_type = found
    if for_update:
        # Then the HIT (always assignment first, as the sweeper does): submits and returns on one HIT take
        # turns, so the one that leaves it Reviewable sees the others' work and announces it.
        hit_store.lock_hit(ctx.session, hit.hit_id)
    return assignment, hit, hit_type, _status(assignment, ctx.now)


def _status(assignment: Assignment, now: datetime) -> str:
    return states.effective(assignment.status, deadline=assignment.deadline,
                            auto_approval_time=assignment.auto_approval_time,
                            approval_time=assignment.approval_time, now=now).status


def return_assignment(ctx: WorkerContext, assignment_id: str) -> dict:
    assignment, hit, hit_type, status = _own_assignment(ctx, assignment_id, for_update=True)
    if not states.may_work_on(status):
        raise errors.assignment_not_active(assignment_id, status)
    assignment.status = states.RETURNED
    assignment.return_time = ctx.now
    events.emit(ctx.session, "AssignmentReturned", hit, ctx.now, assignment.assignment_id)
    hit_events.announce(ctx.session, hit, ctx.now)  # the last pending one of an expired HIT
    return assignment_view(ctx, assignment, hit, hit_type)


@dataclass(frozen=True)
class IncomingFile:
    """A file part of a request: its bytes (a file object at the start), size and the browser's labels."""
    content: BinaryIO
    size: int
    file_name: str | None
    content_type: str | None


def _file_question(question: Question, question_identifier: str) -> FileUploadAnswer:
    if question.kind != "QuestionForm":
        raise errors.not_a_file_upload_question(question_identifier, f"the HIT's Question is an {question.kind}, "
                                                                     "whose own page takes care of files")
    form_question = question.question(question_identifier)
    if form_question is None:
        raise errors.not_a_file_upload_question(question_identifier, "the HIT has no question with this identifier")
    spec = form_question.answer_specification
    if not isinstance(spec, FileUploadAnswer):
        raise errors.not_a_file_upload_question(question_identifier, f"it is a {spec.tag} question")
    return spec


def _save_file(ctx: WorkerContext, assignment_id: str, question: Question, question_identifier: str,
               incoming: IncomingFile, upload_dir: Path) -> FileUpload:
    spec = _file_question(question, question_identifier)
    if not spec.min_bytes <= incoming.size <= spec.max_bytes:
        raise errors.uploaded_file_size_invalid(question_identifier, incoming.size, spec.min_bytes, spec.max_bytes)
    return file_uploads.save(ctx.session, upload_dir, assignment_id=assignment_id,
                             question_identifier=question_identifier, content=incoming.content,
                             size=incoming.size, file_name=incoming.file_name,
                             content_type=incoming.content_type, now=ctx.now)


def upload_file(ctx: WorkerContext, assignment_id: str, question_identifier: str, incoming: IncomingFile,
                upload_dir: Path) -> dict:
    """Keep a file for a FileUploadAnswer question of an accepted assignment; the submission then answers
    the question with the returned UploadedFileKey. Each upload is a new file with a new key."""
    _, hit, _, status = _own_assignment(ctx, assignment_id, for_update=True)
    if not states.may_work_on(status):
        raise errors.assignment_not_active(assignment_id, status)
    record = _save_file(ctx, assignment_id, parse_question(hit.question), question_identifier, incoming, upload_dir)
    return {"AssignmentId": assignment_id, "QuestionIdentifier": question_identifier,
            "UploadedFileKey": record.upload_key, "UploadedFileSizeInBytes": record.size,
            "FileName": record.file_name, "ContentType": record.content_type}


def submit_assignment(ctx: WorkerContext, assignment_id: str, *, answers: dict | None = None,
                      question_form_answers: str | None = None,
                      external_fields: list[tuple[str, str]] | None = None,
                      external_files: list[tuple[str, IncomingFile]] = (), upload_dir: Path | None = None) -> dict:
    """Submit exactly one of: a JSON object of answers, a QuestionFormAnswers document, or externalSubmit's
    form fields (whose file parts answer a QuestionForm's FileUploadAnswer questions of the same name; other
    file parts are ignored). Allowed until the deadline, even after the HIT has expired."""
    assignment, hit, hit_type, status = _own_assignment(ctx, assignment_id, for_update=True)
    if not states.may_work_on(status):
        raise errors.assignment_not_active(assignment_id, status)
    question = parse_question(hit.question)
    uploads = file_uploads.of_assignment(ctx.session, assignment_id) if question.kind == "QuestionForm" else {}
    if external_fields is not None:
        parsed = [Answer(name, free_text=text) for name, text in frames.external_answers(external_fields)]
        for name, incoming in external_files:
            # a file input left empty still sends a part, with no file name and no bytes
            if question.kind == "QuestionForm" and question.question(name) and (incoming.file_name or incoming.size):
                record = _save_file(ctx, assignment_id, question, name, incoming, upload_dir)
                parsed.append(Answer(name, uploaded_file_size=record.size, uploaded_file_key=record.upload_key))
    elif question_form_answers is not None:
        parsed = worker_answers.answers_from_xml(question_form_answers)
        worker_answers.check_uploads(parsed, uploads)
    else:
        parsed = worker_answers.answers_from_json(question, answers or {}, uploads)
    assignment.answer = write_question_form_answers(worker_answers.checked(question, parsed))
    assignment.status = states.SUBMITTED
    assignment.submit_time = ctx.now
    assignment.auto_approval_time = states.auto_approval_time(ctx.now, hit_type.auto_approval_delay)
    events.emit(ctx.session, "AssignmentSubmitted", hit, ctx.now, assignment.assignment_id)
    if hit_type.auto_approval_delay == 0:  # approved at submission, as MTurk did with a zero delay
        assignment.status = states.APPROVED
        assignment.approval_time = ctx.now
        events.emit(ctx.session, "AssignmentApproved", hit, ctx.now, assignment.assignment_id)
    store.mark_hit_done(ctx.session, hit.hit_id)
    ctx.session.refresh(hit, ["assignments_done"])
    # ScoreMyKnownAnswers judges each submission before the HIT can turn Reviewable (it may extend the HIT).
    review_policies.review_submission(ctx.session, hit, assignment, ctx.now)
    hit_events.announce(ctx.session, hit, ctx.now)
    return assignment_view(ctx, assignment, hit, hit_type)


# --- reading one's own work ---------------------------------------------------------------------------


def assignment_view(ctx: WorkerContext, assignment: Assignment, hit: HIT, hit_type: HITType) -> dict:
    moment = states.effective(assignment.status, deadline=assignment.deadline,
                              auto_approval_time=assignment.auto_approval_time,
                              approval_time=assignment.approval_time, now=ctx.now)
    view = {
        "AssignmentId": assignment.assignment_id, "WorkerId": assignment.worker_id, "HITId": hit.hit_id,
        "HITTypeId": hit.hit_type_id, "HITGroupId": hit_type.hit_group_id, "Title": hit_type.title,
        "Reward": format_amount(hit_type.reward_cents), "AssignmentStatus": moment.status,
        "AcceptTime": assignment.accept_time, "Deadline": assignment.deadline,
        "SubmitTime": assignment.submit_time, "AutoApprovalTime": assignment.auto_approval_time,
        "ApprovalTime": moment.approval_time, "RejectionTime": assignment.rejection_time,
        "ReturnTime": assignment.return_time, "RequesterFeedback": assignment.requester_feedback,
        "Answer": assignment.answer,
    }
    if moment.status == states.ACCEPTED:
        question = parse_question(hit.question)
        view.update(QuestionType=question.kind, Question=hit.question, FrameHeight=question.frame_height,
                    FrameURL=frame_url(ctx.public_url, question, hit.hit_id, assignment.assignment_id,
                                       assignment.worker_id))
    return view


def get_assignment(ctx: WorkerContext, assignment_id: str) -> dict:
    assignment, hit, hit_type, _ = _own_assignment(ctx, assignment_id)
    return assignment_view(ctx, assignment, hit, hit_type)


def list_assignments(ctx: WorkerContext, next_token: str | None, max_results: int | None) -> dict:
    scope = "worker-assignments"
    after = _cursor(scope, next_token)
    rows = store.page_for_worker(ctx.session, ctx.worker.worker_id, after=after, limit=_limit(max_results))
    return {"Assignments": [assignment_view(ctx, a, h, t) for a, h, t in rows], "NumResults": len(rows),
            "NextToken": pagination.encode(scope, rows[-1][0].seq) if rows else None}


def _cursor(scope: str, token: str | None) -> int | None:
    try:
        return pagination.decode(scope, token)
    except pagination.InvalidToken:
        raise errors.worker_invalid_next_token() from None


def _limit(max_results: int | None) -> int:
    if max_results is None:
        return pagination.DEFAULT_PAGE_SIZE
    if not 1 <= max_results <= 100:
        raise errors.invalid_value("MaxResults must be between 1 and 100.")
    return max_results
