"""An assignment's life on the worker side: accept (one HIT, or the next of a group), return, submit.
Every door (worker API, worker site, externalSubmit, CLI, simulated workers) calls these."""

from __future__ import annotations

from pathlib import Path

from kempelen import errors, events, ids
from kempelen.domain import assignments as states
from kempelen.domain import frames
from kempelen.domain import qualifications as quals
from kempelen.domain.hits import ASSIGNABLE, hit_status
from kempelen.operations import hit_events, review_policies
from kempelen.operations.worksite import answers as worker_answers
from kempelen.operations.worksite.context import WorkerContext, check_allowed
from kempelen.operations.worksite.context import find_hit, own_assignment
from kempelen.operations.worksite.uploads import IncomingFile, save_file
from kempelen.operations.worksite.views import assignment_view
from kempelen.questions import Answer, parse_question, write_question_form_answers
from kempelen.store import assignments as store
from kempelen.store import file_uploads
from kempelen.store import hits as hit_store


def accept_hit(ctx: WorkerContext, hit_id: str) -> dict:
    """Accept one assignment of `hit_id`. The HIT row is locked first (SQLite: the write transaction is
    already exclusive), so concurrent accepts count each other and never exceed MaxAssignments."""
    hit, hit_type = find_hit(ctx, hit_id, for_update=True)
    counts = hit_store.assignment_counts(ctx.session, [hit.hit_id], ctx.now)[hit.hit_id]
    status = hit_status(disposed=False, reviewing=hit.reviewing, expiration=hit.expiration,
                        max_assignments=hit.max_assignments, counts=counts, now=ctx.now)
    if store.has_taken(ctx.session, hit.hit_id, ctx.worker.worker_id):
        raise errors.hit_already_taken(hit.hit_id)
    if status != ASSIGNABLE:
        raise errors.hit_not_available(hit.hit_id, status)
    check_allowed(ctx, hit, hit_type, quals.ACCEPT)
    assignment = store.take(ctx.session, assignment_id=ids.assignment_id(hit.hit_id, ctx.worker.worker_id),
                            hit_id=hit.hit_id, worker_id=ctx.worker.worker_id, status=states.ACCEPTED,
                            accept_time=ctx.now, deadline=states.deadline(ctx.now, hit_type.assignment_duration))
    if assignment is None:  # a concurrent accept by the same worker won
        raise errors.hit_already_taken(hit.hit_id)
    events.emit(ctx.session, "AssignmentAccepted", hit, ctx.now, assignment.assignment_id)
    return assignment_view(ctx, assignment, hit, hit_type)


def accept_next(ctx: WorkerContext, hit_type_or_group_id: str) -> dict:
    """Accept the first HIT of a HIT type (or HIT group) that this worker may still take."""
    refusal = None
    for hit_type_id in store.hit_types_by_id_or_group(ctx.session, hit_type_or_group_id):
        for hit_id in store.assignable_hit_ids(ctx.session, ctx.worker.worker_id, ctx.now, limit=20,
                                               hit_type_id=hit_type_id):
            try:
                return accept_hit(ctx, hit_id)
            except errors.WorkerError as exc:
                if exc.code in ("QualificationRequirementNotMet", "WorkerBlocked"):
                    refusal = exc  # the whole type is closed to this worker; say why rather than "none left"
                    break
                if exc.code not in ("HITNotAvailable", "HITAlreadyTaken"):
                    raise
                # taken by someone else since the listing: try the next one
    raise refusal or errors.no_hit_available(hit_type_or_group_id)




def return_assignment(ctx: WorkerContext, assignment_id: str) -> dict:
    assignment, hit, hit_type, status = own_assignment(ctx, assignment_id, for_update=True)
    if not states.may_work_on(status):
        raise errors.assignment_not_active(assignment_id, status)
    assignment.status = states.RETURNED
    assignment.return_time = ctx.now
    events.emit(ctx.session, "AssignmentReturned", hit, ctx.now, assignment.assignment_id)
    hit_events.announce(ctx.session, hit, ctx.now)  # the last pending one of an expired HIT
    return assignment_view(ctx, assignment, hit, hit_type)


def submit_assignment(ctx: WorkerContext, assignment_id: str, *, answers: dict | None = None,
                      question_form_answers: str | None = None,
                      external_fields: list[tuple[str, str]] | None = None,
                      external_files: list[tuple[str, IncomingFile]] = (), upload_dir: Path | None = None) -> dict:
    """Submit exactly one of: a JSON object of answers, a QuestionFormAnswers document, or externalSubmit's
    form fields (whose file parts answer a QuestionForm's FileUploadAnswer questions of the same name; other
    file parts are ignored). Allowed until the deadline, even after the HIT has expired."""
    assignment, hit, hit_type, status = own_assignment(ctx, assignment_id, for_update=True)
    if not states.may_work_on(status):
        raise errors.assignment_not_active(assignment_id, status)
    question = parse_question(hit.question)
    # (uploads are refused for any other question, so a form without a FileUploadAnswer has none to look up)
    uploads = file_uploads.of_assignment(ctx.session, assignment_id) if question.takes_files else {}
    if external_fields is not None:
        parsed = [Answer(name, free_text=text) for name, text in frames.external_answers(external_fields)]
        for name, incoming in external_files:
            # a file input left empty still sends a part, with no file name and no bytes
            if question.kind == "QuestionForm" and question.question(name) and (incoming.file_name or incoming.size):
                record = save_file(ctx, assignment_id, question, name, incoming, upload_dir)
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
    store.mark_hit_done(ctx.session, hit)
    # ScoreMyKnownAnswers judges each submission before the HIT can turn Reviewable (it may extend the HIT).
    review_policies.review_submission(ctx.session, hit, assignment, ctx.now)
    hit_events.announce(ctx.session, hit, ctx.now)
    return assignment_view(ctx, assignment, hit, hit_type)



def accept_from_group(ctx: WorkerContext, group_id: str, hit_id: str | None = None) -> dict:
    """"Accept & Work": the previewed HIT when named (if someone took it meanwhile, the next of its group, as
    MTurk did), else the next HIT of the group."""
    if hit_id:
        try:
            with ctx.session.begin_nested():
                return accept_hit(ctx, hit_id)
        except errors.WorkerError as exc:
            if exc.code not in ("HITNotAvailable", "HITAlreadyTaken"):
                raise
    return accept_next(ctx, group_id)


def next_after_submit(ctx: WorkerContext, group_id: str) -> dict | None:
    """With the worker's auto-accept on, the next HIT of the group just worked on (None: off, or none left)."""
    if not ctx.worker.auto_accept:
        return None
    try:
        with ctx.session.begin_nested():
            return accept_next(ctx, group_id)
    except errors.WorkerError:
        return None
