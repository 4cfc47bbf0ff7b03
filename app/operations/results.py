"""The results CSV of a batch (or of any of the caller's HITs) in MTurk's batch-results format, streamed, and
the reviewed file coming back: Approve / Reject filled in, each row approved or rejected through the API's
own ApproveAssignment / RejectAssignment.

Streaming: the export walks the HITs a keyset page at a time, twice (first only the Answer field names, which
the header needs, then the rows), so memory does not grow with the batch.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kempelen import errors
from kempelen.domain import assignments as states
from kempelen.domain import results_csv as fmt
from kempelen.operations import assignments as assignment_ops
from kempelen.operations.batches import load_batch
from kempelen.operations.context import OperationContext
from kempelen.questions import QuestionInvalid, parse_question_form_answers
from kempelen.questions.layouts import flattens_objects
from kempelen.schemas import generated as shapes
from kempelen.store import batches as batch_store
from kempelen.store import results as store
from kempelen.store.models import HIT, Assignment, HITType

PAGE_SIZE = 200  # HITs per page of an export
RATES_KEPT = 20_000  # workers whose approval counts an export remembers (a few MB at most)
_IDENTIFIER = re.compile(r"<QuestionIdentifier>([^<]*)</QuestionIdentifier>")


def results_file_name(batch_id: int | str) -> str:
    return f"Batch_{batch_id}_batch_results.csv"


# A page: [(inputs, HIT, HITType)]
Page = list[tuple[dict[str, str], HIT, HITType]]


def _batch_pages(ctx: OperationContext, batch_id: int, columns: list[str], page_size: int) -> Iterator[Page]:
    after = None
    while True:
        rows = batch_store.hits_page(ctx.session, batch_id, ctx.now, after=after, limit=page_size)
        if not rows:
            return
        yield [(dict(zip(columns, json.loads(row.values))), hit, hit_type) for row, hit, hit_type in rows]
        after = rows[-1][0].seq


def _selected_pages(ctx: OperationContext, hit_ids: Sequence[str], page_size: int) -> Iterator[Page]:
    for start in range(0, len(hit_ids), page_size):
        chunk = hit_ids[start:start + page_size]
        found = store.hits_by_id(ctx.session, ctx.requester.access_key_id, chunk)
        yield [(json.loads(found[h][0].hit_layout_parameters or "{}"), *found[h]) for h in chunk if h in found]


def _field_names(ctx: OperationContext, page: Page) -> set[str]:
    """The Answer.* names a page's assignments give, reading only what the names need."""
    flattening = {hit.hit_id for _, hit, _ in page if hit.question and flattens_objects(hit.question)}
    names: set[str] = set()
    for hit_id, answer in store.answers_of(ctx.session, [hit.hit_id for _, hit, _ in page], ctx.now):
        if not answer:
            continue
        if hit_id in flattening and "taskAnswers" in answer:
            names.update(fmt.answer_cells(_answers(answer), flatten_objects=True))
        else:
            names.update(html.unescape(name) for name in _IDENTIFIER.findall(answer))
    return names


def _answers(document: str | None) -> list:
    try:
        return parse_question_form_answers(document or "", check_schema=False)  # stored answers are ours
    except QuestionInvalid:
        return []


def _fixed(hit: HIT, hit_type: HITType, assignment: Assignment, rates: list[tuple[int, int]], now) -> dict:
    moment = states.effective(assignment.status, deadline=assignment.deadline,
                              auto_approval_time=assignment.auto_approval_time,
                              approval_time=assignment.approval_time, now=now)
    work_time = (int((assignment.submit_time - assignment.accept_time).total_seconds())
                 if assignment.submit_time else "")
    return {
        "HITId": hit.hit_id, "HITTypeId": hit.hit_type_id, "Title": hit_type.title,
        "Description": hit_type.description, "Keywords": hit_type.keywords, "Reward": fmt.reward(hit_type.reward_cents),
        "CreationTime": fmt.mturk_time(hit.creation_time), "MaxAssignments": hit.max_assignments,
        "RequesterAnnotation": hit.requester_annotation,
        "AssignmentDurationInSeconds": hit_type.assignment_duration,
        "AutoApprovalDelayInSeconds": hit_type.auto_approval_delay, "Expiration": fmt.mturk_time(hit.expiration),
        "AssignmentId": assignment.assignment_id, "WorkerId": assignment.worker_id,
        "AssignmentStatus": moment.status, "AcceptTime": fmt.mturk_time(assignment.accept_time),
        "SubmitTime": fmt.mturk_time(assignment.submit_time),
        "AutoApprovalTime": fmt.mturk_time(assignment.auto_approval_time),
        "ApprovalTime": fmt.mturk_time(moment.approval_time),
        "RejectionTime": fmt.mturk_time(assignment.rejection_time),
        "RequesterFeedback": assignment.requester_feedback, "WorkTimeInSeconds": work_time,
        "LifetimeApprovalRate": fmt.approval_rate(*rates[0]), "Last30DaysApprovalRate": fmt.approval_rate(*rates[1]),
        "Last7DaysApprovalRate": fmt.approval_rate(*rates[2]),
    }


class _Rates(dict):
    """Workers' approval counts for this requester, each worker's queried once per export. Bounded: past
    RATES_KEPT workers the oldest are forgotten (and queried again if they come back)."""

    def fetch(self, ctx: OperationContext, worker_ids: set[str]) -> "_Rates":
        missing = sorted(worker_ids - self.keys())
        self.update(store.approval_counts(ctx.session, ctx.requester.access_key_id, missing, ctx.now))
        while len(self) > RATES_KEPT:
            del self[next(iter(self))]
        return self


def _rows(ctx: OperationContext, page: Page, plan: list[tuple[int, str]], writer: fmt.Writer, known: _Rates
          ) -> Iterator[str]:
    by_id = {hit.hit_id: (inputs, hit, hit_type) for inputs, hit, hit_type in page}
    assignments = store.assignments_of(ctx.session, list(by_id), ctx.now)
    rates = known.fetch(ctx, {a.worker_id for a in assignments})
    for assignment in assignments:
        inputs, hit, hit_type = by_id[assignment.hit_id]
        flatten = bool(hit.question) and flattens_objects(hit.question)
        answers = fmt.answer_cells(_answers(assignment.answer), flatten_objects=flatten)
        fixed = _fixed(hit, hit_type, assignment, rates[assignment.worker_id], ctx.now)
        yield writer.row(fmt.result_row(plan, fixed, inputs, answers))


def _export(ctx: OperationContext, pages, input_columns: list[str] | None) -> Iterator[str]:
    names: set[str] = set()
    seen_inputs: dict[str, None] = {}
    for page in pages():
        names |= _field_names(ctx, page)
        if input_columns is None:
            for inputs, _, _ in page:
                seen_inputs.update(dict.fromkeys(inputs))
    columns = fmt.header(input_columns if input_columns is not None else list(seen_inputs), names)
    writer, rates, plan = fmt.Writer(), _Rates(), fmt.row_plan(columns)
    yield writer.row(columns)
    for page in pages():
        yield from _rows(ctx, page, plan, writer, rates)


def batch_results_csv(ctx: OperationContext, batch_id: int | str, *, page_size: int = PAGE_SIZE) -> Iterator[str]:
    """The batch's results file, a row of text at a time. Checks the batch now; the rows come as the
    iterator is read (keep the context's transaction open until it is done)."""
    batch = load_batch(ctx, batch_id)
    columns = json.loads(batch.input_columns)
    return _export(ctx, lambda: _batch_pages(ctx, batch.batch_id, columns, page_size), columns)


def hits_results_csv(ctx: OperationContext, hit_ids: Sequence[str], *, page_size: int = PAGE_SIZE
                     ) -> Iterator[str]:
    """The same file for a selection of the caller's HITs (API-made ones included): Input.* are their
    HITLayoutParameters. Every id must be one of the caller's HITs."""
    hit_ids = list(dict.fromkeys(hit_ids))
    for start in range(0, len(hit_ids), 500):
        chunk = hit_ids[start:start + 500]
        found = store.hits_by_id(ctx.session, ctx.requester.access_key_id, chunk)
        missing = [h for h in chunk if h not in found]
        if missing:
            raise errors.hit_does_not_exist(missing[0])
    return _export(ctx, lambda: _selected_pages(ctx, hit_ids, page_size), None)


# --- the reviewed file coming back ------------------------------------------------------------------------


@dataclass
class ReviewOutcome:
    Line: int
    AssignmentId: str
    Action: str | None     # Approve, Reject, or None (the row asked for nothing)
    Result: str            # Approved, Rejected, Unchanged, AlreadyApproved, AlreadyRejected, Error
    Message: str = ""


def _reviewed_rows(csv_data: bytes | str) -> Iterator[tuple[int, dict[str, str]]]:
    text = csv_data.decode("utf-8-sig", errors="replace") if isinstance(csv_data, bytes) else csv_data
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header: list[str] | None = None
    next_line = 1
    for record in reader:
        start, next_line = next_line, reader.line_num + 1
        if header is None:
            header = record
            missing = [c for c in ("AssignmentId", "Approve", "Reject") if c not in header]
            if missing:
                raise errors.BatchCSVInvalid([(1, "The header row must have the columns AssignmentId, Approve "
                                                  f"and Reject of a results file; missing: {', '.join(missing)}.")])
            continue
        if any(cell.strip() for cell in record):
            # Real files have been seen with the empty trailing Approve/Reject cells left off: pad short rows.
            yield start, dict(zip(header, record + [""] * (len(header) - len(record))))
    if header is None:
        raise errors.BatchCSVInvalid([(1, "The file is empty.")])


def _review_one(ctx: OperationContext, line: int, row: dict[str, str], batch_id: int | None) -> ReviewOutcome:
    assignment_id = row.get("AssignmentId", "").strip()
    approve, reject = row.get("Approve", "").strip(), row.get("Reject", "").strip()
    action = "Approve" if approve else "Reject" if reject else None
    outcome = ReviewOutcome(line, assignment_id, action, "Unchanged")
    if action is None:
        return outcome
    if approve and reject:
        outcome.Result, outcome.Message = "Error", "Both Approve and Reject are filled in; fill in one of them."
        return outcome
    try:
        assignment, hit, _, status = assignment_ops.load_assignment(ctx, assignment_id)
        if batch_id is not None and batch_store.batch_of_hit(ctx.session, hit.hit_id) != batch_id:
            raise errors.assignment_does_not_exist(assignment_id)
        wanted = states.APPROVED if approve else states.REJECTED
        if status == wanted:
            outcome.Result = "Already" + wanted
            return outcome
        with ctx.session.begin_nested():  # a refused row leaves the others' decisions in place
            if approve:
                # "x" marks the row; any other text in Approve is taken as the feedback to the worker
                feedback = None if approve.lower() == "x" else approve
                assignment_ops.approve_assignment(ctx, shapes.ApproveAssignmentRequest(
                    AssignmentId=assignment_id, RequesterFeedback=feedback))
            else:
                assignment_ops.reject_assignment(ctx, shapes.RejectAssignmentRequest(
                    AssignmentId=assignment_id, RequesterFeedback=reject))
        outcome.Result = wanted
    except errors.ServiceError as exc:
        outcome.Result, outcome.Message = "Error", exc.message
    return outcome


def review_results_csv(ctx: OperationContext, csv_data: bytes | str, *, batch_id: int | str | None = None
                       ) -> list[ReviewOutcome]:
    """Review from a results file: a row with Approve filled in ("x", or feedback text) is approved, one with
    a reason in Reject is rejected, a row with neither is left as it is. Each row's outcome is reported; a
    refused row does not undo the others. With `batch_id`, only that batch's assignments are taken."""
    number = load_batch(ctx, batch_id).batch_id if batch_id is not None else None
    return [_review_one(ctx, line, row, number) for line, row in _reviewed_rows(csv_data)]
