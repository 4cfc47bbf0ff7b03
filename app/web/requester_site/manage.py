"""Manage: every HIT of the account (made on the site or through the API), filtered by batch, HIT type,
status and annotation; a HIT's page with its assignments and answers; review (approve, reject, approve all),
bonuses, and the HIT's own actions (expire, add time, add assignments). Every change is an API operation."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from kempelen import errors
from kempelen.operations import batches as batch_ops
from kempelen.operations import requester_site as site
from kempelen.web import sessions
from kempelen.web.requester_site.common import (PREFIX, Member, act, attempt, back, call, form_text, now, query, read,
                                                refusal, render, safe_next, signed_in)

router = APIRouter()
STATUSES = ("Assignable", "Unassignable", "Reviewable", "Reviewing")


@router.get("/")
def home(member: Member = Depends(signed_in)):
    return back(PREFIX + "/manage")


@router.get("/manage")
def manage(request: Request, member: Member = Depends(signed_in), hit_type: str = "", status: str = "",
           annotation: str = "", batch: str = "", project: str = "", before: str = ""):
    key = _id(before)
    page = read(request, site.hits, member.requester_id, now(request), before=key, hit_type_id=hit_type or None,
                status=status if status in STATUSES else None, annotation=annotation or None,
                hit_layout_id=project or None, batch_id=_id(batch))
    hit_types = read(request, site.hit_types, member.requester_id)
    batches, _ = act(request, member, lambda ctx: batch_ops.list_batches(ctx, max_results=100), writes=False)
    filters = {"hit_type": hit_type, "status": status, "annotation": annotation, "batch": batch,
               "project": project}
    return render(request, "requester_site/manage.html", member, {
        "title": "Manage HITs", "section": "manage", "hits": page.hits, "submitted": page.submitted,
        "hit_types": hit_types, "batches": list(reversed(batches)),
        "statuses": STATUSES, "filters": filters,
        "next_url": query(PREFIX + "/manage", **filters, before=page.next_before) if page.next_before else None,
        "first_url": query(PREFIX + "/manage", **filters) if key is not None else None})


# --- one HIT ----------------------------------------------------------------------------------------------


ASSIGNMENT_STATUSES = ("Submitted", "Approved", "Rejected")


@router.get("/hits/{hit_id}")
def hit_page(request: Request, hit_id: str, member: Member = Depends(signed_in), status: str = "",
             next: str = ""):  # noqa: A002 - the page's own name for ListAssignmentsForHIT's NextToken
    try:
        hit = call(request, member, "GetHIT", {"HITId": hit_id}).HIT
        status = status if status in ASSIGNMENT_STATUSES else ""
        # a page at a time, as ListAssignmentsForHIT gives them: a HIT may have thousands
        page = call(request, member, "ListAssignmentsForHIT", {
            "HITId": hit_id, "MaxResults": site.PAGE_SIZE, "NextToken": next or None,
            "AssignmentStatuses": [status] if status else None})
    except errors.ServiceError as exc:
        return render(request, "requester_site/missing.html", member, {"title": "HIT", "problem": refusal(exc)},
                      status=404)
    assignments = page.Assignments or []
    rows = [{"assignment": a, "answers": site.readable_answers(a.Answer)} for a in assignments]
    more = page.NextToken and len(assignments) == site.PAGE_SIZE
    return render(request, "requester_site/hit.html", member, {
        "title": hit.Title, "section": "manage", "hit": hit, "rows": rows, "status": status,
        "bonus_token": secrets.token_hex(16),
        "submitted": read(request, site.submitted_count, hit_id, now(request)),
        # where a review form brings the member back: this page of this view
        "page_url": query(f"{PREFIX}/hits/{hit_id}", status=status, next=next),
        "next_url": query(f"{PREFIX}/hits/{hit_id}", status=status, next=page.NextToken) if more else None,
        "first_url": query(f"{PREFIX}/hits/{hit_id}", status=status) if next else None})


@router.post("/hits/{hit_id}/expire")
def expire_hit(request: Request, hit_id: str, member: Member = Depends(signed_in),
               form: FormData = Depends(sessions.csrf_form)):
    return attempt(f"{PREFIX}/hits/{hit_id}",
                   lambda: call(request, member, "UpdateExpirationForHIT", {"HITId": hit_id, "ExpireAt": 0}),
                   "The HIT has expired: workers can no longer accept it.")


@router.post("/hits/{hit_id}/extend")
def extend_hit(request: Request, hit_id: str, member: Member = Depends(signed_in),
               form: FormData = Depends(sessions.csrf_form)):
    """Add time (hours from the later of now and the current expiration) and/or assignments."""
    hours, more = form_text(form, "hours"), form_text(form, "assignments")
    return attempt(f"{PREFIX}/hits/{hit_id}", lambda: extend(request, member, hit_id, hours, more), lambda said: said)


def extend(request: Request, member: Member, hit_id: str, hours: str, more: str) -> str:
    """Shared by a HIT's page and a batch's: the API's UpdateExpirationForHIT and
    CreateAdditionalAssignmentsForHIT, with their own checks and errors."""
    said = []
    if hours:
        if not _is_number(hours):
            raise errors.requester_form_value("Add hours", hours, "a number of hours up to a year")
        hit = call(request, member, "GetHIT", {"HITId": hit_id}).HIT
        start = max(now(request), hit.Expiration)
        until = start + timedelta(hours=float(hours))
        call(request, member, "UpdateExpirationForHIT", {"HITId": hit_id, "ExpireAt": until.timestamp()})
        said.append(f"expires {until:%b %d, %Y %H:%M} UTC")
    if more:
        if not more.isdigit():
            raise errors.requester_form_value("Add assignments", more)
        call(request, member, "CreateAdditionalAssignmentsForHIT",
             {"HITId": hit_id, "NumberOfAdditionalAssignments": int(more)})
        said.append(f"{int(more)} more assignment{'s' if int(more) != 1 else ''}")
    return ("The HIT now " + " and has ".join(said) + ".") if said else "Nothing to change."


def _id(text: str) -> int | None:
    """A batch id or page key from a query or form: digits that fit the database's integer, else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _is_number(text: str) -> bool:
    try:
        return 0 < float(text) <= 365 * 24
    except ValueError:
        return False


# --- review -------------------------------------------------------------------------------------------


@router.post("/assignments/{assignment_id}/approve")
def approve(request: Request, assignment_id: str, member: Member = Depends(signed_in),
            form: FormData = Depends(sessions.csrf_form)):
    members = {"AssignmentId": assignment_id, "RequesterFeedback": form_text(form, "feedback") or None,
               "OverrideRejection": form_text(form, "override") == "on"}
    return attempt(safe_next(form_text(form, "next"), PREFIX + "/manage"),
                   lambda: call(request, member, "ApproveAssignment", members), f"Approved assignment {assignment_id}.")


@router.post("/assignments/{assignment_id}/reject")
def reject(request: Request, assignment_id: str, member: Member = Depends(signed_in),
           form: FormData = Depends(sessions.csrf_form)):
    members = {"AssignmentId": assignment_id, "RequesterFeedback": form_text(form, "feedback")}
    return attempt(safe_next(form_text(form, "next"), PREFIX + "/manage"),
                   lambda: call(request, member, "RejectAssignment", members), f"Rejected assignment {assignment_id}.")


@router.post("/review/approve-all")
def approve_all(request: Request, member: Member = Depends(signed_in),
                form: FormData = Depends(sessions.csrf_form)):
    """Approve every Submitted assignment of one HIT, of one batch, or of the whole account: one
    ApproveAssignment per assignment (each its own transaction, event and charge, as through the API)."""
    where = safe_next(form_text(form, "next"), PREFIX + "/manage")
    hit_id, batch = form_text(form, "hit_id"), form_text(form, "batch")
    feedback = form_text(form, "feedback") or None
    if batch and _id(batch) is None:  # not "every HIT of the account"
        return back(where, problem=f"There is no batch {batch[:40]!r}: nothing was approved.")
    if hit_id:
        ids = [a.AssignmentId for a in all_assignments(request, member, hit_id, ["Submitted"])]
    else:
        ids = read(request, site.submitted_assignment_ids, member.requester_id, now(request), _id(batch))
    approved, refused = approve_each(request, member, ids, feedback)
    message = f"Approved {approved} assignment{'s' if approved != 1 else ''}."
    if refused:
        return back(where, problem=message + f" {len(refused)} refused: " + "; ".join(refused[:5]))
    return back(where, message)


def all_assignments(request: Request, member: Member, hit_id: str, statuses: list[str] | None = None) -> list:
    """Every assignment of a HIT, a hundred at a time as ListAssignmentsForHIT pages them."""
    found, token = [], None
    while True:
        page = call(request, member, "ListAssignmentsForHIT", {"HITId": hit_id, "MaxResults": 100,
                                                                "NextToken": token, "AssignmentStatuses": statuses})
        found += page.Assignments or []
        token = page.NextToken
        if not page.Assignments or not token:
            return found


def approve_each(request: Request, member: Member, assignment_ids: list[str], feedback: str | None
                 ) -> tuple[int, list[str]]:
    approved, refused = 0, []
    for assignment_id in assignment_ids:
        try:
            call(request, member, "ApproveAssignment", {"AssignmentId": assignment_id,
                                                        "RequesterFeedback": feedback})
            approved += 1
        except errors.ServiceError as exc:
            refused.append(f"{assignment_id}: {refusal(exc)}")
    return approved, refused


@router.post("/assignments/{assignment_id}/bonus")
def bonus(request: Request, assignment_id: str, member: Member = Depends(signed_in),
          form: FormData = Depends(sessions.csrf_form)):
    return pay_bonus(request, member, assignment_id, form, safe_next(form_text(form, "next"), PREFIX + "/manage"))


def pay_bonus(request: Request, member: Member, assignment_id: str, form: FormData, where: str):
    """SendBonus; the form's one-time token is the UniqueRequestToken, so a double submit pays once."""
    amount, reason = form_text(form, "amount").removeprefix("$"), form_text(form, "reason")
    try:
        assignment = call(request, member, "GetAssignment", {"AssignmentId": assignment_id}).Assignment
        call(request, member, "SendBonus", {
            "WorkerId": assignment.WorkerId, "AssignmentId": assignment_id, "BonusAmount": amount,
            "Reason": reason, "UniqueRequestToken": form_text(form, "token") or None})
    except errors.ServiceError as exc:
        return back(where, problem=refusal(exc))
    return back(where, f"Paid a bonus of ${amount} to {assignment.WorkerId}.")


@router.get("/assignments/{assignment_id}/files/{question}")
def uploaded_file(request: Request, assignment_id: str, question: str, member: Member = Depends(signed_in)):
    """A worker's uploaded file: through GetFileUploadURL, as an API caller fetches it."""
    try:
        url = call(request, member, "GetFileUploadURL", {"AssignmentId": assignment_id,
                                                         "QuestionIdentifier": question}).FileUploadURL
    except errors.ServiceError as exc:
        return back(PREFIX + "/manage", problem=refusal(exc))
    return back(url)
