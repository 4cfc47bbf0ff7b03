"""MTurk's batch results CSV (``Batch_<id>_batch_results.csv``): its columns and how each value was written.

Facts from real files (spec mturk-sites.md §1): 27 fixed columns, then ``Input.<header>`` in the input file's
order, ``Answer.<field>`` sorted by name, then ``Approve`` and ``Reject``; every field quoted; times as Java's
``Date.toString()`` in US Pacific time (``Wed Nov 20 21:03:26 PST 2019``); rewards as ``$0.02``; approval
rates as ``100% (1/1)``. Pure functions: no database, no clock.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from kempelen.domain.money import format_amount

FIXED_COLUMNS = (
    "HITId", "HITTypeId", "Title", "Description", "Keywords", "Reward", "CreationTime", "MaxAssignments",
    "RequesterAnnotation", "AssignmentDurationInSeconds", "AutoApprovalDelayInSeconds", "Expiration",
    "NumberOfSimilarHITs", "LifetimeInSeconds", "AssignmentId", "WorkerId", "AssignmentStatus", "AcceptTime",
    "SubmitTime", "AutoApprovalTime", "ApprovalTime", "RejectionTime", "RequesterFeedback", "WorkTimeInSeconds",
    "LifetimeApprovalRate", "Last30DaysApprovalRate", "Last7DaysApprovalRate")
REVIEW_COLUMNS = ("Approve", "Reject")
PACIFIC = ZoneInfo("America/Los_Angeles")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def mturk_time(moment: datetime | None) -> str:
    """``Sat Nov 28 06:33:49 PST 2026``: Java's Date.toString() in Pacific time (PST/PDT by the date), with
    English names whatever the locale; empty for no time."""
    if moment is None:
        return ""
    local = moment.astimezone(PACIFIC)
    return (f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local.day:02d} "
            f"{local:%H:%M:%S} {local.tzname()} {local.year}")


def approval_rate(approved: int, decided: int) -> str:
    """``100% (12/12)``; ``0% (0/0)`` for a worker with nothing decided yet. The percentage is rounded down,
    so a rate is never shown higher than it is."""
    percent = approved * 100 // decided if decided else 0
    return f"{percent}% ({approved}/{decided})"


def reward(cents: int) -> str:
    return "$" + format_amount(cents)


def header(input_columns: Sequence[str], answer_columns: Iterable[str]) -> list[str]:
    return [*FIXED_COLUMNS, *(f"Input.{name}" for name in input_columns),
            *(f"Answer.{name}" for name in sorted(answer_columns)), *REVIEW_COLUMNS]


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(value)


def _flatten(prefix: str, value: object, into: dict[str, str]) -> None:
    if isinstance(value, dict) and value:
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, into)
    else:
        into[prefix] = _scalar(value)


def flatten_task_answers(value: str) -> dict[str, str] | None:
    """crowd-form's ``taskAnswers`` (a JSON array holding one object) as ``answer-format="flatten-objects"``
    wrote it: nested objects become dotted names, arrays stay JSON, booleans ``true``/``false``. None if the
    value is not such JSON."""
    try:
        document = json.loads(value)
    except ValueError:
        return None
    if isinstance(document, list) and len(document) == 1:
        document = document[0]
    if not isinstance(document, dict):
        return None
    flat: dict[str, str] = {}
    _flatten("", document, flat)
    return flat


def answer_cells(answers: Iterable, *, flatten_objects: bool = False) -> dict[str, str]:
    """``kempelen.questions.Answer`` objects -> {field: cell}. Free text as it is; selections joined with ``|``
    (the "other" text last); a file by its UploadedFileKey. With ``flatten_objects`` a crowd-form's
    ``taskAnswers`` becomes its dotted fields instead of one JSON cell."""
    cells: dict[str, str] = {}
    for answer in answers:
        name = answer.question_identifier
        if answer.kind == "FreeText":
            flat = flatten_task_answers(answer.free_text) if flatten_objects and name == "taskAnswers" else None
            if flat is not None:
                cells.update(flat)
            else:
                cells[name] = answer.free_text
        elif answer.kind == "FileUpload":
            cells[name] = answer.uploaded_file_key
        else:
            parts = list(answer.selection_identifiers)
            if answer.other_selection_text is not None:
                parts.append(answer.other_selection_text)
            cells[name] = "|".join(parts)
    return cells


class Writer:
    """CSV text a row at a time (for streaming): every field quoted, CRLF line ends."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")

    def row(self, values: Sequence[object]) -> str:
        self._writer.writerow(["" if v is None else v for v in values])
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


def row_plan(columns: Sequence[str]) -> list[tuple[int, str]]:
    """Where each column's value comes from: (0, fixed name), (1, input name) or (2, answer field), worked
    out once per file rather than once per row."""
    plan = []
    for column in columns:
        if column.startswith("Input."):
            plan.append((1, column[6:]))
        elif column.startswith("Answer."):
            plan.append((2, column[7:]))
        else:
            plan.append((0, column))
    return plan


def result_row(plan: Sequence[tuple[int, str]], fixed: Mapping[str, object], inputs: Mapping[str, str],
               answers: Mapping[str, str]) -> list[object]:
    """One assignment's row in the plan's column order (Approve and Reject left empty, as downloaded)."""
    sources = (fixed, inputs, answers)
    return [sources[source].get(key, "") for source, key in plan]
