"""Batches: upload a project's CSV (every bad row reported with its line number, nothing kept), preview the
first rows as workers see them with the cost, publish with progress, the batch's page (counts, expiration,
cancel, add time or assignments), results CSV down and reviewed CSV up. The rules are
app.operations.batches' and results' (the layouts helper's); this module only shows them."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kempelen import errors
from kempelen.operations import batches, projects, requester_site as site, results
from kempelen.web import sessions
from kempelen.web.requester_site import sandbox
from kempelen.web.requester_site.common import (PREFIX, Member, act, attempt, back, form_text, now, read, refusal,
                                                render, signed_in, uploaded_file)
from kempelen.web.requester_site.manage import _is_number as is_hours, approve_each

router = APIRouter()
BASE = PREFIX + "/batches"
@router.get("/batches")
def batches_page(request: Request, member: Member = Depends(signed_in)):
    found, _ = act(request, member, lambda ctx: batches.list_batches(ctx, max_results=100), writes=False)
    found = list(reversed(found))  # newest first
    groups = {"In progress": [], "Ready for review": [], "Reviewed": [], "Not published": []}
    for batch in found:
        groups[_group(batch)].append(batch)
    return render(request, "requester_site/batches.html", member, {
        "title": "Batches", "section": "batches", "groups": groups})


def _group(batch) -> str:
    if batch.Status == batches.UNPUBLISHED:
        return "Not published"
    if batch.AssignmentsSubmitted:
        return "Ready for review"
    if batch.Status != batches.CANCELLED and (batch.AssignmentsAvailable or batch.AssignmentsPending):
        return "In progress"
    return "Reviewed"


# --- upload -----------------------------------------------------------------------------------------------


@router.get("/projects/{hit_layout_id}/batches/new")
def upload_page(request: Request, hit_layout_id: str, member: Member = Depends(signed_in)):
    project = act(request, member, lambda ctx: projects.get_project(ctx, hit_layout_id), writes=False)
    return render(request, "requester_site/batch_upload.html", member, {
        "title": "Publish a batch", "section": "batches", "project": project})


@router.post("/projects/{hit_layout_id}/batches/new")
async def upload(request: Request, hit_layout_id: str, member: Member = Depends(signed_in),
                 form: FormData = Depends(sessions.csrf_form)):
    project = await run_in_threadpool(act, request, member, lambda ctx: projects.get_project(ctx, hit_layout_id),
                                      writes=False)
    context = {"title": "Publish a batch", "section": "batches", "project": project,
               "batch_name": form_text(form, "name")}
    try:
        data = await uploaded_file(form, "csv")
        if not data:
            raise errors.requester_upload_missing("a CSV file")
        created = await run_in_threadpool(act, request, member, lambda ctx: batches.create_batch(
            ctx, hit_layout_id=hit_layout_id, csv_data=data, name=form_text(form, "name")))
    except errors.BatchCSVInvalid as exc:
        return render(request, "requester_site/batch_upload.html", member, {
            **context, "problem": "The file was not accepted: fix every line below and upload it again. "
                                  "Nothing was published.", "csv_problems": exc.problems}, status=400)
    except (errors.ServiceError, errors.WorkerError) as exc:
        return render(request, "requester_site/batch_upload.html", member,
                      {**context, "problem": refusal(exc)}, status=400)
    return back(f"{BASE}/{created.BatchId}", f"{created.NumberOfRows} rows read. Preview them, then publish.")


# --- one batch ------------------------------------------------------------------------------------------


def _batch(request: Request, member: Member, batch_id: str):
    return act(request, member, lambda ctx: batches.get_batch(ctx, batch_id), writes=False)


@router.get("/batches/{batch_id}")
def batch_page(request: Request, batch_id: str, member: Member = Depends(signed_in), row: int = 0):
    try:
        batch = _batch(request, member, batch_id)
    except errors.ServiceError as exc:
        return render(request, "requester_site/missing.html", member, {"title": "Batch", "problem": refusal(exc)},
                      status=404)
    previewable = min(batch.NumberOfRows, batches.PREVIEW_ROWS)
    row = max(0, min(row, previewable - 1))
    return render(request, "requester_site/batch.html", member, {
        "title": batch.BatchName, "section": "batches", "batch": batch, "row": row, "previewable": previewable,
        "frame_url": sandbox.batch_frame_url(batch.BatchId, row) if previewable else None,
        "project": act(request, member, lambda ctx: projects.get_project(ctx, batch.HITLayoutId), writes=False),
        "percent_published": _percent(batch.NumberOfHITsPublished, batch.NumberOfRows),
        "percent_submitted": _percent(batch.AssignmentsSubmitted + batch.AssignmentsApproved
                                      + batch.AssignmentsRejected, batch.AssignmentsTotal)})


def _percent(part: int, whole: int) -> int:
    return 0 if not whole else min(100, part * 100 // whole)


@router.get("/batches/{batch_id}/frame/{index}")
def batch_frame(request: Request, batch_id: str, index: int, member: Member = Depends(signed_in)):
    """Row `index` as a worker will see it, for the sandboxed preview frame only."""
    try:
        html = act(request, member, lambda ctx: batches.preview_batch(ctx, batch_id, index), writes=False)
    except errors.ServiceError as exc:
        return sandbox.frame_response(f"<p>{refusal(exc)}</p>", status=404)
    return sandbox.frame_response(html)


@router.post("/batches/{batch_id}/publish")
def publish(request: Request, batch_id: str, member: Member = Depends(signed_in),
            form: FormData = Depends(sessions.csrf_form)):
    """Publish a chunk per transaction. With `chunk=1` (the page's script) it answers JSON after one chunk so
    the progress bar moves; without script the whole batch is published before the page comes back."""
    where = f"{BASE}/{batch_id}"
    one_chunk = form_text(form, "chunk") == "1"
    try:
        if one_chunk:
            view = act(request, member, lambda ctx: batches.publish_batch(ctx, batch_id))
            return JSONResponse({"Status": view.Status, "Published": view.NumberOfHITsPublished,
                                 "Rows": view.NumberOfRows})
        view = batches.publish_all(lambda fn: act(request, member, fn), batch_id)
    except errors.ServiceError as exc:
        if one_chunk:
            return JSONResponse({"Error": {"Code": getattr(exc, "turk_error_code", exc.type_name),
                                           "Message": refusal(exc)}}, status_code=400)
        return back(where, problem=refusal(exc))
    return back(where, f"Published {view.NumberOfHITsPublished} HITs.")


@router.post("/batches/{batch_id}/cancel")
def cancel(request: Request, batch_id: str, member: Member = Depends(signed_in),
           form: FormData = Depends(sessions.csrf_form)):
    return attempt(f"{BASE}/{batch_id}", lambda: act(request, member, lambda ctx: batches.cancel_batch(ctx, batch_id)),
                   "Batch cancelled: its HITs have expired. Submitted work can still be reviewed.")


@router.post("/batches/{batch_id}/extend")
def extend(request: Request, batch_id: str, member: Member = Depends(signed_in),
           form: FormData = Depends(sessions.csrf_form)):
    hours, more = form_text(form, "hours"), form_text(form, "assignments")

    def work():
        if hours and not is_hours(hours):  # as on a HIT's page: "1e400" or "nan" is no time to add
            raise errors.requester_form_value("Add hours", hours, "a number of hours up to a year")
        seconds = int(round(float(hours) * 3600)) if hours else 0
        if more and not more.isdigit():
            raise errors.requester_form_value("Add assignments per HIT", more)
        return act(request, member, lambda ctx: batches.extend_batch(
            ctx, batch_id, additional_seconds=seconds, additional_assignments=int(more or 0)))
    return attempt(f"{BASE}/{batch_id}", work, "Every HIT of the batch has been extended.")


@router.post("/batches/{batch_id}/approve-all")
def approve_all(request: Request, batch_id: str, member: Member = Depends(signed_in),
                form: FormData = Depends(sessions.csrf_form)):
    where = f"{BASE}/{batch_id}"
    batch = _batch(request, member, batch_id)
    ids = read(request, site.submitted_assignment_ids, member.requester_id, now(request), batch.BatchId)
    approved, refused = approve_each(request, member, ids, form_text(form, "feedback") or None)
    message = f"Approved {approved} assignment{'s' if approved != 1 else ''}."
    return back(where, problem=message + " Refused: " + "; ".join(refused[:5])) if refused else back(where, message)


# --- results CSV ----------------------------------------------------------------------------------------


def _stream(request: Request, member: Member, make) -> Iterator[bytes]:
    """The file from a read transaction of its own that stays open while it is sent (memory stays flat)."""
    state = request.app.state
    with state.db.transaction(writes=False) as session:
        ctx = site.context(session, member.requester_id, state.clock.now(), state.settings, request_id="export")
        for text in make(ctx):
            yield text.encode("utf-8")


@router.get("/batches/{batch_id}/results.csv")
def results_csv(request: Request, batch_id: str, member: Member = Depends(signed_in)):
    batch = _batch(request, member, batch_id)  # refused here, before the first byte, if not the member's
    return StreamingResponse(
        _stream(request, member, lambda ctx: results.batch_results_csv(ctx, batch.BatchId)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{results.results_file_name(batch.BatchId)}"'})


@router.get("/results.csv")
def selected_results_csv(request: Request, member: Member = Depends(signed_in)):
    """The results file for HITs picked on the Manage page (API-made ones included)."""
    hit_ids = [h for h in request.query_params.getlist("hit_id") if h][:10_000]
    if not hit_ids:
        return back(PREFIX + "/manage", problem="Select the HITs whose results you want.")
    try:  # every id checked before the first byte, so a refusal is a page and not half a file
        act(request, member, lambda ctx: results.hits_results_csv(ctx, hit_ids), writes=False)
    except errors.ServiceError as exc:
        return back(PREFIX + "/manage", problem=refusal(exc))
    return StreamingResponse(
        _stream(request, member, lambda ctx: results.hits_results_csv(ctx, hit_ids)),
        media_type="text/csv; charset=utf-8", headers={"Content-Disposition": 'attachment; filename="results.csv"'})


@router.post("/batches/{batch_id}/review")
async def review_upload(request: Request, batch_id: str, member: Member = Depends(signed_in),
                        form: FormData = Depends(sessions.csrf_form)):
    """A results file with Approve / Reject filled in: each row through ApproveAssignment / RejectAssignment,
    and what happened to each row shown."""
    try:
        data = await uploaded_file(form, "csv")
        if not data:
            raise errors.requester_upload_missing("the reviewed results CSV")
        outcomes = await run_in_threadpool(act, request, member,
                                           lambda ctx: results.review_results_csv(ctx, data, batch_id=batch_id))
    except (errors.ServiceError, errors.WorkerError) as exc:
        problems = getattr(exc, "problems", None)
        return back(f"{BASE}/{batch_id}", problem=refusal(exc) if not problems else
                    "; ".join(f"Line {line}: {text}" for line, text in problems[:5]))
    batch = await run_in_threadpool(_batch, request, member, batch_id)
    return render(request, "requester_site/review_outcomes.html", member, {
        "title": "Review results", "section": "batches", "batch": batch, "outcomes": outcomes})
