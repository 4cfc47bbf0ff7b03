"""What requesters' own pages (HTMLQuestion content, ExternalQuestion sites) are served and submit through."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kempelen import errors
from kempelen.domain.hits import is_disposed
from kempelen.questions import parse_question
from kempelen.store import assignments as assignment_store
from kempelen.store import hits as hit_store
from kempelen.store import workers as worker_store
from kempelen.store.models import Worker


def html_content(session: Session, hit_id: str, now: datetime) -> str:
    """The HTMLContent of a live HTMLQuestion HIT."""
    found = hit_store.get_hit_any_requester(session, hit_id)
    if found is None or is_disposed(found[0].disposed_at, found[0].creation_time, now):
        raise errors.worker_hit_does_not_exist(hit_id)
    question = parse_question(found[0].question)
    if question.kind != "HTMLQuestion":
        raise errors.not_an_html_question(hit_id)
    return question.html_content


def external_submitter(session: Session, assignment_id: str) -> tuple[Worker, str]:
    """The worker an externalSubmit acts for (the assignment's own), and the kind of the HIT's Question."""
    found = assignment_store.get_with_hit(session, assignment_id)
    if found is None:
        raise errors.worker_assignment_does_not_exist(assignment_id)
    assignment, hit, _ = found
    return worker_store.get(session, assignment.worker_id), parse_question(hit.question).kind
