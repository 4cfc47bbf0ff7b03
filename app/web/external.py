"""MTurk's worker-site endpoints that requesters' own pages talk to: ``/mturk/externalSubmit`` and the host
of HTMLQuestion content (``/dynamic/hit``).

externalSubmit takes the form an ExternalQuestion/HTMLQuestion page posts: ``assignmentId`` is required,
every other field is an answer (``hitId``, ``workerId`` and ``turkSubmitTo`` are dropped; repeated names
are joined with ``|``). The submitting worker is the assignment's own. MTurk's staff said only real form
posts count, so a POST whose fields are only in the query string is refused; GET is still taken, for old
code that used it.

File parts are not answers to an ExternalQuestion or HTMLQuestion (MTurk never took them there; its docs
send requesters to their own storage), so they are dropped. On a QuestionForm HIT, whose form MTurk's own
worker site rendered file inputs and all, a file part named after a FileUploadAnswer question answers it.
"""

from __future__ import annotations

import html
import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from kempelen import errors
from kempelen.domain import frames, text
from kempelen.domain.hits import is_disposed
from kempelen.operations import workers as ops
from kempelen.questions import parse_question
from kempelen.store import assignments as assignment_store
from kempelen.store import hits as hit_store
from kempelen.store import workers as worker_store
from kempelen.web.hit_content import STATIC_PATH, prepare_html_question
from kempelen.web.workers import incoming_file, public_url

router = APIRouter(tags=["worker site"])


def _page(title: str, message: str, status: int = 200, script: str = "") -> HTMLResponse:
    body = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>{script}</body></html>")
    return HTMLResponse(body, status_code=status)


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
        return _page("Submission refused", errors.unstorable_path(f"form field {bad!r}").message, 400)
    assignment_id = next((value for name, value in fields if name == "assignmentId"), None)
    if request.method == "POST" and assignment_id is None and "assignmentId" in request.query_params:
        return _page("Submission refused", "The answers must be sent as form fields in the request body, "
                     "not in the URL's query string.", 400)
    if not assignment_id:
        return _page("Submission refused", "The form has no assignmentId field, so there is no assignment "
                     "to submit it for.", 400)
    if assignment_id == frames.PREVIEW_ASSIGNMENT_ID:
        return _page("Submission refused", errors.preview_submission().message, 400)
    state = request.app.state
    try:
        with state.db.transaction(writes=True) as session:
            assignment = assignment_store.get(session, assignment_id)
            if assignment is None:
                raise errors.worker_assignment_does_not_exist(assignment_id)
            worker = worker_store.get(session, assignment.worker_id)
            ctx = ops.WorkerContext(session, worker, state.clock.now(), public_url(request))
            ops.submit_assignment(ctx, assignment_id, external_fields=fields,
                                  external_files=[(name, incoming_file(part)) for name, part in files],
                                  upload_dir=state.settings.effective_upload_dir())
    except errors.WorkerError as exc:
        return _page("Submission refused", exc.message, exc.status)
    # Tell a Kempelen worker page hosting the frame; a bare browser just sees the confirmation.
    script = ("<script>if (window.parent !== window) { window.parent.postMessage("
              f"{{type: 'mturk-submitted', assignmentId: {json.dumps(assignment_id)}}}, '*'); }}</script>")
    return _page("HIT submitted", "Your answers were submitted. Thank you.", 200, script)


# MTurk's path, and the doubled slash some pages produce by joining turkSubmitTo + "/mturk/externalSubmit".
# One route per method, so each has its own OpenAPI operation id.
for path in (frames.EXTERNAL_SUBMIT_PATH, "/" + frames.EXTERNAL_SUBMIT_PATH):
    for method in ("POST", "GET"):
        router.add_api_route(path, external_submit, methods=[method], response_class=HTMLResponse,
                             operation_id=f"external_submit_{method.lower()}",
                             include_in_schema=path == frames.EXTERNAL_SUBMIT_PATH)


@router.get(frames.HTML_QUESTION_PATH, response_class=HTMLResponse)
def html_question(request: Request, hitId: str) -> HTMLResponse:  # noqa: N803 - MTurk's parameter name
    """The HTMLContent of an HTMLQuestion HIT, served as the frame MTurk hosted it in (the page reads
    assignmentId, hitId, workerId and turkSubmitTo from its own URL)."""
    state = request.app.state
    with state.db.transaction(writes=False) as session:
        found = hit_store.get_hit_any_requester(session, hitId)
        if found is None or is_disposed(found[0].disposed_at, found[0].creation_time, state.clock.now()):
            return _page("No such HIT", f"Hit {hitId} does not exist.", 404)
        question = parse_question(found[0].question)
    if question.kind != "HTMLQuestion":
        return _page("No such HIT", f"Hit {hitId} is not an HTMLQuestion HIT.", 404)
    # MTurk's script and submit addresses point here: the assets from whichever origin serves this content,
    # the answers to the worker site (turkSubmitTo)
    return HTMLResponse(prepare_html_question(question.html_content, assets_base=STATIC_PATH,
                                              submit_url=public_url(request) + frames.EXTERNAL_SUBMIT_PATH))
