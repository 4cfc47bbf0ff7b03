"""Requester content and the endpoints requesters' own pages talk to: the HTMLQuestion host (``/dynamic/hit``)
and ``/mturk/externalSubmit``.

Requester HTML never runs with the site's authority. /dynamic/hit answers with a Content-Security-Policy
``sandbox`` (no allow-same-origin): wherever it is loaded, even opened directly, the page has an opaque
origin, so it can neither read the site's cookies nor read answers from /api or the pages as the worker.
When KEMPELEN_CONTENT_URL names another host (e.g. http://localhost:8000 beside http://127.0.0.1:8000),
frames load it from there as well; the worker site frames it in an iframe sandbox too.

externalSubmit takes the form an ExternalQuestion/HTMLQuestion page posts: ``assignmentId`` is required,
every other field is an answer (``hitId``, ``workerId`` and ``turkSubmitTo`` are dropped; repeated names
are joined with ``|``). The submitting worker is the assignment's own. MTurk's staff said only real form
posts count, so a POST whose fields are only in the query string is refused; GET is still taken, for old
code that used it.

A QuestionForm HIT has no requester page: its answers come from the worker site's own form. So externalSubmit
takes them only from the worker who holds the assignment, signed in to the worker site, with the form's CSRF
token; knowing an assignment id is not enough (docs/compatibility.md). On such a HIT a file part named after
a FileUploadAnswer question answers it; elsewhere file parts are dropped (MTurk never took them there).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from kempelen import errors
from kempelen.domain import frames, text
from kempelen.operations import worksite as ops
from kempelen.operations.worksite import content as content_ops
from kempelen.web import pages, sessions
from kempelen.web.hit_content import STATIC_PATH, prepare_html_question
from kempelen.web.security import page_csp
from kempelen.web.workers import incoming_file, public_url

router = APIRouter(tags=["worker site"])

#: what requester HTML may do inside its sandbox: run scripts, post its form, open links and dialogs
SANDBOX = "allow-scripts allow-forms allow-popups allow-modals"


def content_url(request: Request) -> str | None:
    configured = request.app.state.settings.content_url
    return configured.rstrip("/") if configured else None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _message(request: Request, title: str, message: str, status: int = 200, assignment_id: str | None = None):
    """The page a frame shows after externalSubmit; framed by the worker site's task page."""
    return pages.render(request, "content/submitted.html",
                        {"title": title, "message": message, "assignment_id": assignment_id}, status=status,
                        headers={"Content-Security-Policy": page_csp().replace("frame-ancestors 'none'",
                                                                               "frame-ancestors 'self'")})


async def _fields(request: Request) -> tuple[list[tuple[str, str]], list[tuple[str, UploadFile]]]:
    """The text fields, and the file parts apart."""
    if request.method == "GET":
        return list(request.query_params.multi_items()), []
    form = await request.form()
    items = form.multi_items()
    return ([(name, value) for name, value in items if not isinstance(value, UploadFile)],
            [(name, value) for name, value in items if isinstance(value, UploadFile)])


async def external_submit(request: Request) -> HTMLResponse:
    """Record an ExternalQuestion/HTMLQuestion assignment's answers, then tell the worker page it is done."""
    fields, files = await _fields(request)
    # multipart text fields (urlencoded ones are refused before the route: kempelen.limits)
    bad = next((name for name, value in fields if text.unstorable(name) or text.unstorable(value)), None)
    if bad is not None:
        return _message(request, "Submission refused", errors.unstorable_path(f"form field {bad!r}").message, 400)
    assignment_id = next((value for name, value in fields if name == "assignmentId"), None)
    if request.method == "POST" and assignment_id is None and "assignmentId" in request.query_params:
        return _message(request, "Submission refused", "The answers must be sent as form fields in the request "
                        "body, not in the URL's query string.", 400)
    if not assignment_id:
        return _message(request, "Submission refused", "The form has no assignmentId field, so there is no "
                        "assignment to submit it for.", 400)
    if assignment_id == frames.PREVIEW_ASSIGNMENT_ID:
        return _message(request, "Submission refused", errors.preview_submission().message, 400)
    state = request.app.state
    signed_in = sessions.signed_in_as(request, sessions.WORKER)
    try:
        with state.db.transaction(writes=True) as session:
            worker, kind = content_ops.external_submitter(session, assignment_id)
            if kind == "QuestionForm":
                _only_its_worker(request, fields, signed_in, worker.worker_id)
                fields = [(name, value) for name, value in fields if name != sessions.CSRF_FIELD]
            ctx = ops.WorkerContext(session, worker, state.clock.now(), public_url(request))
            ops.submit_assignment(ctx, assignment_id, external_fields=fields,
                                  external_files=[(name, incoming_file(part)) for name, part in files],
                                  upload_dir=state.settings.effective_upload_dir())
    except errors.WorkerError as exc:
        return _message(request, "Submission refused", exc.message, exc.status)
    return _message(request, "HIT submitted", "Your answers were submitted. Thank you.", 200, assignment_id)


def _only_its_worker(request: Request, fields: list[tuple[str, str]], signed_in: sessions.SignedIn | None,
                     worker_id: str) -> None:
    if signed_in is None or signed_in.principal_id != worker_id:
        raise errors.question_form_submitter()
    token = next((value for name, value in fields if name == sessions.CSRF_FIELD), None)
    try:
        sessions.check_csrf(request, token)
    except sessions.CSRFRefused:
        raise errors.question_form_submitter() from None


# MTurk's path, and the doubled slash some pages produce by joining turkSubmitTo + "/mturk/externalSubmit".
# One route per method, so each has its own OpenAPI operation id.
for path in (frames.EXTERNAL_SUBMIT_PATH, "/" + frames.EXTERNAL_SUBMIT_PATH):
    for method in ("POST", "GET"):
        router.add_api_route(path, external_submit, methods=[method], response_class=HTMLResponse,
                             operation_id=f"external_submit_{method.lower()}",
                             include_in_schema=path == frames.EXTERNAL_SUBMIT_PATH)


def content_headers() -> dict[str, str]:
    """Requester HTML: sandboxed wherever it is opened (framing it gives a framer no authority either)."""
    return {"Content-Security-Policy": f"sandbox {SANDBOX}", "Cache-Control": "no-store"}


@router.get(frames.HTML_QUESTION_PATH, response_class=HTMLResponse)
def html_question(request: Request, hitId: str) -> HTMLResponse:  # noqa: N803 - MTurk's parameter name
    """The HTMLContent of an HTMLQuestion HIT, served as the frame MTurk hosted it in (the page reads
    assignmentId, hitId, workerId and turkSubmitTo from its own URL)."""
    state = request.app.state
    with state.db.transaction(writes=False) as session:
        try:
            html_content = content_ops.html_content(session, hitId, state.clock.now())
        except errors.WorkerError as exc:
            return _message(request, "No such HIT", exc.message, 404)
    # MTurk's script and submit addresses point here: the assets from whichever origin serves this content,
    # the answers to the worker site (turkSubmitTo)
    html_content = prepare_html_question(html_content, assets_base=STATIC_PATH,
                                         submit_url=public_url(request) + frames.EXTERNAL_SUBMIT_PATH)
    return HTMLResponse(html_content, headers=content_headers())
