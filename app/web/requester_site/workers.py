"""Workers who worked for this requester, with their statistics on its work; one worker's page (bonus, block,
message, qualification scores); the blocks and the bonuses paid. Changes are API operations."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kempelen import errors
from kempelen.domain import worker_csv
from kempelen.domain.batch_csv import decode
from kempelen.operations import requester_site as site
from kempelen.web import sessions
from kempelen.web.requester_site.manage import pay_bonus
from kempelen.web.requester_site.common import (PREFIX, Member, attempt, back, call, form_text, now, query, read,
                                                refusal, render, safe_next, signed_in, uploaded_file)

router = APIRouter()


@router.get("/workers")
def workers_page(request: Request, member: Member = Depends(signed_in), after: str = ""):
    rows, next_after = read(request, site.workers, member.requester_id, now(request), after=after or None)
    return render(request, "requester_site/workers.html", member, {
        "title": "Workers", "section": "workers", "workers": rows,
        "next_url": query(PREFIX + "/workers", after=next_after) if next_after else None,
        "first_url": PREFIX + "/workers" if after else None})


# --- the Workers CSV (offline worker management, kempelen.domain.worker_csv) -------------------------------

WORKERS_CSV_NAME = "Workers.csv"
CSV_REASON = "Changed through the Workers CSV upload."


@router.get("/workers.csv")
def workers_csv(request: Request, member: Member = Depends(signed_in)):
    rows = read(request, site.workers_csv_rows, member.requester_id, now(request))
    return StreamingResponse((text.encode("utf-8") for text in worker_csv.write(rows)),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{WORKERS_CSV_NAME}"'})


@router.post("/workers/upload")
async def upload_workers_csv(request: Request, member: Member = Depends(signed_in),
                             form: FormData = Depends(sessions.csrf_form)):
    """Read the file and show what it would change; nothing changes until the member confirms."""
    try:
        data = await uploaded_file(form, "csv")
    except errors.WorkerError as exc:
        return back(PREFIX + "/workers", problem=exc.message)
    if not data:
        return back(PREFIX + "/workers", problem="Choose the Workers CSV file to upload.")
    return await run_in_threadpool(_preview, request, member, data)


def _preview(request: Request, member: Member, data: bytes):
    types = read(request, site.owned_qualification_types, member.requester_id)
    text, _problem = decode(data)  # once: read, and sent back through the page for the confirmation
    upload = worker_csv.read(data if text is None else text, types)
    return render(request, "requester_site/workers_upload.html", member, {
        "title": "Upload the Workers CSV", "section": "workers", "upload": upload,
        "changes": sum(change.count for change in upload.changes), "csv_text": text or ""},
        status=400 if upload.problems else 200)


@router.post("/workers/upload/apply")
def apply_workers_csv(request: Request, member: Member = Depends(signed_in),
                      form: FormData = Depends(sessions.csrf_form)):
    """The confirmed file, read again (it came back through the page) and applied change by change, each an
    API operation of its own; what one refuses does not stop the rest."""
    types = read(request, site.owned_qualification_types, member.requester_id)
    upload = worker_csv.read(form_text(form, "csv_text"), types)
    if upload.problems:
        return back(PREFIX + "/workers", problem="The file has problems: upload it again to see them.")
    done, refused = 0, []
    for change in upload.changes:
        for name, members in _operations(change, types):
            try:
                call(request, member, name, members)
                done += 1
            except errors.ServiceError as exc:
                refused.append(f"line {change.line}, {change.worker_id}: {refusal(exc)}")
    if refused:
        return back(PREFIX + "/workers", problem=f"Made {done} changes; {len(refused)} refused: "
                                                 + "; ".join(refused[:10]) + (" ..." if len(refused) > 10 else ""))
    return back(PREFIX + "/workers", f"Made {done} changes from the Workers CSV.")


def _operations(change: worker_csv.WorkerChange, types: dict[str, str]) -> Iterator[tuple[str, dict]]:
    if change.block == "Block":
        yield "CreateWorkerBlock", {"WorkerId": change.worker_id, "Reason": CSV_REASON}
    elif change.block == "Unblock":
        yield "DeleteWorkerBlock", {"WorkerId": change.worker_id, "Reason": CSV_REASON}
    for name, score in change.scores.items():
        if score is None:
            yield "DisassociateQualificationFromWorker", {
                "QualificationTypeId": types[name], "WorkerId": change.worker_id, "Reason": CSV_REASON}
        else:
            yield "AssociateQualificationWithWorker", {
                "QualificationTypeId": types[name], "WorkerId": change.worker_id, "IntegerValue": score,
                "SendNotification": False}


def _owned_types(request: Request, member: Member) -> list:
    found, token = [], None
    while True:
        page = call(request, member, "ListQualificationTypes", {
            "MustBeRequestable": False, "MustBeOwnedByCaller": True, "MaxResults": 100, "NextToken": token})
        found += page.QualificationTypes or []
        token = page.NextToken
        if not page.QualificationTypes or not token:
            return found


@router.get("/workers/{worker_id}")
def worker_page(request: Request, worker_id: str, member: Member = Depends(signed_in)):
    rows, _ = read(request, site.workers, member.requester_id, now(request), worker_id=worker_id)
    stats = rows[0] if rows else None
    assignments = read(request, site.worker_assignments, member.requester_id, worker_id, now(request))
    scores = []
    for qualification_type in _owned_types(request, member):
        try:
            score = call(request, member, "GetQualificationScore", {
                "QualificationTypeId": qualification_type.QualificationTypeId, "WorkerId": worker_id}).Qualification
        except errors.ServiceError:
            score = None
        scores.append({"type": qualification_type, "score": score})
    blocked = any(block.WorkerId == worker_id for block in _blocks(request, member))
    bonuses, _ = read(request, site.bonuses, member.requester_id, worker_id=worker_id)
    return render(request, "requester_site/worker.html", member, {
        "title": f"Worker {worker_id}", "section": "workers", "worker_id": worker_id, "stats": stats,
        "assignments": assignments, "scores": scores, "blocked": blocked, "bonuses": bonuses,
        "bonus_token": secrets.token_hex(16)})


def _blocks(request: Request, member: Member) -> list:
    found, token = [], None
    while True:
        page = call(request, member, "ListWorkerBlocks", {"MaxResults": 100, "NextToken": token})
        found += page.WorkerBlocks or []
        token = page.NextToken
        if not page.WorkerBlocks or not token:
            return found


def _act(request: Request, member: Member, where: str, name: str, members: dict, done: str):
    return attempt(where, lambda: call(request, member, name, members), done)


@router.post("/workers/{worker_id}/block")
def block(request: Request, worker_id: str, member: Member = Depends(signed_in),
          form: FormData = Depends(sessions.csrf_form)):
    return _act(request, member, f"{PREFIX}/workers/{worker_id}", "CreateWorkerBlock",
                {"WorkerId": worker_id, "Reason": form_text(form, "reason")},
                f"Blocked {worker_id}: they can no longer accept your HITs.")


@router.post("/workers/{worker_id}/unblock")
def unblock(request: Request, worker_id: str, member: Member = Depends(signed_in),
            form: FormData = Depends(sessions.csrf_form)):
    where = safe_next(form_text(form, "next"), f"{PREFIX}/workers/{worker_id}")
    return _act(request, member, where, "DeleteWorkerBlock",
                {"WorkerId": worker_id, "Reason": form_text(form, "reason") or None}, f"Unblocked {worker_id}.")


@router.post("/workers/{worker_id}/bonus")
def bonus(request: Request, worker_id: str, member: Member = Depends(signed_in),
          form: FormData = Depends(sessions.csrf_form)):
    return pay_bonus(request, member, form_text(form, "assignment_id"), form, f"{PREFIX}/workers/{worker_id}")


@router.post("/workers/{worker_id}/message")
def message(request: Request, worker_id: str, member: Member = Depends(signed_in),
            form: FormData = Depends(sessions.csrf_form)):
    where = f"{PREFIX}/workers/{worker_id}"
    try:
        result = call(request, member, "NotifyWorkers", {"Subject": form_text(form, "subject"),
                                                         "MessageText": form_text(form, "text"),
                                                         "WorkerIds": [worker_id]})
    except errors.ServiceError as exc:
        return back(where, problem=refusal(exc))
    failures = result.NotifyWorkersFailureStatuses or []
    if failures:
        return back(where, problem=failures[0].NotifyWorkersFailureMessage)
    return back(where, f"Message sent to {worker_id}.")


@router.post("/workers/{worker_id}/qualifications/{qualification_type_id}")
def set_score(request: Request, worker_id: str, qualification_type_id: str, member: Member = Depends(signed_in),
              form: FormData = Depends(sessions.csrf_form)):
    """Grant or change a score (AssociateQualificationWithWorker), or revoke it (Disassociate...)."""
    where = safe_next(form_text(form, "next"), f"{PREFIX}/workers/{worker_id}")
    if form_text(form, "action") == "revoke":
        return _act(request, member, where, "DisassociateQualificationFromWorker", {
            "QualificationTypeId": qualification_type_id, "WorkerId": worker_id,
            "Reason": form_text(form, "reason") or None}, f"Revoked the qualification of {worker_id}.")
    value = form_text(form, "value")
    if not value.lstrip("-").isdigit():
        return back(where, problem=f"{value!r} is not a whole-number score.")
    return _act(request, member, where, "AssociateQualificationWithWorker", {
        "QualificationTypeId": qualification_type_id, "WorkerId": worker_id, "IntegerValue": int(value),
        "SendNotification": form_text(form, "notify") == "on"}, f"{worker_id} now has a score of {int(value)}.")


@router.get("/blocks")
def blocks_page(request: Request, member: Member = Depends(signed_in)):
    return render(request, "requester_site/blocks.html", member, {
        "title": "Blocked workers", "section": "workers", "blocks": _blocks(request, member)})


@router.get("/bonuses")
def bonuses_page(request: Request, member: Member = Depends(signed_in), before: str = ""):
    key = int(before) if before.isdigit() else None
    rows, next_before = read(request, site.bonuses, member.requester_id, before=key)
    return render(request, "requester_site/bonuses.html", member, {
        "title": "Bonuses paid", "section": "workers", "bonuses": rows,
        "next_url": query(PREFIX + "/bonuses", before=next_before) if next_before else None,
        "first_url": PREFIX + "/bonuses" if key else None})
