"""The frame URL of ExternalQuestion and HTMLQuestion HITs, built as MTurk's worker site built it.

MTurk appended ``assignmentId, hitId, workerId, turkSubmitTo`` (in that order) to the ExternalURL, keeping
its own query, with plain URL encoding (old helper scripts read them with a regex and ``unescape()``).
``turkSubmitTo`` is the worker site's origin with no trailing slash. A preview gets only
``assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=...``.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

PREVIEW_ASSIGNMENT_ID = "ASSIGNMENT_ID_NOT_AVAILABLE"
#: where HTMLQuestion content is served from, relative to the server's public URL
HTML_QUESTION_PATH = "/dynamic/hit"
EXTERNAL_SUBMIT_PATH = "/mturk/externalSubmit"


def frame_parameters(hit_id: str, assignment_id: str | None, worker_id: str | None,
                     submit_to: str) -> list[tuple[str, str]]:
    if assignment_id is None:
        return [("assignmentId", PREVIEW_ASSIGNMENT_ID), ("hitId", hit_id)]
    return [("assignmentId", assignment_id), ("hitId", hit_id), ("workerId", worker_id or ""),
            ("turkSubmitTo", submit_to.rstrip("/"))]


def with_parameters(url: str, parameters: list[tuple[str, str]]) -> str:
    """``url`` with ``parameters`` appended to its query: one ``?``, extra ones joined by ``&``, any
    ``#fragment`` kept at the end."""
    base, hash_mark, fragment = url.partition("#")
    query = urlencode(parameters, quote_via=quote, safe="")
    if "?" in base:
        separator = "" if base.endswith(("?", "&")) else "&"
    else:
        separator = "?"
    return f"{base}{separator}{query}{hash_mark}{fragment}"


def external_frame_url(external_url: str, hit_id: str, assignment_id: str | None, worker_id: str | None,
                       submit_to: str) -> str:
    return with_parameters(external_url, frame_parameters(hit_id, assignment_id, worker_id, submit_to))


def html_frame_url(public_url: str, hit_id: str, assignment_id: str | None, worker_id: str | None,
                   content_url: str | None = None) -> str:
    """HTMLQuestion content is hosted by Kempelen itself (on its content host, when it has one); the page
    reads the same four parameters, and submits to the worker site (turkSubmitTo)."""
    public_url = public_url.rstrip("/")
    return with_parameters((content_url or public_url).rstrip("/") + HTML_QUESTION_PATH,
                           frame_parameters(hit_id, assignment_id, worker_id, public_url))


def external_answers(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An externalSubmit form -> (QuestionIdentifier, FreeText) pairs.

    The four reserved names are dropped; every other field is one answer, in first-appearance order, and
    a name sent several times (checkbox groups, ``<select multiple>``) gives one answer with the values
    joined by ``|``, as MTurk's results did. Empty fields are kept as empty answers.
    """
    values: dict[str, list[str]] = {}
    for name, value in fields:
        if name in RESERVED_FIELDS:
            continue
        values.setdefault(name, []).append(value)
    return [(name, "|".join(parts)) for name, parts in values.items()]


RESERVED_FIELDS = frozenset({"assignmentId", "hitId", "workerId", "turkSubmitTo"})
