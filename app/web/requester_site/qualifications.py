"""Qualification types: the account's own (create, edit), the requests waiting for a decision (approve with a
score, reject with a reason), the workers holding a score, and the test and answer key previewed. Every
change is the API's operation (CreateQualificationType, UpdateQualificationType, Accept/Reject...)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from kempelen import errors
from kempelen.web import sessions
from kempelen.web.question_form import render_question_form
from kempelen.web.requester_site.common import (PREFIX, Member, attempt, back, call, form_text, refusal, render,
                                                safe_next, signed_in)

router = APIRouter()
BASE = PREFIX + "/qualification-types"


def _all(request: Request, member: Member, name: str, members: dict, key: str) -> list:
    found, token = [], None
    while True:
        page = call(request, member, name, {**members, "MaxResults": 100, "NextToken": token})
        found += getattr(page, key) or []
        token = page.NextToken
        if not getattr(page, key) or not token:
            return found


@router.get("/qualification-types")
def types_page(request: Request, member: Member = Depends(signed_in)):
    types = _all(request, member, "ListQualificationTypes",
                 {"MustBeRequestable": False, "MustBeOwnedByCaller": True}, "QualificationTypes")
    pending = _all(request, member, "ListQualificationRequests", {}, "QualificationRequests")
    waiting: dict[str, int] = {}
    for item in pending:
        waiting[item.QualificationTypeId] = waiting.get(item.QualificationTypeId, 0) + 1
    return render(request, "requester_site/qualification_types.html", member, {
        "title": "Qualification types", "section": "qualifications", "types": types, "waiting": waiting})


def _members(form: FormData, *, creating: bool) -> dict:
    """The form's fields as CreateQualificationType / UpdateQualificationType members (blank = left out)."""
    members: dict = {"Description": form_text(form, "description") or None,
                     "QualificationTypeStatus": form_text(form, "status") or "Active",
                     "Test": form_text(form, "test") or None, "AnswerKey": form_text(form, "answer_key") or None,
                     "AutoGranted": form_text(form, "auto_granted") == "on"}
    for field, member in (("test_duration", "TestDurationInSeconds"), ("retry_delay", "RetryDelayInSeconds"),
                          ("auto_granted_value", "AutoGrantedValue")):
        text = form_text(form, field)
        if text:
            if not text.lstrip("-").isdigit():
                raise errors.requester_form_value(member, text)
            members[member] = int(text)
    if creating:
        members["Name"] = form_text(form, "name")
        members["Keywords"] = form_text(form, "keywords") or None
    return members


@router.get("/qualification-types/new")
def new_type_page(request: Request, member: Member = Depends(signed_in)):
    return render(request, "requester_site/qualification_type_form.html", member, {
        "title": "New qualification type", "section": "qualifications", "values": {}})


@router.post("/qualification-types/new")
def create_type(request: Request, member: Member = Depends(signed_in), form: FormData = Depends(sessions.csrf_form)):
    try:
        created = call(request, member, "CreateQualificationType", _members(form, creating=True)).QualificationType
    except (errors.ServiceError, errors.WorkerError) as exc:
        return render(request, "requester_site/qualification_type_form.html", member, {
            "title": "New qualification type", "section": "qualifications", "values": dict(form),
            "problem": refusal(exc)}, status=400)
    return back(f"{BASE}/{created.QualificationTypeId}", f"Created the qualification type {created.Name}.")


@router.get("/qualification-types/{type_id}")
def type_page(request: Request, type_id: str, member: Member = Depends(signed_in)):
    try:
        qualification_type = call(request, member, "GetQualificationType",
                                  {"QualificationTypeId": type_id}).QualificationType
    except errors.ServiceError as exc:
        return render(request, "requester_site/missing.html", member, {"title": "Qualification type",
                                                                        "problem": refusal(exc)}, status=404)
    own = _owned(request, member, type_id)
    requests = _all(request, member, "ListQualificationRequests", {"QualificationTypeId": type_id},
                    "QualificationRequests") if own else []
    holders = _all(request, member, "ListWorkersWithQualificationType", {"QualificationTypeId": type_id},
                   "Qualifications") if own else []
    return render(request, "requester_site/qualification_type.html", member, {
        "title": qualification_type.Name, "section": "qualifications", "type": qualification_type, "own": own,
        "requests": requests, "holders": holders, "test_html": _test_preview(qualification_type.Test)})


def _test_preview(test: str | None):
    """The test as a worker will see it (the worker site's own QuestionForm rendering), shown disabled."""
    if not test:
        return None
    try:
        return render_question_form(test, id_prefix="t")
    except Exception:  # noqa: BLE001 - a test the renderer cannot show is still listed as XML below
        return None


def _owned(request: Request, member: Member, type_id: str) -> bool:
    owned = _all(request, member, "ListQualificationTypes",
                 {"MustBeRequestable": False, "MustBeOwnedByCaller": True}, "QualificationTypes")
    return any(t.QualificationTypeId == type_id for t in owned)


@router.post("/qualification-types/{type_id}")
def update_type(request: Request, type_id: str, member: Member = Depends(signed_in),
                form: FormData = Depends(sessions.csrf_form)):
    return attempt(f"{BASE}/{type_id}", lambda: call(request, member, "UpdateQualificationType", {
        "QualificationTypeId": type_id, **_members(form, creating=False)}), "Saved.")


@router.post("/qualification-requests/{request_id}/accept")
def accept_request(request: Request, request_id: str, member: Member = Depends(signed_in),
                   form: FormData = Depends(sessions.csrf_form)):
    value = form_text(form, "value")

    def work():
        if value and not value.lstrip("-").isdigit():
            raise errors.requester_form_value("The score", value)
        call(request, member, "AcceptQualificationRequest", {"QualificationRequestId": request_id,
                                                             "IntegerValue": int(value) if value else None})
    return attempt(safe_next(form_text(form, "next"), BASE), work,
                   "Request approved: the worker has the qualification.")


@router.post("/qualification-requests/{request_id}/reject")
def reject_request(request: Request, request_id: str, member: Member = Depends(signed_in),
                   form: FormData = Depends(sessions.csrf_form)):
    members = {"QualificationRequestId": request_id, "Reason": form_text(form, "reason") or None}
    return attempt(safe_next(form_text(form, "next"), BASE),
                   lambda: call(request, member, "RejectQualificationRequest", members), "Request rejected.")
