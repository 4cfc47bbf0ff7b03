"""The Workers CSV: MTurk's offline worker management. Downloaded from Manage > Workers with a row per worker
who has worked for the requester; edited in a spreadsheet; uploaded to block or unblock workers and to set
or revoke scores of the requester's Qualification types.

Columns: `Worker ID`, `Lifetime Approval Rate` (on this requester's work), `CURRENT-BlockStatus` and
`UPDATE-BlockStatus`, then `CURRENT-<name>` and `UPDATE-<name>` for each of the requester's Qualification
types. Only UPDATE- cells are read back: `Block` or `Unblock`; a score from 0 to 100, or `Revoke`. An empty
cell changes nothing, and every other column is ignored (a spreadsheet's own columns survive a round trip).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kempelen.domain.batch_csv import decode

WORKER_ID = "Worker ID"
APPROVAL_RATE = "Lifetime Approval Rate"
CURRENT, UPDATE = "CURRENT-", "UPDATE-"
BLOCK_STATUS = "BlockStatus"
BLOCK_ACTIONS = ("Block", "Unblock")
REVOKE = "Revoke"
MAX_SCORE = 100


def header(qualification_names: Iterable[str]) -> list[str]:
    columns = [WORKER_ID, APPROVAL_RATE, CURRENT + BLOCK_STATUS, UPDATE + BLOCK_STATUS]
    for name in qualification_names:
        columns += [CURRENT + name, UPDATE + name]
    return columns


def row(worker_id: str, approval_rate: str, blocked: bool, scores: Iterable[int | None]) -> list[str]:
    """A worker's row under header(): `scores` in the header's order, None where the worker has none."""
    cells = [worker_id, approval_rate, "Blocked" if blocked else "Not Blocked", ""]
    for score in scores:
        cells += ["" if score is None else str(score), ""]
    return cells


def write(rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text a row at a time: every field quoted, CRLF line ends (as the results file)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


@dataclass
class WorkerChange:
    line: int
    worker_id: str
    block: str | None = None  # "Block" or "Unblock"
    scores: dict[str, int | None] = field(default_factory=dict)  # name -> score, None to revoke

    @property
    def count(self) -> int:
        return (self.block is not None) + len(self.scores)


@dataclass
class WorkerUpload:
    changes: list[WorkerChange]
    problems: list[tuple[int, str]]  # (line, what is wrong)


def read(data: bytes | str, qualification_names: Iterable[str]) -> WorkerUpload:
    """The changes a Workers CSV asks for, and every problem found (nothing is applied unless there are none)."""
    known = set(qualification_names)
    text, problem = decode(data)
    if text is None:
        return WorkerUpload([], [problem])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = next(reader)
    except (StopIteration, csv.Error):
        return WorkerUpload([], [(1, "The file has no header row: download the Workers CSV and edit that.")])
    problems: list[tuple[int, str]] = []
    if WORKER_ID not in columns:
        problems.append((1, f'The header row has no "{WORKER_ID}" column.'))
    updates = {}  # column index -> qualification name, or None for the block status
    for index, name in enumerate(columns):
        if not name.startswith(UPDATE):
            continue
        target = name.removeprefix(UPDATE)
        if target == BLOCK_STATUS:
            updates[index] = None
        elif target in known:
            updates[index] = target
        else:
            problems.append((1, f'The column "{name}" names none of your Qualification types.'))
    if problems:
        return WorkerUpload([], problems)
    changes, seen = [], {}
    worker_column = columns.index(WORKER_ID)
    next_line = 2
    while True:
        line = next_line
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append((line, f"The row cannot be read as CSV ({exc})."))
            if reader.line_num < line:
                break
            next_line = reader.line_num + 1
            continue
        next_line = reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        change, row_problems = _row(line, record, worker_column, updates)
        problems += row_problems
        if change is None:
            continue
        if change.worker_id in seen:
            problems.append((line, f"Worker {change.worker_id} is on line {seen[change.worker_id]} too."))
            continue
        seen[change.worker_id] = line
        if change.count:
            changes.append(change)
    return WorkerUpload(changes, problems)


def _row(line: int, record: list[str], worker_column: int, updates: dict[int, str | None]
         ) -> tuple[WorkerChange | None, list[tuple[int, str]]]:
    worker_id = record[worker_column].strip() if worker_column < len(record) else ""
    if not worker_id:
        return None, [(line, f'The row has no "{WORKER_ID}".')]
    change, problems = WorkerChange(line, worker_id), []
    for index, qualification in updates.items():
        value = record[index].strip() if index < len(record) else ""
        if not value:
            continue
        if qualification is None:
            action = next((a for a in BLOCK_ACTIONS if a.lower() == value.lower()), None)
            if action is None:
                problems.append((line, f'{UPDATE}{BLOCK_STATUS} is "{value}": it takes Block or Unblock.'))
            change.block = action
        elif value.lower() == REVOKE.lower():
            change.scores[qualification] = None
        elif value.isascii() and value.isdigit() and int(value) <= MAX_SCORE:
            change.scores[qualification] = int(value)
        else:
            problems.append((line, f'{UPDATE}{qualification} is "{value}": it takes a score from 0 to '
                                   f'{MAX_SCORE}, or {REVOKE}.'))
    return change, problems
