"""My qualifications, requestable qualification types, requesting one, taking its test in the browser."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from kempelen import errors
from kempelen.operations.worksite import qualifications as ops
from kempelen.web import pages, question_form, sessions
from kempelen.web.worker_site.common import answer_form, as_worker, next_page_url, notice_of, signed_in_worker

router = APIRouter()


@router.get("/qualifications")
def mine(request: Request, who: sessions.SignedIn = signed_in_worker, next: str | None = None,  # noqa: A002
         notice: str | None = None):
    with as_worker(request, who, writes=False) as ctx:
        try:
            scores = ops.list_qualifications(ctx, next, 100)
        except errors.WorkerError:
            return pages.redirect("/qualifications")
        waiting = ops.open_requests(ctx)
    next_url = next_page_url("/qualifications", scores["NextToken"], len(scores["Qualifications"]), 100)
    return pages.render(request, "worker_site/qualifications.html",
                        {"section": "qualifications", "scores": scores["Qualifications"], "waiting": waiting,
                         "next_url": next_url, "notice": notice_of(notice)})


@router.get("/qualifications/requestable")
def requestable(request: Request, who: sessions.SignedIn = signed_in_worker, next: str | None = None):  # noqa: A002
    with as_worker(request, who, writes=False) as ctx:
        try:
            page = ops.list_requestable_types(ctx, next, 50)
        except errors.WorkerError:
            return pages.redirect("/qualifications/requestable")
    next_url = next_page_url("/qualifications/requestable", page["NextToken"], len(page["QualificationTypes"]), 50)
    return pages.render(request, "worker_site/requestable.html",
                        {"section": "qualifications", "types": page["QualificationTypes"], "now": None,
                         "next_url": next_url})


@router.post("/qualifications/{qualification_type_id}/request")
def request_one(request: Request, qualification_type_id: str, who: sessions.SignedIn = signed_in_worker,
                _form: FormData = Depends(sessions.csrf_form)):
    try:
        with as_worker(request, who, writes=True) as ctx:
            made = ops.request_qualification(ctx, qualification_type_id)
    except errors.WorkerError as refused:
        with as_worker(request, who, writes=False) as ctx:
            page = ops.list_requestable_types(ctx, None, 50)
        return pages.render(request, "worker_site/requestable.html",
                            {"section": "qualifications", "types": page["QualificationTypes"],
                             "problem": refused.message, "next_url": None}, status=refused.status)
    if made["Status"] == "TestStarted":
        return pages.redirect(f"/qualifications/requests/{quote(made['QualificationRequestId'])}/test")
    return pages.redirect("/qualifications?notice=requested")


@router.get("/qualifications/requests/{request_id}/test")
def test_page(request: Request, request_id: str, who: sessions.SignedIn = signed_in_worker):
    with as_worker(request, who, writes=False) as ctx:
        try:
            found = ops.get_request(ctx, request_id)
        except errors.WorkerError as refused:
            return pages.render(request, "worker_site/qualifications.html",
                                {"section": "qualifications", "scores": [], "waiting": [],
                                 "problem": refused.message}, status=refused.status)
        return _test(request, ctx, found)


def _test(request: Request, ctx, found: dict, *, values=None, field_errors=None, problem=None, status=200):
    form = (question_form.render_question_form(found["Test"], values=values, errors=field_errors)
            if found["Test"] else None)
    return pages.render(request, "worker_site/test.html",
                        {"section": "qualifications", "r": found, "form": form, "now": ctx.now,
                         "problem": problem}, status=status)


@router.post("/qualifications/requests/{request_id}/test")
def answer_test(request: Request, request_id: str, who: sessions.SignedIn = signed_in_worker,
                form: FormData = Depends(sessions.csrf_form)):
    with as_worker(request, who, writes=True) as ctx:
        try:
            found = ops.get_request(ctx, request_id)
        except errors.WorkerError:
            return pages.redirect("/qualifications")
        if not found["Test"]:
            return pages.redirect("/qualifications")
        problems, done = answer_form(ctx, found["Test"], form,
                                     lambda answers: ops.answer_test(ctx, request_id, answers=answers))
        if problems:
            return _test(request, ctx, found, values=form, field_errors=problems, status=400,
                         problem="Your answers were not accepted: see the questions marked below.")
    return pages.render(request, "worker_site/test_done.html", {"section": "qualifications", "r": done})
