"""Batches: a project's CSV, one HIT per row. Upload (every bad row reported, nothing kept), preview, publish
(a chunk per transaction, so progress shows while it runs), status counts, cancel, add time or assignments.

Every HIT is made, expired and extended through the Requester API's own operations (CreateHITWithHITType
with the project's HITLayoutId, UpdateExpirationForHIT, CreateAdditionalAssignmentsForHIT), so a batch gets
the same rules, events, fees and funds checks as a script would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel

from kempelen import errors
from kempelen.domain import batch_csv
from kempelen.domain.hits import QUESTION_MAX_BYTES
from kempelen.domain.money import assignment_cost_cents, format_amount, parse_amount, to_cents
from kempelen.domain.qualifications import requires_masters
from kempelen.operations import hits
from kempelen.operations.account import is_ledger
from kempelen.operations.context import OperationContext
from kempelen.operations.hit_types import find_or_create_hit_type
from kempelen.operations.paging import page_after
from kempelen.operations.projects import load_project
from kempelen.questions import layouts
from kempelen.schemas import generated as shapes
from kempelen.store import batches as store
from kempelen.store import ledger, pagination
from kempelen.store.models import Batch, Project

UNPUBLISHED, PUBLISHING, PUBLISHED, CANCELLED = "Unpublished", "Publishing", "Published", "Cancelled"
PUBLISH_CHUNK = 100       # HITs per transaction while publishing: progress shows after each
PREVIEW_ROWS = 200        # MTurk's site previewed at most the first 200 HITs of a file
MAX_PAGE_SIZE = 100
T = TypeVar("T")


class BatchView(BaseModel):
    BatchId: int
    BatchName: str
    HITLayoutId: str
    Status: str
    HITTypeId: str | None
    InputColumns: list[str]
    Properties: dict          # the project's properties at upload, named as in CreateHIT
    NumberOfRows: int
    NumberOfHITsPublished: int
    AssignmentsTotal: int     # MaxAssignments summed over the published HITs
    AssignmentsAvailable: int
    AssignmentsPending: int   # accepted and being worked on ("assigned")
    AssignmentsSubmitted: int
    AssignmentsApproved: int
    AssignmentsRejected: int
    Expiration: datetime | None
    RewardTotal: str          # what the whole batch pays workers if every assignment is approved
    FeesTotal: str            # MTurk's fees on that
    CostTotal: str
    CreationTime: datetime
    PublishTime: datetime | None
    CancelTime: datetime | None


def _cost_cents(properties: Mapping, rows: int) -> tuple[int, int]:
    """(rewards, rewards + fees) in cents for `rows` HITs of these properties, by MTurk's fee schedule."""
    reward = to_cents(parse_amount(properties["Reward"]))
    max_assignments = properties["MaxAssignments"]
    per_assignment = assignment_cost_cents(reward, max_assignments=max_assignments,
                                           masters=requires_masters(properties["QualificationRequirements"]))
    return reward * max_assignments * rows, per_assignment * max_assignments * rows


def batch_view(ctx: OperationContext, batch: Batch) -> BatchView:
    counts = store.counts(ctx.session, batch.batch_id, ctx.now)
    properties = json.loads(batch.properties)
    rewards, total = _cost_cents(properties, batch.row_count)
    return BatchView(
        BatchId=batch.batch_id, BatchName=batch.name, HITLayoutId=batch.hit_layout_id, Status=batch.status,
        HITTypeId=batch.hit_type_id, InputColumns=json.loads(batch.input_columns), Properties=properties,
        NumberOfRows=batch.row_count, NumberOfHITsPublished=batch.published_count,
        AssignmentsTotal=counts.assignments, AssignmentsAvailable=counts.available,
        AssignmentsPending=counts.pending, AssignmentsSubmitted=counts.submitted,
        AssignmentsApproved=counts.approved, AssignmentsRejected=counts.rejected, Expiration=counts.expiration,
        RewardTotal=format_amount(rewards), FeesTotal=format_amount(total - rewards), CostTotal=format_amount(total),
        CreationTime=batch.created_at, PublishTime=batch.published_at, CancelTime=batch.cancelled_at)


def load_batch(ctx: OperationContext, batch_id: int | str, *, for_update: bool = False) -> Batch:
    try:
        number = int(batch_id)
    except (TypeError, ValueError):
        raise errors.batch_does_not_exist(batch_id) from None
    batch = store.get(ctx.session, ctx.requester.access_key_id, number, for_update=for_update)
    if batch is None:
        raise errors.batch_does_not_exist(batch_id)
    return batch


def _properties(project: Project) -> dict:
    return {"Title": project.title, "Description": project.description, "Keywords": project.keywords,
            "Reward": format_amount(project.reward_cents), "MaxAssignments": project.max_assignments,
            "AssignmentDurationInSeconds": project.assignment_duration,
            "LifetimeInSeconds": project.lifetime, "AutoApprovalDelayInSeconds": project.auto_approval_delay,
            "QualificationRequirements": json.loads(project.qualification_requirements),
            "RequesterAnnotation": project.requester_annotation}


def _ensure_batch_funds(ctx: OperationContext, properties: Mapping, rows: int) -> None:
    """Ledger mode: the whole batch's cost (rewards and fees of every assignment) must be covered up front."""
    if not is_ledger(ctx) or rows <= 0:
        return
    _, total = _cost_cents(properties, rows)
    available = ledger.balance(ctx.session, ctx.requester.access_key_id, ctx.now).available_cents
    if total > available:
        raise errors.insufficient_funds()


def check_batch_csv(ctx: OperationContext, hit_layout_id: str, csv_data: bytes | str) -> batch_csv.BatchInput:
    """Read an upload against the project without keeping anything: columns, rows and every problem (each
    with its line number). The site shows these before the requester goes on."""
    project = load_project(ctx, hit_layout_id)
    return batch_csv.read(csv_data, json.loads(project.parameters))


def _oversized_rows(project: Project, parsed: batch_csv.BatchInput) -> list[tuple[int, str]]:
    """Rows whose HIT would carry a Question over MTurk's 65,535 bytes: found now, not halfway through
    publishing."""
    problems = []
    for line, values in parsed.rows:
        question = layouts.build_question(project.template, dict(zip(parsed.columns, values)), project.frame_height)
        size = len(question.encode("utf-8"))
        if size > QUESTION_MAX_BYTES:
            problems.append((line, f"The HIT this row makes would have a Question of {size} bytes; a Question "
                                   f"can be at most {QUESTION_MAX_BYTES} bytes."))
    return problems


def create_batch(ctx: OperationContext, *, hit_layout_id: str, csv_data: bytes | str, name: str | None = None
                 ) -> BatchView:
    """Keep an uploaded CSV as an unpublished batch of the project. A file with any problem is refused whole
    (errors.BatchCSVInvalid lists them all); in ledger mode so is a batch the balance cannot pay for."""
    project = load_project(ctx, hit_layout_id)
    parsed = batch_csv.read(csv_data, json.loads(project.parameters))
    problems = parsed.problems or _oversized_rows(project, parsed)
    if problems:
        raise errors.BatchCSVInvalid(problems)
    properties = _properties(project)
    _ensure_batch_funds(ctx, properties, len(parsed.rows))
    batch = Batch(requester_id=ctx.requester.access_key_id, hit_layout_id=project.hit_layout_id,
                  name=(name or "").strip() or project.name, status=UNPUBLISHED,
                  input_columns=json.dumps(parsed.columns, ensure_ascii=False),
                  properties=json.dumps(properties, ensure_ascii=False), row_count=len(parsed.rows),
                  published_count=0, created_at=ctx.now)
    ctx.session.add(batch)
    ctx.session.flush()
    store.add_rows(ctx.session, batch.batch_id, [(line, json.dumps(values, ensure_ascii=False))
                                                 for line, values in parsed.rows])
    return batch_view(ctx, batch)


def preview_batch(ctx: OperationContext, batch_id: int | str, index: int = 0) -> str:
    """The worker's page for row `index` (0-based, within the first 200 rows) of a batch."""
    batch = load_batch(ctx, batch_id)
    if not 0 <= index < min(batch.row_count, PREVIEW_ROWS):
        raise errors.parameter_out_of_range("index", index, 0, min(batch.row_count, PREVIEW_ROWS) - 1)
    row = store.rows_page(ctx.session, batch.batch_id, after=None, limit=index + 1, published=False)[index]
    project = load_project(ctx, batch.hit_layout_id)
    values = dict(zip(json.loads(batch.input_columns), json.loads(row.values)))
    return layouts.page(layouts.substitute(project.template, values))


def _annotation(batch: Batch, project_seq: int, project_annotation: str | None) -> str:
    """As MTurk's site annotated batch HITs; the project's own annotation follows, within the 255 limit."""
    annotation = f"BatchId:{batch.batch_id};OriginalHitTemplateId:{project_seq};"
    return (annotation + (project_annotation or ""))[:255]


def publish_batch(ctx: OperationContext, batch_id: int | str, *, limit: int | None = PUBLISH_CHUNK) -> BatchView:
    """Publish the next `limit` rows (None: all the rest) in this transaction, one CreateHITWithHITType each.
    Call again until Status is Published; each call's view shows the progress. In ledger mode the first call
    checks that the balance covers every row still to publish."""
    batch = load_batch(ctx, batch_id, for_update=True)
    if batch.status not in (UNPUBLISHED, PUBLISHING):
        if batch.status == PUBLISHED:
            return batch_view(ctx, batch)
        raise errors.batch_in_wrong_state(batch.batch_id, batch.status, f"{UNPUBLISHED}, {PUBLISHING}")
    properties = json.loads(batch.properties)
    if batch.status == UNPUBLISHED:
        _ensure_batch_funds(ctx, properties, batch.row_count - batch.published_count)
    project = load_project(ctx, batch.hit_layout_id)
    if batch.hit_type_id is None:
        hit_type = find_or_create_hit_type(
            ctx, title=properties["Title"], description=properties["Description"], reward=properties["Reward"],
            assignment_duration=properties["AssignmentDurationInSeconds"],
            auto_approval_delay=properties["AutoApprovalDelayInSeconds"], keywords=properties["Keywords"],
            qualification_requirements=[shapes.QualificationRequirement.model_validate(r)
                                        for r in properties["QualificationRequirements"]])
        batch.hit_type_id = hit_type.hit_type_id
    columns = json.loads(batch.input_columns)
    wanted = set(json.loads(project.parameters))
    annotation = _annotation(batch, project.seq, properties.get("RequesterAnnotation"))
    rows = store.unpublished(ctx.session, batch.batch_id, limit if limit is not None else batch.row_count)
    for row in rows:
        values = dict(zip(columns, json.loads(row.values)))
        request = shapes.CreateHITWithHITTypeRequest(
            HITTypeId=batch.hit_type_id, MaxAssignments=properties["MaxAssignments"],
            LifetimeInSeconds=properties["LifetimeInSeconds"], RequesterAnnotation=annotation,
            HITLayoutId=batch.hit_layout_id,
            HITLayoutParameters=[shapes.HITLayoutParameter(Name=n, Value=v) for n, v in values.items()
                                 if n in wanted])
        row.hit_id = hits.create_hit_with_hit_type(ctx, request).HIT.HITId
    batch.published_count += len(rows)
    if batch.published_at is None and rows:
        batch.published_at = ctx.now
    batch.status = PUBLISHED if batch.published_count >= batch.row_count else PUBLISHING
    ctx.session.flush()
    return batch_view(ctx, batch)


def publish_all(run: Callable[[Callable[[OperationContext], T]], T], batch_id: int | str, *,
                chunk: int = PUBLISH_CHUNK, on_progress: Callable[[BatchView], None] | None = None) -> BatchView:
    """Publish a whole batch a chunk per transaction. `run(fn)` calls fn with a fresh context in a new
    transaction (the site and the JSON routes each know how); `on_progress` sees the view after each chunk."""
    while True:
        view = run(lambda ctx: publish_batch(ctx, batch_id, limit=chunk))
        if on_progress is not None:
            on_progress(view)
        if view.Status != PUBLISHING:
            return view


def get_batch(ctx: OperationContext, batch_id: int | str) -> BatchView:
    return batch_view(ctx, load_batch(ctx, batch_id))


def list_batches(ctx: OperationContext, *, hit_layout_id: str | None = None, next_token: str | None = None,
                 max_results: int | None = None) -> tuple[list[BatchView], str | None]:
    """The caller's batches (of one project, if given), oldest first, a keyset page at a time."""
    scope = f"Batches:{hit_layout_id or ''}"
    after = page_after(scope, next_token)
    limit = min(max(max_results or pagination.DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE)
    rows = store.page(ctx.session, ctx.requester.access_key_id, after=after, limit=limit,
                      hit_layout_id=hit_layout_id)
    return [batch_view(ctx, b) for b in rows], (pagination.encode(scope, rows[-1].batch_id) if rows else None)


def list_batch_hit_ids(ctx: OperationContext, batch_id: int | str, *, next_token: str | None = None,
                       max_results: int | None = None) -> tuple[list[str], str | None]:
    """The HITIds of a batch's published rows, in row order (up to 1000 a page)."""
    batch = load_batch(ctx, batch_id)
    scope = f"BatchHITs:{batch.batch_id}"
    after = page_after(scope, next_token)
    limit = min(max(max_results or 1000, 1), 1000)
    rows = store.rows_page(ctx.session, batch.batch_id, after=after, limit=limit)
    return [r.hit_id for r in rows], (pagination.encode(scope, rows[-1].seq) if rows else None)


def _each_live_hit(ctx: OperationContext, batch: Batch):
    after = None
    while True:
        page = store.hits_page(ctx.session, batch.batch_id, ctx.now, after=after, limit=500)
        if not page:
            return
        for row, hit, _ in page:
            yield hit
        after = page[-1][0].seq


def cancel_batch(ctx: OperationContext, batch_id: int | str) -> BatchView:
    """Stop a batch: rows not yet published never will be, and every published HIT still open expires now
    (UpdateExpirationForHIT). Work already submitted can still be reviewed."""
    batch = load_batch(ctx, batch_id, for_update=True)
    if batch.status == CANCELLED:
        raise errors.batch_in_wrong_state(batch.batch_id, batch.status, f"{UNPUBLISHED}, {PUBLISHING}, {PUBLISHED}")
    for hit in list(_each_live_hit(ctx, batch)):
        if hit.expiration > ctx.now:
            hits.update_expiration_for_hit(ctx, shapes.UpdateExpirationForHITRequest(HITId=hit.hit_id,
                                                                                     ExpireAt=ctx.now))
    batch.status, batch.cancelled_at = CANCELLED, ctx.now
    ctx.session.flush()
    return batch_view(ctx, batch)


def extend_batch(ctx: OperationContext, batch_id: int | str, *, additional_seconds: int = 0,
                 additional_assignments: int = 0) -> BatchView:
    """More time (from each HIT's expiration, or from now for HITs already expired) and/or more assignments
    for every HIT of the batch, through UpdateExpirationForHIT and CreateAdditionalAssignmentsForHIT. All or
    nothing: one HIT refused (e.g. MTurk's 10-assignment rule) refuses the whole change."""
    if additional_seconds < 0 or additional_assignments < 0 or not (additional_seconds or additional_assignments):
        raise errors.invalid_parameter("Give a positive number of additional seconds and/or assignments.")
    batch = load_batch(ctx, batch_id, for_update=True)
    if batch.status == CANCELLED:
        raise errors.batch_in_wrong_state(batch.batch_id, batch.status, f"{PUBLISHING}, {PUBLISHED}")
    for hit in list(_each_live_hit(ctx, batch)):
        if additional_assignments:
            hits.create_additional_assignments_for_hit(ctx, shapes.CreateAdditionalAssignmentsForHITRequest(
                HITId=hit.hit_id, NumberOfAdditionalAssignments=additional_assignments))
        if additional_seconds:
            expire_at = max(hit.expiration, ctx.now) + timedelta(seconds=additional_seconds)
            hits.update_expiration_for_hit(ctx, shapes.UpdateExpirationForHITRequest(HITId=hit.hit_id,
                                                                                     ExpireAt=expire_at))
    ctx.session.flush()
    return batch_view(ctx, batch)
