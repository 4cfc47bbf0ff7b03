"""check_answers: a worker's QuestionForm answers against each question's AnswerSpecification.

MTurk itself only promises that ``Answer`` is valid QuestionFormAnswers (its worker page enforces the
rules in the browser); Kempelen re-checks them on the server, with human reasons a page can show.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterable, Sequence

from kempelen.questions.answers import Answer
from kempelen.questions.errors import AnswerInvalid
from kempelen.questions.jsregex import js_test
from kempelen.questions.model import FileUploadAnswer, FormQuestion, FreeTextAnswer, Question, SelectionAnswer

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def check_answers(form_questions: Question | Sequence[FormQuestion], answers: Iterable[Answer]) -> None:
    """Raise the first AnswerInvalid, if any (see ``answer_problems``)."""
    problems = answer_problems(form_questions, answers)
    if problems:
        raise problems[0]


def answer_problems(form_questions: Question | Sequence[FormQuestion],
                    answers: Iterable[Answer]) -> list[AnswerInvalid]:
    """Every rule the answers break, in answer order, then the required questions left unanswered.

    An empty answer (empty free text, or no selection and no "other" text) counts as no answer: it is
    refused only for a required question (IsRequired, or Length@minLength above 0), and otherwise its
    constraints are not applied, except AnswerFormatRegex on empty free text (MTurk's own docs write
    optional fields as ``(^$|…)``, so its browser check runs on empty input too).
    """
    questions = form_questions.questions if isinstance(form_questions, Question) else tuple(form_questions)
    by_identifier = {question.identifier: question for question in questions}
    problems: list[AnswerInvalid] = []
    seen: set[str] = set()
    answered: set[str] = set()
    for answer in answers:
        identifier = answer.question_identifier
        question = by_identifier.get(identifier)
        if question is None:
            problems.append(AnswerInvalid(identifier, "There is no question with this identifier in the form."))
            continue
        if identifier in seen:
            problems.append(AnswerInvalid(identifier, "The question is answered more than once."))
            continue
        seen.add(identifier)
        if not answer.is_empty:
            answered.add(identifier)
        problems.extend(AnswerInvalid(identifier, reason) for reason in _reasons(question, answer))
    for question in questions:
        if question.identifier not in answered and question.requires_answer:
            problems.append(AnswerInvalid(question.identifier, "This question requires an answer."))
    return problems


def _reasons(question: FormQuestion, answer: Answer) -> list[str]:
    spec = question.answer_specification
    if isinstance(spec, FreeTextAnswer):
        if answer.kind == "FreeText":
            return _free_text_reasons(spec, answer.free_text, required=question.requires_answer)
        return [] if answer.is_empty else ["The question expects free text, not " + _what(answer) + "."]
    if isinstance(spec, SelectionAnswer):
        if answer.kind == "Selection":
            return [] if answer.is_empty else _selection_reasons(spec, answer)
        return [] if answer.is_empty else ["The question expects a selection, not " + _what(answer) + "."]
    if answer.kind != "FileUpload":
        return [] if answer.is_empty else ["The question expects a file upload, not " + _what(answer) + "."]
    return _file_reasons(spec, answer.uploaded_file_size)


def _what(answer: Answer) -> str:
    return {"FreeText": "free text", "Selection": "a selection", "FileUpload": "a file upload"}[answer.kind]


def _free_text_reasons(spec: FreeTextAnswer, text: str, *, required: bool, label: str = "The answer") -> list[str]:
    regex_reasons = [rule.message for rule in spec.regexes if js_test(rule.regex, rule.flags, text) is False]
    if text == "":  # no answer: a required question says so once, at the end
        return [] if required else regex_reasons
    reasons = []
    length = len(text.replace("\r\n", "\n"))  # a browser's CR LF is one character to its length checks
    if spec.min_length is not None and length < spec.min_length:
        reasons.append(f"{label} must be at least {_count(spec.min_length, 'character')} long (it has {length}).")
    if spec.max_length is not None and length > spec.max_length:
        reasons.append(f"{label} must be at most {_count(spec.max_length, 'character')} long (it has {length}).")
    if spec.is_numeric:
        if not _NUMBER.fullmatch(text.strip()):
            reasons.append(f"{label} must be a number, not '{_shorten(text)}'.")
        else:
            value = Decimal(text.strip())
            if spec.min_value is not None and value < spec.min_value:
                reasons.append(f"{label} must be at least {spec.min_value}.")
            if spec.max_value is not None and value > spec.max_value:
                reasons.append(f"{label} must be at most {spec.max_value}.")
    return reasons + regex_reasons


def _selection_reasons(spec: SelectionAnswer, answer: Answer) -> list[str]:
    reasons = []
    known = spec.selection_identifiers
    seen: set[str] = set()
    for identifier in answer.selection_identifiers:
        if identifier not in known:
            shown = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
            reasons.append(f"'{identifier}' is not one of this question's selections ({shown}).")
        elif identifier in seen:
            reasons.append(f"'{identifier}' is selected more than once.")
        seen.add(identifier)
    other = answer.other_selection_text or ""
    if other and spec.other_selection is None:
        reasons.append("This question has no 'other' choice, so OtherSelectionText is not allowed.")
    elif other:
        reasons.extend(_free_text_reasons(spec.other_selection, other, required=True, label="The 'other' text"))
    count = len(answer.selection_identifiers) + (1 if other else 0)
    if count < spec.min_selection_count:
        reasons.append(f"Select at least {_count(spec.min_selection_count, 'option')} ({count} selected).")
    if count > spec.max_selection_count:
        reasons.append(f"Select at most {_count(spec.max_selection_count, 'option')} ({count} selected).")
    return reasons


def _file_reasons(spec: FileUploadAnswer, size: int) -> list[str]:
    if spec.min_bytes <= size <= spec.max_bytes:
        return []
    return [f"The uploaded file is {size} bytes; it must be between {spec.min_bytes} and {spec.max_bytes} bytes."]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
