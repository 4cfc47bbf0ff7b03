"""Reading a batch's input CSV: one row per HIT, a header naming the layout's variables.

UTF-8 with or without a byte-order mark, RFC 4180 quoting (doubled quotes, line breaks inside quoted fields),
any of CRLF / LF / CR line ends. Every problem is collected with the line its row starts on (the header is
line 1), so the requester can fix the whole file at once; nothing is published from a file with problems.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field


@dataclass
class BatchInput:
    columns: list[str]
    #: (line number the row starts on, its values in the header's order)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def values(self, index: int) -> dict[str, str]:
        return dict(zip(self.columns, self.rows[index][1]))


def decode(data: bytes | str) -> tuple[str | None, tuple[int, str] | None]:
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, (line, f"The file is not UTF-8 text: byte 0x{data[exc.start]:02X} at position {exc.start} "
                            "cannot be read. Save the file as CSV UTF-8 and upload it again.")


def _header_problems(header: list[str], parameters: list[str]) -> list[str]:
    problems = []
    blank = [str(i + 1) for i, name in enumerate(header) if not name.strip()]
    if blank:
        problems.append(f"The header row has columns without a name (column {', '.join(blank)}).")
    seen: set[str] = set()
    repeated = [name for name in header if name in seen or seen.add(name)]
    if repeated:
        problems.append(f"The header row names a column more than once: {', '.join(dict.fromkeys(repeated))}.")
    missing = [name for name in parameters if name not in header]
    if missing:
        problems.append("The header row must name every variable of the project's layout; missing: "
                        f"{', '.join(missing)}.")
    return problems


def _unreadable(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):  # the csv module's guard against runaway fields
        return (f"A field in this row is longer than {csv.field_size_limit():,} characters, the most a field "
                "may hold. (An unclosed quote makes the rest of the file one field.)")
    return (f"The row cannot be read as CSV ({exc}). Check its quotes: a field that contains a quote must be "
            'quoted, with the quote doubled ("").')


def read(data: bytes | str, parameters: list[str]) -> BatchInput:
    """The CSV's header and rows, and every problem found (the batch may be made only if there are none)."""
    text, problem = decode(data)
    if text is None:
        return BatchInput([], problems=[problem])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    result = BatchInput([])
    header: list[str] | None = None
    next_line = 1
    while True:
        start = next_line
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.problems.append((start, _unreadable(exc)))
            if reader.line_num < start:  # nothing consumed: give up rather than loop
                break
            next_line = reader.line_num + 1
            continue
        next_line = reader.line_num + 1
        if header is None:
            header = record
            result.columns = header
            for message in _header_problems(header, parameters):
                result.problems.append((start, message))
            continue
        if not any(cell.strip() for cell in record):
            continue  # blank lines (and rows of empty cells) are not HITs
        if len(record) != len(header):
            result.problems.append((start, f"The row has {len(record)} fields but the header has {len(header)}."))
            continue
        result.rows.append((start, record))
    if header is None:
        result.problems.append((1, "The file is empty: it needs a header row naming the layout's variables "
                                   "and one row per HIT."))
    elif not result.rows and not result.problems:
        result.problems.append((2, "The file has a header row but no rows: each row after the header becomes "
                                   "one HIT."))
    result.problems.sort(key=lambda item: item[0])
    return result
