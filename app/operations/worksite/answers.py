"""A worker's submitted answers -> ``Answer`` objects, for every kind of Question.

Scripts submit a JSON object ``{"q1": "cat", "colours": ["red", "blue"]}`` or a QuestionFormAnswers
document. For a QuestionForm a value is read by its question's AnswerSpecification: free text is a string,
a selection is a list of SelectionIdentifiers (or one string), and ``{"SelectionIdentifiers": [...],
"OtherSelectionText": "..."}`` or ``{"FreeText": "..."}`` say it explicitly, and ``{"UploadedFileKey": key}``
answers a FileUploadAnswer with a file uploaded for that question beforehand. For ExternalQuestion and
HTMLQuestion every value is free text, as externalSubmit records form fields, lists joined with ``|``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from kempelen import errors
from kempelen.questions import Answer, QuestionInvalid, answer_problems, parse_question_form_answers
from kempelen.questions.model import Question, SelectionAnswer


class Upload(Protocol):
    """What an answer needs of an uploaded file (kempelen.store.models.FileUpload)."""
    question_identifier: str
    size: int


def answers_from_json(question: Question, values: Mapping[str, object],
                      uploads: Mapping[str, Upload] | None = None) -> list[Answer]:
    if question.kind != "QuestionForm":
        return [Answer(name, free_text=_text(name, value)) for name, value in values.items()]
    answers = []
    for name, value in values.items():
        form_question = question.question(name)
        is_selection = form_question is not None and isinstance(form_question.answer_specification,
                                                                SelectionAnswer)
        answers.append(_form_answer(name, value, is_selection, uploads or {}))
    return answers


def answers_from_xml(document: str) -> list[Answer]:
    try:
        return parse_question_form_answers(document)
    except QuestionInvalid as exc:
        raise errors.answers_malformed(f"The answers are not a valid QuestionFormAnswers document: {exc}") from None


def check_uploads(answers: list[Answer], uploads: Mapping[str, Upload]) -> None:
    """Every UploadedFileKey must be a file uploaded for that question of this assignment, with its size."""
    for answer in answers:
        if answer.kind == "FileUpload" and answer.uploaded_file_size != _uploaded_size(
                answer.question_identifier, answer.uploaded_file_key, uploads):
            raise errors.answers_malformed(f"The answer to {answer.question_identifier} gives the wrong size for "
                                           f"the uploaded file {answer.uploaded_file_key}.", answer.question_identifier)


def _uploaded_size(name: str, key: object, uploads: Mapping[str, Upload]) -> int:
    upload = uploads.get(key) if isinstance(key, str) else None
    if upload is None or upload.question_identifier != name:
        raise errors.answers_malformed(f"The answer to {name} names no file uploaded for that question in this "
                                       f"assignment: {key!r}.", name)
    return upload.size


def checked(question: Question, answers: list[Answer]) -> list[Answer]:
    """QuestionForm answers against their AnswerSpecifications; other kinds are free-form."""
    if question.kind == "QuestionForm":
        problems = answer_problems(question, answers)
        if problems:
            raise errors.answers_invalid(problems)
    return answers


def field_errors(error: errors.WorkerError) -> dict[str, str]:
    """A refused submission as {QuestionIdentifier: message}, for a page that shows each message next to its
    field: every rule an answer broke (``checked``), a badly shaped answer, or an uploaded file's size.
    Several reasons for one question are joined; a refusal that names no question gives ``{}``."""
    found: dict[str, list[str]] = {}
    for detail in error.details:
        identifier, reason = detail.get("QuestionIdentifier"), detail.get("Reason")
        if isinstance(identifier, str) and reason and reason not in found.setdefault(identifier, []):
            found[identifier].append(reason)
    return {identifier: " ".join(reasons) for identifier, reasons in found.items()}


def _form_answer(name: str, value: object, is_selection: bool, uploads: Mapping[str, Upload]) -> Answer:
    if isinstance(value, Mapping):
        unknown = set(value) - {"FreeText", "SelectionIdentifiers", "OtherSelectionText", "UploadedFileKey"}
        if unknown:
            raise errors.answers_malformed(f"The answer to {name} has unknown members: {', '.join(sorted(unknown))}.",
                                           name)
        if "UploadedFileKey" in value:
            if len(value) > 1:
                raise errors.answers_malformed(f"The answer to {name} is a file: UploadedFileKey goes alone.", name)
            key = value["UploadedFileKey"]
            return Answer(name, uploaded_file_key=key, uploaded_file_size=_uploaded_size(name, key, uploads))
        if "FreeText" in value:
            return Answer(name, free_text=_text(name, value["FreeText"]))
        selections = value.get("SelectionIdentifiers", [])
        other = value.get("OtherSelectionText")
        return Answer(name, selection_identifiers=tuple(_strings(name, selections)),
                      other_selection_text=None if other is None else _text(name, other))
    if is_selection:
        return Answer(name, selection_identifiers=tuple(_strings(name, value)))
    return Answer(name, free_text=_text(name, value))


def _strings(name: str, value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise errors.answers_malformed(f"The answer to {name} must be a string or a list of strings.", name)


def _text(name: str, value: object) -> str:
    if isinstance(value, list):
        return "|".join(_strings(name, value))
    if isinstance(value, bool) or value is None or isinstance(value, (dict,)):
        raise errors.answers_malformed(f"The answer to {name} must be text.", name)
    return value if isinstance(value, str) else str(value)
