"""The worker HTTP API (JSON): what MTurk's worker site let a person do, for scripts and CI.

Authentication: ``Authorization: Bearer <worker token>`` (printed once when the worker is created), or the
admin token plus ``X-Kempelen-Worker-Id: <WorkerId>`` to act for any worker (what the CLI and the pytest
plugin do). Errors are ``{"Error": {"Code": ..., "Message": ...}}`` with a 4xx status.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, File, Header, Query, Request, UploadFile
from pydantic import Field

from kempelen import errors
from kempelen.auth.workers import bearer, is_admin, resolve_worker
from kempelen.operations import worksite as ops
from kempelen.operations.worksite import accounts
from kempelen.store import workers as worker_store
from kempelen.web.envelope import Body

router = APIRouter(prefix="/api", tags=["workers"])


class WorkerCreate(Body):
    WorkerId: str | None = Field(default=None, description='Optional: an id of your own, "A" + [A-Z0-9]+. '
                                                           "A random MTurk-style id otherwise.")
    Password: str | None = Field(default=None, description="Optional: the worker website's password "
                                                           "(8 to 256 characters).")


class LocaleIn(Body):
    Country: str
    Subdivision: str | None = None


class ProfileChange(Body):
    """Members left out are unchanged. Locale replaces the whole locale (no Subdivision clears it)."""
    Locale: LocaleIn | None = None
    Adult: bool | None = None
    Masters: bool | None = None
    Email: str | None = Field(default=None, description="Where NotifyWorkers also mails the worker when an SMTP "
                                                        'server is configured; "" removes it.')


class Submission(Body):
    """Exactly one of the two members."""
    Answers: dict[str, Any] | None = Field(default=None, description=(
        'QuestionIdentifier -> answer. Free text is a string; a selection is a list of SelectionIdentifiers; '
        '{"SelectionIdentifiers": [...], "OtherSelectionText": "..."} or {"FreeText": "..."} say it '
        'explicitly; {"UploadedFileKey": "..."} answers a FileUploadAnswer with a file uploaded beforehand. '
        "For ExternalQuestion/HTMLQuestion HITs every value is free text (lists joined by |)."))
    QuestionFormAnswers: str | None = Field(default=None, description="A QuestionFormAnswers XML document.")


def public_url(request: Request) -> str:
    configured = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


@contextlib.contextmanager
def acting_worker(request: Request, authorization: str | None, worker_id: str | None, *,
                  writes: bool) -> Iterator[ops.WorkerContext]:
    """One transaction, as the calling worker (read-only: see worker_store.row_by_token), at one instant."""
    state = request.app.state
    with state.db.transaction(writes=writes) as session:
        worker = resolve_worker(authorization, worker_id, state.settings.effective_admin_token(),
                                lambda token: worker_store.row_by_token(session, token),
                                lambda wid: worker_store.row_by_id(session, wid))
        yield ops.WorkerContext(session, worker, state.clock.now(), public_url(request),
                                content_url=state.settings.content_url)


def _require_admin(request: Request, authorization: str | None) -> None:
    if not is_admin(bearer(authorization), request.app.state.settings.effective_admin_token()):
        raise errors.admin_token_required()


# --- accounts (admin) ---------------------------------------------------------------------------------


@router.post("/workers", status_code=201)
def create_worker(body: WorkerCreate, request: Request, authorization: str | None = Header(default=None)) -> dict:
    """Create a worker. Returns ``{"WorkerId", "Token", "CreationTime"}``; the token is shown only here."""
    _require_admin(request, authorization)
    state = request.app.state
    with state.db.transaction() as session:
        worker, token = ops.create_worker(session, state.clock.now(), body.WorkerId)
        if body.Password is not None:  # in the same transaction: a refused password makes no worker
            accounts.set_password(session, worker, body.Password)
        return {"WorkerId": worker.worker_id, "Token": token, "CreationTime": worker.created_at}


@router.get("/workers/{worker_id}")
def get_worker(worker_id: str, request: Request, authorization: str | None = Header(default=None)) -> dict:
    """A worker and its statistics (admin)."""
    _require_admin(request, authorization)
    state = request.app.state
    with state.db.transaction(writes=False) as session:
        worker = worker_store.get(session, worker_id)
        if worker is None:
            raise errors.worker_does_not_exist(worker_id)
        return ops.worker_view(session, worker, state.clock.now())


@router.post("/workers/{worker_id}/profile")
def set_profile(worker_id: str, body: ProfileChange, request: Request,
                authorization: str | None = Header(default=None)) -> dict:
    """Set what the system qualifications read (admin): Locale {Country, Subdivision}, Adult, Masters; and
    the worker's Email."""
    _require_admin(request, authorization)
    state = request.app.state
    with state.db.transaction() as session:
        worker = worker_store.get(session, worker_id)
        if worker is None:
            raise errors.worker_does_not_exist(worker_id)
        locale = body.Locale
        ops.set_profile(worker, country=locale.Country if locale else None,
                        subdivision=locale.Subdivision if locale else None,
                        clear_subdivision=bool(locale and not locale.Subdivision),
                        adult=body.Adult, masters=body.Masters, email=body.Email)
        return ops.worker_view(session, worker, state.clock.now())


# --- as a worker --------------------------------------------------------------------------------------

Auth = Header(default=None, description="Bearer <worker token>, or Bearer <admin token> with X-Kempelen-Worker-Id")
ActingFor = Header(default=None, alias="X-Kempelen-Worker-Id")


@router.get("/worker")
def me(request: Request, authorization: str | None = Auth, worker_id: str | None = ActingFor) -> dict:
    """The calling worker: WorkerId and statistics (submitted, approved, rejected, returned, abandoned, rates)."""
    with acting_worker(request, authorization, worker_id, writes=False) as ctx:
        return ops.worker_view(ctx.session, ctx.worker, ctx.now)


@router.get("/worker/hits")
def list_hits(request: Request, MaxResults: int | None = Query(default=None),  # noqa: N803 - MTurk's names
              NextToken: str | None = Query(default=None), HITTypeId: str | None = Query(default=None),  # noqa: N803
              authorization: str | None = Auth, worker_id: str | None = ActingFor) -> dict:
    """The Assignable HITs this worker may take, oldest first: ``{"HITs", "NumResults", "NextToken"}``."""
    with acting_worker(request, authorization, worker_id, writes=False) as ctx:
        return ops.list_hits(ctx, NextToken, MaxResults, HITTypeId)


@router.get("/worker/hits/{hit_id}")
def preview_hit(hit_id: str, request: Request, authorization: str | None = Auth,
                worker_id: str | None = ActingFor) -> dict:
    """Preview a HIT: its properties, its Question, and the preview FrameURL
    (``assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE``) for ExternalQuestion and HTMLQuestion HITs."""
    with acting_worker(request, authorization, worker_id, writes=False) as ctx:
        return ops.preview_hit(ctx, hit_id)


@router.post("/worker/hits/{hit_id}/accept", status_code=201)
def accept_hit(hit_id: str, request: Request, authorization: str | None = Auth,
               worker_id: str | None = ActingFor) -> dict:
    """Accept the HIT: the new assignment, with its Deadline and the FrameURL to work in."""
    with acting_worker(request, authorization, worker_id, writes=True) as ctx:
        return ops.accept_hit(ctx, hit_id)


@router.post("/worker/hit-types/{hit_type_id}/accept", status_code=201)
def accept_next(hit_type_id: str, request: Request, authorization: str | None = Auth,
                worker_id: str | None = ActingFor) -> dict:
    """Accept the next HIT of a HIT type (a HITTypeId or a HITGroupId) that this worker may take."""
    with acting_worker(request, authorization, worker_id, writes=True) as ctx:
        return ops.accept_next(ctx, hit_type_id)


@router.get("/worker/assignments")
def list_assignments(request: Request, MaxResults: int | None = Query(default=None),  # noqa: N803
                     NextToken: str | None = Query(default=None),  # noqa: N803
                     authorization: str | None = Auth, worker_id: str | None = ActingFor) -> dict:
    """This worker's assignments in every status (Accepted, Submitted, Approved, Rejected, Returned, Abandoned)."""
    with acting_worker(request, authorization, worker_id, writes=False) as ctx:
        return ops.list_assignments(ctx, NextToken, MaxResults)


@router.get("/worker/assignments/{assignment_id}")
def get_assignment(assignment_id: str, request: Request, authorization: str | None = Auth,
                   worker_id: str | None = ActingFor) -> dict:
    with acting_worker(request, authorization, worker_id, writes=False) as ctx:
        return ops.get_assignment(ctx, assignment_id)


@router.post("/worker/assignments/{assignment_id}/submit")
def submit_assignment(assignment_id: str, body: Submission, request: Request, authorization: str | None = Auth,
                      worker_id: str | None = ActingFor) -> dict:
    """Submit answers (before the Deadline). QuestionForm answers are checked against their
    AnswerSpecification; a refusal names the question and the reason."""
    if (body.Answers is None) == (body.QuestionFormAnswers is None):
        raise errors.answers_malformed("Send exactly one of Answers and QuestionFormAnswers.")
    with acting_worker(request, authorization, worker_id, writes=True) as ctx:
        return ops.submit_assignment(ctx, assignment_id, answers=body.Answers,
                                     question_form_answers=body.QuestionFormAnswers)


def incoming_file(upload: UploadFile) -> ops.IncomingFile:
    """A multipart file part as the operations take it (the part is already spooled to memory or disk)."""
    upload.file.seek(0, 2)
    size = upload.file.tell()
    upload.file.seek(0)
    return ops.IncomingFile(upload.file, size, upload.filename, upload.content_type)


@router.post("/worker/assignments/{assignment_id}/files/{question_identifier}", status_code=201)
def upload_file(assignment_id: str, question_identifier: str, request: Request,
                file: UploadFile | None = File(default=None, description="The file (multipart/form-data)."),
                authorization: str | None = Auth, worker_id: str | None = ActingFor) -> dict:
    """Upload the file for a FileUploadAnswer question (2005-10-01 QuestionForm) of an accepted assignment.
    Its size must be within the question's MinFileSizeInBytes..MaxFileSizeInBytes. Returns the
    ``UploadedFileKey``; submit ``{"<QuestionIdentifier>": {"UploadedFileKey": key}}`` to answer with it."""
    if file is None:
        raise errors.answers_malformed("Send the file as the multipart/form-data field named file.")
    with acting_worker(request, authorization, worker_id, writes=True) as ctx:
        return ops.upload_file(ctx, assignment_id, question_identifier, incoming_file(file),
                               request.app.state.settings.effective_upload_dir())


@router.post("/worker/assignments/{assignment_id}/return")
def return_assignment(assignment_id: str, request: Request, authorization: str | None = Auth,
                      worker_id: str | None = ActingFor) -> dict:
    """Give the assignment back: its slot is free again at once."""
    with acting_worker(request, authorization, worker_id, writes=True) as ctx:
        return ops.return_assignment(ctx, assignment_id)
