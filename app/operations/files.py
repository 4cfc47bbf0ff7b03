"""GetFileUploadURL (spec §6.H): a link to a worker's uploaded file, good for 60 seconds of service time.

The link is this server's ``/files/<UploadedFileKey>?Expires=<epoch-ms>&Signature=<hex>``, where the
signature is an HMAC-SHA256 of the key and the expiry under a secret kept in the upload directory. The
download route (kempelen.web.files) serves a file to nothing but such a link, as MTurk's S3 links did.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

from kempelen import errors
from kempelen.clock import epoch_ms
from kempelen.domain.hits import is_disposed
from kempelen.operations.assignments import load_assignment
from kempelen.operations.context import OperationContext
from kempelen.operations.registry import operation
from kempelen.questions import FileUploadAnswer, QuestionInvalid, parse_question, parse_question_form_answers
from kempelen.schemas import generated as shapes
from kempelen.store import file_uploads

LINK_LIFETIME = timedelta(seconds=60)
FILES_PATH = "/files"

def signature(secret: bytes, key: str, expires_ms: int) -> str:
    return hmac.new(secret, f"{key}\n{expires_ms}".encode(), hashlib.sha256).hexdigest()


def link_is_valid(upload_dir: Path, key: str, expires_ms: int, given: str, now_ms: int) -> bool:
    """The signature is ours for this key and expiry, and the expiry has not come."""
    expected = signature(file_uploads.signing_key(upload_dir), key, expires_ms)
    return hmac.compare_digest(expected, given) and now_ms < expires_ms


@operation("GetFileUploadURL", writes=False)
def get_file_upload_url(ctx: OperationContext, request: shapes.GetFileUploadURLRequest
                        ) -> shapes.GetFileUploadURLResponse:
    assignment, hit, _, _ = load_assignment(ctx, request.AssignmentId)
    aid, qid = assignment.assignment_id, request.QuestionIdentifier
    question = parse_question(hit.question)
    form_question = question.question(qid) if question.kind == "QuestionForm" else None
    if form_question is None:
        raise errors.no_file_upload(aid, qid, "the HIT has no such question")
    if not isinstance(form_question.answer_specification, FileUploadAnswer):
        raise errors.no_file_upload(aid, qid, "it is not a FileUploadAnswer question")
    if is_disposed(hit.disposed_at, hit.creation_time, ctx.now):
        raise errors.no_file_upload(aid, qid, "the HIT has been disposed of")
    key = _answered_key(assignment.answer, qid)
    record = file_uploads.get(ctx.session, key) if key else None
    if record is None or record.assignment_id != aid:
        raise errors.no_file_upload(aid, qid, "the worker did not answer it with a file")
    expires = epoch_ms(ctx.now + LINK_LIFETIME)
    secret = file_uploads.signing_key(ctx.settings.effective_upload_dir())
    query = urlencode({"Expires": expires, "Signature": signature(secret, record.upload_key, expires)})
    origin = ctx.origin.rstrip("/")
    return shapes.GetFileUploadURLResponse(FileUploadURL=f"{origin}{FILES_PATH}/{quote(record.upload_key)}?{query}")


def _answered_key(answer_document: str | None, question_identifier: str) -> str | None:
    try:
        answers = parse_question_form_answers(answer_document or "")
    except QuestionInvalid:
        return None
    return next((a.uploaded_file_key for a in answers
                 if a.question_identifier == question_identifier and a.kind == "FileUpload"), None)
