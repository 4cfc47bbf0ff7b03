"""Files for FileUploadAnswer questions: kept in the upload directory, named by an opaque key that the
submission's UploadedFileKey carries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kempelen import errors
from kempelen.domain import assignments as states
from kempelen.operations.worksite.context import WorkerContext, own_assignment
from kempelen.questions import parse_question
from kempelen.questions.model import FileUploadAnswer, Question
from kempelen.store import file_uploads
from kempelen.store.models import FileUpload


@dataclass(frozen=True)
class IncomingFile:
    """A file part of a request: its bytes (a file object at the start), size and the browser's labels."""
    content: BinaryIO
    size: int
    file_name: str | None
    content_type: str | None


def file_question(question: Question, question_identifier: str) -> FileUploadAnswer:
    if question.kind != "QuestionForm":
        raise errors.not_a_file_upload_question(question_identifier, f"the HIT's Question is an {question.kind}, "
                                                                     "whose own page takes care of files")
    form_question = question.question(question_identifier)
    if form_question is None:
        raise errors.not_a_file_upload_question(question_identifier, "the HIT has no question with this identifier")
    spec = form_question.answer_specification
    if not isinstance(spec, FileUploadAnswer):
        raise errors.not_a_file_upload_question(question_identifier, f"it is a {spec.tag} question")
    return spec


def save_file(ctx: WorkerContext, assignment_id: str, question: Question, question_identifier: str,
               incoming: IncomingFile, upload_dir: Path) -> FileUpload:
    spec = file_question(question, question_identifier)
    if not spec.min_bytes <= incoming.size <= spec.max_bytes:
        raise errors.uploaded_file_size_invalid(question_identifier, incoming.size, spec.min_bytes, spec.max_bytes)
    return file_uploads.save(ctx.session, upload_dir, assignment_id=assignment_id,
                             question_identifier=question_identifier, content=incoming.content,
                             size=incoming.size, file_name=incoming.file_name,
                             content_type=incoming.content_type, now=ctx.now)


def upload_file(ctx: WorkerContext, assignment_id: str, question_identifier: str, incoming: IncomingFile,
                upload_dir: Path) -> dict:
    """Keep a file for a FileUploadAnswer question of an accepted assignment; the submission then answers
    the question with the returned UploadedFileKey. Each upload is a new file with a new key."""
    _, hit, _, status = own_assignment(ctx, assignment_id, for_update=True)
    if not states.may_work_on(status):
        raise errors.assignment_not_active(assignment_id, status)
    record = save_file(ctx, assignment_id, parse_question(hit.question), question_identifier, incoming, upload_dir)
    return {"AssignmentId": assignment_id, "QuestionIdentifier": question_identifier,
            "UploadedFileKey": record.upload_key, "UploadedFileSizeInBytes": record.size,
            "FileName": record.file_name, "ContentType": record.content_type}

