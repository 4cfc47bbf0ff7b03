"""Read-only views the requester website lists, beyond what the API's List* operations page through: the
Manage page's HITs filtered by batch, HIT type, status and annotation; the workers who worked for the
requester; bonuses paid; assignments' answers made readable. Every change the site makes goes through the
API's own operations (kempelen.web.requester_site.common.call), never through here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from kempelen.config import Settings
from kempelen.domain import assignments as assignment_states
from kempelen.domain import worker_csv
from kempelen.operations.context import OperationContext
from kempelen.operations.registry import REGISTRY
from kempelen.operations.requester_accounts import account
from kempelen.operations.views import hit_view
from kempelen.schemas import parse_request
from kempelen.questions.answers import parse_question_form_answers
from kempelen.store import hits as hit_store
from kempelen.store import requester_site as queries

PAGE_SIZE = 50


def context(session: Session, requester_id: str, now: datetime, settings: Settings, *, request_id: str,
            origin: str = "") -> OperationContext:
    """What an operation is given when the signed-in member's account calls it (the API's own context)."""
    return OperationContext(session=session, requester=account(session, requester_id), now=now,
                            request_id=request_id, settings=settings, origin=origin)


def perform(ctx: OperationContext, name: str, members: dict) -> BaseModel:
    """Run Requester API operation `name` exactly as a signed call would after its signature: the body is read
    and checked by the same reader (Coral's constraints), then the same implementation runs in the context's
    transaction. Raises the same errors (kempelen.errors.ServiceError) with the same texts."""
    parsed = parse_request(name, json.dumps(members).encode())
    result = REGISTRY[name].implementation(ctx, parsed)
    ctx.session.flush()
    return result


def writes(name: str) -> bool:
    return REGISTRY[name].writes


@dataclass(frozen=True)
class HITPage:
    hits: list  # kempelen.schemas.generated.HIT
    next_before: int | None
    submitted: dict[str, int]  # HITId -> assignments waiting for review (in none of the HIT's own counts)


def hits(session: Session, requester_id: str, now: datetime, *, before: int | None = None,
         limit: int = PAGE_SIZE, hit_type_id: str | None = None, status: str | None = None,
         annotation: str | None = None, hit_layout_id: str | None = None, batch_id: int | None = None) -> HITPage:
    """A page of the requester's HITs, newest first (keyset: `before` is the previous page's last key)."""
    if status and status not in queries.HIT_STATUSES:
        status = None
    rows = queries.page_of_hits(session, requester_id, now, before=before, limit=limit + 1,
                                hit_type_id=hit_type_id or None, status=status, annotation=annotation or None,
                                hit_layout_id=hit_layout_id or None,
                                hit_ids_of=queries.batch_hit_ids(requester_id, batch_id) if batch_id else None)
    more = len(rows) > limit
    rows = rows[:limit]
    counts = hit_store.assignment_counts(session, [hit.hit_id for hit, _ in rows], now)
    shapes = [hit_view(hit, hit_type, counts[hit.hit_id], now) for hit, hit_type in rows]
    return HITPage(shapes, rows[-1][0].seq if more and rows else None,
                   {hit_id: c.submitted for hit_id, c in counts.items()})


def submitted_count(session: Session, hit_id: str, now: datetime) -> int:
    """Assignments of the HIT waiting for review (the caller has read the HIT as its requester's)."""
    return hit_store.assignment_counts(session, [hit_id], now)[hit_id].submitted


def workers_csv_rows(session: Session, requester_id: str, now: datetime) -> list[list[str]]:
    """The Workers CSV (kempelen.domain.worker_csv), header first: every worker who has worked for the
    requester, with its block status and its scores of the requester's Qualification types."""
    types = queries.owned_qualification_types(session, requester_id)
    scores = queries.granted_scores(session, requester_id)
    found = [worker_csv.header(name for _id, name in types)]
    after = None
    while True:  # bounded: each page starts after the last WorkerId of the one before
        page, after = workers(session, requester_id, now, after=after, limit=1000)
        found += [worker_csv.row(row["WorkerId"], row["ApprovalRate"], row["Blocked"],
                                 (scores.get((row["WorkerId"], type_id)) for type_id, _name in types))
                  for row in page]
        if after is None:
            return found


def owned_qualification_types(session: Session, requester_id: str) -> dict[str, str]:
    """Name -> QualificationTypeId of the requester's Qualification types (what a Workers CSV may update)."""
    return {name: type_id for type_id, name in queries.owned_qualification_types(session, requester_id)}


def hit_types(session: Session, requester_id: str) -> list:
    return queries.hit_types(session, requester_id)


def submitted_assignment_ids(session: Session, requester_id: str, now: datetime,
                             batch_id: int | None = None) -> list[str]:
    """Every assignment waiting for review, of one batch or of the whole account."""
    return queries.submitted_assignment_ids(session, requester_id, now,
                                            queries.batch_hit_ids(requester_id, batch_id) if batch_id else None)


def workers(session: Session, requester_id: str, now: datetime, *, after: str | None = None,
            limit: int = PAGE_SIZE, worker_id: str | None = None) -> tuple[list[dict], str | None]:
    rows = queries.workers(session, requester_id, now, after=after, limit=limit + 1, worker_id=worker_id)
    for row in rows:
        row["ApprovalRate"] = approval_rate(row["Approved"], row["Approved"] + row["Rejected"])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1]["WorkerId"] if more and rows else None


def approval_rate(approved: int, reviewed: int) -> str:
    """As MTurk's batch results wrote it: `100% (1/1)`, `0% (0/0)`."""
    percent = 0 if reviewed == 0 else approved * 100 // reviewed
    return f"{percent}% ({approved}/{reviewed})"


def bonuses(session: Session, requester_id: str, *, before: int | None = None, limit: int = PAGE_SIZE,
            worker_id: str | None = None) -> tuple[list, int | None]:
    rows = queries.bonuses(session, requester_id, before=before, limit=limit + 1, worker_id=worker_id)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].seq if more and rows else None


# --- answers, readably ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    question: str
    value: str
    file_key: str | None = None  # an uploaded file: the site offers it through GetFileUploadURL
    file_size: int | None = None


def readable_answers(document: str | None) -> list[AnswerRow]:
    """QuestionFormAnswers as rows; a crowd-form's `taskAnswers` JSON unpacked into one row per dotted field
    (as MTurk's flatten-objects results named them); selections joined with `|`."""
    if not document:
        return []
    try:
        answers = parse_question_form_answers(document)
    except Exception:  # noqa: BLE001 - a stored answer that no longer parses is shown as it is
        return [AnswerRow("Answer", document)]
    rows: list[AnswerRow] = []
    for answer in answers:
        if answer.uploaded_file_key is not None or answer.uploaded_file_size is not None:
            rows.append(AnswerRow(answer.question_identifier, "", answer.uploaded_file_key,
                                  answer.uploaded_file_size))
        elif answer.free_text is not None and answer.question_identifier == "taskAnswers":
            rows.extend(_task_answers(answer.free_text))
        elif answer.free_text is not None:
            rows.append(AnswerRow(answer.question_identifier, answer.free_text))
        else:
            chosen = list(answer.selection_identifiers)
            if answer.other_selection_text is not None:
                chosen.append(answer.other_selection_text)
            rows.append(AnswerRow(answer.question_identifier, "|".join(chosen)))
    return rows


def _task_answers(text: str) -> list[AnswerRow]:
    try:
        value = json.loads(text)
    except ValueError:
        return [AnswerRow("taskAnswers", text)]
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict):
        return [AnswerRow("taskAnswers", text)]
    rows: list[AnswerRow] = []
    _flatten("", value, rows)
    return rows


def _flatten(prefix: str, value: object, rows: list[AnswerRow]) -> None:
    if isinstance(value, dict) and value:
        for key in sorted(value):
            _flatten(f"{prefix}.{key}" if prefix else str(key), value[key], rows)
    elif isinstance(value, str):
        rows.append(AnswerRow(prefix, value))
    else:
        rows.append(AnswerRow(prefix, json.dumps(value, sort_keys=True)))


def worker_assignments(session: Session, requester_id: str, worker_id: str, now: datetime, limit: int = 100
                       ) -> list[dict]:
    """The worker's latest assignments on this requester's HITs (every status, as at `now`)."""
    rows = []
    for a, hit_type in queries.assignments_of_worker(session, requester_id, worker_id, limit=limit):
        moment = assignment_states.effective(a.status, deadline=a.deadline, auto_approval_time=a.auto_approval_time,
                                             approval_time=a.approval_time, now=now)
        rows.append({"AssignmentId": a.assignment_id, "HITId": a.hit_id, "Title": hit_type.title,
                     "Status": moment.status, "AcceptTime": a.accept_time, "SubmitTime": a.submit_time,
                     "Reviewable": moment.status in ("Submitted", "Approved", "Rejected")})
    return rows


# --- the Account page --------------------------------------------------------------------------------------


def statement(session: Session, requester_id: str, now: datetime) -> list[dict]:
    """A ledger account's movements of money with the running balance (what the admin statement shows)."""
    from kempelen.store import ledger

    lines, running = [], 0
    for line in ledger.statement(session, requester_id, now):
        running += line["Amount"]
        lines.append({**line, "Balance": running})
    return lines


def notification_settings(session: Session, requester_id: str) -> list[dict]:
    """Every HIT type of the account with its notification specification (if any) and the delivery state of
    its events: counts per status and the latest attempts."""
    from kempelen.events import delivery
    from kempelen.store.models import NotificationSetting

    rows = []
    for hit_type in queries.hit_types(session, requester_id):
        setting = session.get(NotificationSetting, hit_type.hit_type_id)
        deliveries = delivery.deliveries(session, hit_type.hit_type_id)
        counts: dict[str, int] = {}
        for item in deliveries:
            counts[item.status] = counts.get(item.status, 0) + 1
        rows.append({"hit_type": hit_type, "setting": setting, "counts": counts,
                     "latest": list(reversed(deliveries[-5:]))})
    return rows
