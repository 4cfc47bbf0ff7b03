"""A QuestionForm as the worker sees it: an accessible HTML form fragment, and the posted form read back.

MTurk's worker site rendered QuestionForm HITs itself (nothing iframed) and supplied its own Submit button;
so does this module: the page that calls it owns the ``<form>``, its CSRF field and its buttons.

Fields are named by QuestionIdentifier. A selection sends one value per chosen SelectionIdentifier; the
"other" text of an OtherSelection is the field ``<QuestionIdentifier>.OtherSelectionText`` and, where the
choices are exclusive (radio buttons, a drop-down), the "Other" choice itself sends ``other_choice(spec)``.
HTML ids are generated (``q1``, ``q1-2``...), never taken from identifiers, which may hold any character.

Answers are checked by the same code the worker API uses (``kempelen.operations.worksite.answers``):
``check_form_answers`` before anything is saved, ``field_errors`` for a refusal raised by the operations.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.datastructures import UploadFile

from kempelen import errors
from kempelen.operations.worksite import answers as worker_answers
from kempelen.operations import worksite as ops
from kempelen.questions import parse_question
from kempelen.questions.formatted import formatted_content_html
from kempelen.questions.model import (FileUploadAnswer, FormQuestion, FreeTextAnswer, Overview, Question,
                                 SelectionAnswer)
from kempelen.web.workers import incoming_file

OTHER_TEXT_SUFFIX = ".OtherSelectionText"
_TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def _environment():
    """Made at the first QuestionForm page (see kempelen.web.pages.environment)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    made = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)
    made.filters["formatted"] = lambda text: Markup(formatted_content_html(text))
    return made


field_errors = worker_answers.field_errors  # a refusal from the operations -> {QuestionIdentifier: message}


# --- how each AnswerSpecification is shown -------------------------------------------------------------


def selection_control(spec: SelectionAnswer) -> str:
    """``radio``, ``checkbox``, ``dropdown`` or ``list``, from StyleSuggestion and MaxSelectionCount.

    radiobutton and dropdown only make sense for one choice (MTurk's docs), so with MaxSelectionCount above
    1 they become checkboxes and a multiple list; combobox and multichooser are lists as in MTurk's own
    XSLT rendering. No suggestion: radio buttons for one choice, checkboxes for several."""
    single = spec.max_selection_count <= 1
    style = spec.style
    if style in ("list", "combobox", "multichooser") or (style == "dropdown" and not single):
        return "list"
    if style == "dropdown":
        return "dropdown"
    if style == "checkbox" or not single:
        return "checkbox"
    return "radio"


def is_exclusive(spec: SelectionAnswer) -> bool:
    """One choice at a time (radio buttons, a drop-down, a single list): "Other" is then a choice too."""
    return spec.max_selection_count <= 1 and selection_control(spec) != "checkbox"


def other_choice(spec: SelectionAnswer) -> str:
    """The value the "Other" choice sends: ``OtherSelection``, made unlike every SelectionIdentifier."""
    value = "OtherSelection"
    while value in spec.selection_identifiers:
        value += "_"
    return value


def form_enctype(question: Question | str) -> str:
    """The ``enctype`` the page's ``<form>`` needs: multipart as soon as one question takes a file."""
    question = _as_question(question)
    uploads = any(isinstance(q.answer_specification, FileUploadAnswer) for q in question.questions)
    return "multipart/form-data" if uploads else "application/x-www-form-urlencoded"


# --- rendering -------------------------------------------------------------------------------------------


@dataclass
class _Option:
    id: str
    value: str
    content: Any            # Text | Binary | FormattedContent
    label: str              # plain text (for <option>)
    chosen: bool


@dataclass
class _QuestionView:
    tag = "Question"        # beside Overview.tag, for the template
    id: str
    number: int
    identifier: str
    legend: str
    required: bool
    content: tuple
    kind: str               # text | textarea | radio | checkbox | dropdown | list | file
    hints: list[str] = field(default_factory=list)
    error: str | None = None
    value: str = ""
    numeric: bool = False
    lines: int = 1
    options: list[_Option] = field(default_factory=list)
    multiple: bool = False
    size: int = 0
    other: dict | None = None   # {id, name, value, chosen, exclusive, choice_value, hints}

    def described_by(self, *extra: str) -> str:
        ids = [*extra, *([f"{self.id}-hint"] if self.hints else []), *([f"{self.id}-error"] if self.error else [])]
        return " ".join(ids)


def render_question_form(question: Question | str, *, values: Mapping | None = None,
                         errors: Mapping[str, str] | None = None, id_prefix: str = "q") -> Markup:
    """The QuestionForm's Overviews and Questions, in document order, as an HTML fragment.

    ``values``: what the worker sent (``answers_from_form``'s dict, or the posted form itself), shown again
    instead of DefaultText. ``errors``: {QuestionIdentifier: message}, each shown next to its question
    (with ``aria-invalid`` and ``aria-describedby`` on its fields); messages for identifiers the form does
    not have are listed above it."""
    question = _as_question(question)
    if values is not None and hasattr(values, "getlist"):
        values = answers_from_form(question, values)
    values = values or {}
    errors = dict(errors or {})
    items, number = [], 0
    for item in question.items:
        if isinstance(item, Overview):
            items.append(item)
            continue
        number += 1
        items.append(_question_view(item, number, f"{id_prefix}{number}", values, errors.pop(item.identifier, None)))
    template = _environment().get_template("question_form/form.html")
    return Markup(template.render(items=items, other_errors=errors))


def _question_view(question: FormQuestion, number: int, base: str, values: Mapping,
                   error: str | None) -> _QuestionView:
    spec = question.answer_specification
    view = _QuestionView(id=base, number=number, identifier=question.identifier,
                         legend=question.display_name or f"Question {number}", required=question.requires_answer,
                         content=question.content, kind="text", error=error)
    given = values.get(question.identifier) if question.identifier in values else None
    if isinstance(spec, FreeTextAnswer):
        view.kind = "textarea" if spec.number_of_lines > 1 else "text"
        view.lines, view.numeric = spec.number_of_lines, spec.is_numeric
        view.value = _text_value(given, spec.default_text, question.identifier in values)
        view.hints = _free_text_hints(spec)
    elif isinstance(spec, SelectionAnswer):
        _selection_view(view, spec, given)
    else:
        view.kind = "file"
        view.hints = [f"A file of {_bytes(spec.min_bytes)} to {_bytes(spec.max_bytes)}."]
    return view


def _selection_view(view: _QuestionView, spec: SelectionAnswer, given: Any) -> None:
    chosen, other_text = _chosen(given)
    control = selection_control(spec)
    view.kind = control
    view.multiple = spec.max_selection_count > 1
    view.options = [_Option(f"{view.id}-{n}", s.identifier, s.content, s.label, s.identifier in chosen)
                    for n, s in enumerate(spec.selections, 1)]
    extra = 1 if spec.other_selection is not None and is_exclusive(spec) else 0
    view.size = min(len(spec.selections) + extra, 10)
    low, high = spec.min_selection_count, spec.max_selection_count
    if high > 1:
        view.hints.append(f"Choose {high}." if low == high else
                          f"Choose up to {high}." if low <= 0 else f"Choose {low} to {high}.")
        if control == "list":
            view.hints.append("To choose several, hold Ctrl (\u2318 on a Mac) while clicking, "
                              "or Shift with the arrow keys.")
    if spec.other_selection is not None:
        other = spec.other_selection
        text = other_text if other_text is not None else (other.default_text or "")
        exclusive = is_exclusive(spec)
        view.other = {"id": f"{view.id}-other", "name": view.identifier + OTHER_TEXT_SUFFIX, "value": text,
                      "exclusive": exclusive, "choice_value": other_choice(spec),
                      "chosen": exclusive and bool(other_text) and not chosen,
                      "hints": _free_text_hints(other)}
        view.other["described_by"] = " ".join(
            ([f"{view.id}-other-hint"] if view.other["hints"] else []) + ([f"{view.id}-error"] if view.error else []))


def _text_value(given: Any, default: str | None, answered: bool) -> str:
    if not answered:
        return default or ""
    if isinstance(given, Mapping):
        given = given.get("FreeText", "")
    if isinstance(given, list):
        return "|".join(str(v) for v in given)
    return given if isinstance(given, str) else ""


def _chosen(given: Any) -> tuple[set[str], str | None]:
    if isinstance(given, Mapping):
        return set(given.get("SelectionIdentifiers") or ()), given.get("OtherSelectionText")
    if isinstance(given, str):
        return {given}, None
    if isinstance(given, (list, tuple)):
        return {v for v in given if isinstance(v, str)}, None
    return set(), None


def _free_text_hints(spec: FreeTextAnswer) -> list[str]:
    hints = []
    if spec.is_numeric:
        low, high = spec.min_value, spec.max_value
        hints.append("A number" + (f" from {low} to {high}." if low is not None and high is not None else
                                   f" of at least {low}." if low is not None else
                                   f" of at most {high}." if high is not None else "."))
    low, high = spec.min_length, spec.max_length
    if low and high:
        hints.append(f"{_count(low, 'character')}." if low == high else f"{low} to {high} characters.")
    elif low:
        hints.append(f"At least {_count(low, 'character')}.")
    elif high:
        hints.append(f"At most {_count(high, 'character')}.")
    return hints


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n:,} {noun}s"


def _bytes(n: int) -> str:
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= size:
            amount = f"{n / size:.1f}".rstrip("0").rstrip(".")
            return f"{amount} {unit} ({n:,} bytes)"
    return _count(n, "byte")


# --- reading the posted form -----------------------------------------------------------------------------


def answers_from_form(question: Question | str, form: Any) -> dict:
    """The posted form as the worker API's ``Answers``: free text a string, a selection a list of
    SelectionIdentifiers (or ``{"SelectionIdentifiers": [...], "OtherSelectionText": "..."}`` when "other"
    text counts), a chosen file an ``IncomingFile`` (see ``save_uploads``).

    Every question gets an entry, as MTurk wrote one Answer per question (an empty one for a selection left
    alone), except a FileUploadAnswer with no file. Fields that are not questions (the CSRF token, buttons)
    are ignored. ``form``: starlette's FormData, any multidict with ``getlist``, or a plain mapping."""
    question = _as_question(question)
    answers: dict[str, Any] = {}
    for form_question in question.questions:
        name, spec = form_question.identifier, form_question.answer_specification
        posted = _getlist(form, name)
        if isinstance(spec, FreeTextAnswer):
            answers[name] = next((v for v in posted if isinstance(v, str)), "")
        elif isinstance(spec, SelectionAnswer):
            answers[name] = _selection_answer(spec, [v for v in posted if isinstance(v, str)],
                                              next(iter(_getlist(form, name + OTHER_TEXT_SUFFIX)), ""))
        else:
            part = next(iter(posted), None)
            if isinstance(part, UploadFile):
                incoming = incoming_file(part)
                if incoming.file_name or incoming.size:  # an empty file input still sends a nameless part
                    answers[name] = incoming
            elif isinstance(part, str) and part:
                answers[name] = part  # not a file: left for the checks to refuse
    return answers


def _selection_answer(spec: SelectionAnswer, posted: list[str], other_text: Any) -> list[str] | dict:
    token = other_choice(spec) if spec.other_selection is not None else None
    chosen = [v for v in posted if v != "" and (token is None or v != token)]
    if spec.other_selection is None or not isinstance(other_text, str) or other_text == "":
        return chosen
    if is_exclusive(spec) and chosen and token not in posted:
        return chosen  # a real choice was made after typing "other" text: the choice decides
    return {"SelectionIdentifiers": chosen, "OtherSelectionText": other_text}


def _getlist(form: Any, name: str) -> list:
    if hasattr(form, "getlist"):
        return list(form.getlist(name))
    value = form.get(name) if isinstance(form, Mapping) else None
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


# --- checking and saving, with the operations' own code --------------------------------------------------


def check_form_answers(question: Question | str, answers: Mapping[str, Any]) -> dict[str, str]:
    """{QuestionIdentifier: message} for every rule the answers break, {} if none: the checks the worker
    API's submit runs (a chosen file counts with its size), done before anything is saved, so the page can
    show every problem at once."""
    question = _as_question(question)
    values, uploads, empty_files = {}, {}, {}
    for name, value in answers.items():
        spec = getattr(question.question(name), "answer_specification", None)
        if isinstance(value, ops.IncomingFile) and value.size == 0 and isinstance(spec, FileUploadAnswer):
            # no Answer can hold a zero-byte file: the upload's own refusal says why
            empty_files.update(field_errors(errors.uploaded_file_size_invalid(name, 0, spec.min_bytes,
                                                                              spec.max_bytes)))
        elif isinstance(value, ops.IncomingFile):
            key = f"pending-{len(uploads)}"
            uploads[key] = _PendingUpload(name, value.size)
            values[name] = {"UploadedFileKey": key}
        else:
            values[name] = value
    try:
        worker_answers.checked(question, worker_answers.answers_from_json(question, values, uploads))
    except errors.WorkerError as refusal:
        found = field_errors(refusal) or {"": refusal.message}
        return {**found, **empty_files}
    return empty_files


@dataclass(frozen=True)
class _PendingUpload:
    question_identifier: str
    size: int


def save_uploads(ctx: ops.WorkerContext, assignment_id: str, answers: Mapping[str, Any],
                 upload_dir: Path) -> dict:
    """Keep each chosen file (the worker API's upload operation) and answer with its UploadedFileKey; run
    it in the transaction of the submission, so a refused submission keeps no file."""
    saved = dict(answers)
    for name, value in answers.items():
        if isinstance(value, ops.IncomingFile):
            record = ops.upload_file(ctx, assignment_id, name, value, upload_dir)
            saved[name] = {"UploadedFileKey": record["UploadedFileKey"]}
    return saved


def _as_question(question: Question | str) -> Question:
    question = parse_question(question) if isinstance(question, str) else question
    if question.kind != "QuestionForm":
        raise ValueError(f"Only a QuestionForm is rendered as a form, not an {question.kind}.")
    return question
