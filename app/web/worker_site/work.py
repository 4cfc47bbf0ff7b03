"""Working on HITs: preview a group, accept ("Accept & Work", MTurk's accept_random), the task page, submit,
return, and moving on to the next HIT when auto-accept is on. Every action is an operations call."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from kempelen import errors
from kempelen.operations import worksite as ops
from kempelen.operations.worksite import accounts, discover
from kempelen.web import pages, question_form, sessions
from kempelen.web.content import SANDBOX, content_url, origin_of
from kempelen.web.security import page_csp
from kempelen.web.worker_site.common import answer_form, as_worker, notice_of, signed_in_worker
from kempelen.web.workers import public_url

router = APIRouter()

NOT_QUALIFIED = ("QualificationRequirementNotMet", "WorkerBlocked")


def task_url(assignment: dict) -> str:
    """MTurk's task URL: /projects/<group>/tasks/<task>?assignment_id=<assignment>."""
    return (f"/projects/{quote(assignment['HITGroupId'])}/tasks/{quote(assignment['HITId'])}"
            f"?assignment_id={quote(assignment['AssignmentId'])}")


def _frame(request: Request, view: dict) -> dict | None:
    """How the page frames an ExternalQuestion/HTMLQuestion: the URL, the sandbox, the height."""
    if not view.get("FrameURL"):
        return None
    site = origin_of(public_url(request))
    origin = origin_of(view["FrameURL"])
    # requester content from Kempelen itself never gets the site's origin; a requester's own site keeps its own
    sandbox = SANDBOX if view["QuestionType"] == "HTMLQuestion" or origin == site else SANDBOX + " allow-same-origin"
    height = view.get("FrameHeight") or 0
    return {"url": view["FrameURL"], "origin": origin, "sandbox": sandbox, "height": height}


def _headers(request: Request, frame: dict | None) -> dict[str, str]:
    sources = ["'self'"]
    if frame and frame["origin"] not in sources:
        sources.append(frame["origin"])
    if content_url(request):
        sources.append(origin_of(content_url(request)))
    return {"Content-Security-Policy": page_csp(frame_src=" ".join(dict.fromkeys(sources)))}


def _group_path(group_id: str) -> str:
    return f"/projects/{quote(group_id)}/tasks"


# --- preview ------------------------------------------------------------------------------------------


@router.get("/projects/{group_id}/tasks")
def preview(request: Request, group_id: str, who: sessions.SignedIn = signed_in_worker,
            after: str | None = None, problem: str | None = None):
    with as_worker(request, who, writes=False) as ctx:
        try:
            found = discover.preview_group(ctx, group_id, after)
        except errors.WorkerError as refused:
            group = discover.group_info(ctx, group_id)
            status = 403 if refused.code in NOT_QUALIFIED else 404
            return pages.render(request, "worker_site/unavailable.html",
                                {"section": "hits", "group": group, "problem": refused.message,
                                 "not_qualified": refused.code in NOT_QUALIFIED}, status=status)
        return _preview_page(request, found, problem)


def _preview_page(request: Request, found: dict, problem: str | None = None, status: int = 200):
    hit, group = found["HIT"], found["Group"]
    frame = _frame(request, hit)
    form = (question_form.render_question_form(hit["Question"], id_prefix="p")
            if hit["QuestionType"] == "QuestionForm" else None)
    return pages.render(request, "worker_site/preview.html",
                        {"section": "hits", "hit": hit, "group": group, "frame": frame, "form": form,
                         "problem": problem}, status=status, headers=_headers(request, frame))


@router.get("/projects/{group_id}/tasks/accept_random")
def accept_random_page(request: Request, group_id: str, who: sessions.SignedIn = signed_in_worker):
    """MTurk's accept link, followed from elsewhere: a GET must not accept, so it asks (one click)."""
    with as_worker(request, who, writes=False) as ctx:
        group = discover.group_info(ctx, group_id)
    return pages.render(request, "worker_site/accept_confirm.html", {"section": "hits", "group": group,
                                                                     "group_id": group_id},
                        status=200 if group else 404)


@router.post("/projects/{group_id}/tasks/accept_random")
def accept(request: Request, group_id: str, who: sessions.SignedIn = signed_in_worker,
           form: FormData = Depends(sessions.csrf_form)):
    """Accept the previewed HIT (form field hit_id) or, without one, the next HIT of the group."""
    hit_id = form.get("hit_id")
    try:
        with as_worker(request, who, writes=True) as ctx:
            assignment = ops.accept_from_group(ctx, group_id, hit_id if isinstance(hit_id, str) else None)
        return pages.redirect(task_url(assignment))
    except errors.WorkerError as refused:
        if refused.code == "NoHITAvailable":
            return pages.redirect("/projects?notice=none-left")
        with as_worker(request, who, writes=False) as ctx:
            try:
                found = discover.preview_group(ctx, group_id)
            except errors.WorkerError:
                group = discover.group_info(ctx, group_id)
                return pages.render(request, "worker_site/unavailable.html",
                                    {"section": "hits", "group": group, "problem": refused.message,
                                     "not_qualified": refused.code in NOT_QUALIFIED}, status=refused.status)
            return _preview_page(request, found, refused.message, status=refused.status)


# --- the task page ------------------------------------------------------------------------------------


@router.get("/projects/{group_id}/tasks/{hit_id}")
def task(request: Request, group_id: str, hit_id: str, who: sessions.SignedIn = signed_in_worker,
         assignment_id: str = "", notice: str | None = None):
    with as_worker(request, who, writes=False) as ctx:
        try:
            assignment = ops.get_assignment(ctx, assignment_id)
        except errors.WorkerError:
            return pages.redirect("/tasks?notice=expired")
        if assignment["AssignmentStatus"] != "Accepted" or assignment["HITId"] != hit_id:
            return pages.redirect("/tasks?notice=expired")
        return _task_page(request, ctx, assignment, notice=notice_of(notice))


def _task_page(request: Request, ctx: ops.WorkerContext, assignment: dict, *, values=None, field_errors=None,
               problem: str | None = None, notice: str | None = None, status: int = 200):
    frame = _frame(request, assignment)
    form = None
    if assignment["QuestionType"] == "QuestionForm":
        form = question_form.render_question_form(assignment["Question"], values=values, errors=field_errors)
    return pages.render(request, "worker_site/task.html", {
        "section": "hits", "a": assignment, "frame": frame, "form": form, "now": ctx.now,
        "enctype": question_form.form_enctype(assignment["Question"]) if form is not None else None,
        "auto_accept": ctx.worker.auto_accept, "problem": problem, "notice": notice,
        "group_path": _group_path(assignment["HITGroupId"])}, status=status, headers=_headers(request, frame))


@router.post("/assignments/{assignment_id}/submit")
def submit(request: Request, assignment_id: str, who: sessions.SignedIn = signed_in_worker,
           form: FormData = Depends(sessions.csrf_form)):
    """A QuestionForm's answers: checked by the API's own code; a refusal is shown next to its field with
    what the worker typed kept."""
    state = request.app.state
    auto_accept = form.get("auto_accept") == "on"
    with as_worker(request, who, writes=True) as ctx:
        try:
            assignment = ops.get_assignment(ctx, assignment_id)
        except errors.WorkerError:
            return pages.redirect("/tasks?notice=expired")
        if assignment["AssignmentStatus"] != "Accepted":
            return pages.redirect("/tasks?notice=expired")
        if assignment["QuestionType"] != "QuestionForm":
            return _task_page(request, ctx, assignment, problem="This HIT is submitted from its own page.",
                              status=400)
        accounts.set_auto_accept(ctx.worker, auto_accept)
        upload_dir = state.settings.effective_upload_dir()
        problems, _ = answer_form(ctx, assignment["Question"], form, lambda answers: ops.submit_assignment(
            ctx, assignment_id, answers=question_form.save_uploads(ctx, assignment_id, answers, upload_dir)))
        if problems:
            return _task_page(request, ctx, assignment, values=form, field_errors=problems, status=400,
                              problem="Your answers were not accepted: see the questions marked below.")
    return _after_submit(request, who, assignment)


def _after_submit(request: Request, who: sessions.SignedIn, assignment: dict):
    """The next HIT of the same group when auto-accept is on (and one is left), else the HIT list."""
    with as_worker(request, who, writes=True) as ctx:
        following = ops.next_after_submit(ctx, assignment["HITGroupId"])
    if following is not None:
        return pages.redirect(task_url(following) + "&notice=submitted")
    return pages.redirect("/projects?notice=submitted")


@router.post("/assignments/{assignment_id}/continue")
def continue_after_frame(request: Request, assignment_id: str, who: sessions.SignedIn = signed_in_worker,
                         _form: FormData = Depends(sessions.csrf_form)):
    """Where the task page goes once its frame has submitted through externalSubmit."""
    with as_worker(request, who, writes=False) as ctx:
        try:
            assignment = ops.get_assignment(ctx, assignment_id)
        except errors.WorkerError:
            return pages.redirect("/tasks?notice=expired")
    if assignment["AssignmentStatus"] == "Accepted":  # not submitted after all: back to work
        return pages.redirect(task_url(assignment))
    return _after_submit(request, who, assignment)


@router.post("/assignments/{assignment_id}/return")
def return_(request: Request, assignment_id: str, who: sessions.SignedIn = signed_in_worker,
            _form: FormData = Depends(sessions.csrf_form)):
    try:
        with as_worker(request, who, writes=True) as ctx:
            ops.return_assignment(ctx, assignment_id)
    except errors.WorkerError:
        return pages.redirect("/tasks?notice=expired")
    return pages.redirect("/projects?notice=returned")


@router.post("/settings/auto-accept")
def auto_accept(request: Request, who: sessions.SignedIn = signed_in_worker,
                form: FormData = Depends(sessions.csrf_form)):
    on = form.get("auto_accept") == "on"
    with as_worker(request, who, writes=True) as ctx:
        accounts.set_auto_accept(ctx.worker, on)
    back = form.get("back")
    back = back if isinstance(back, str) and back.startswith("/") and not back.startswith("//") else "/dashboard"
    separator = "&" if urlsplit(back).query else "?"
    return pages.redirect(f"{back}{separator}notice=auto-accept-{'on' if on else 'off'}")
