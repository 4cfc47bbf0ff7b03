"""Who is acting and at what instant (WorkerContext), and the rule every worker action starts with: may
this worker find, preview or accept HITs of this HIT type (blocks, then QualificationRequirements)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from kempelen import errors
from kempelen.domain import qualifications as quals
from kempelen.store import assignments as store
from kempelen.store import hits as hit_store
from kempelen.store import qualifications as qualification_store
from kempelen.store import worker_blocks
from kempelen.store import workers as worker_store
from kempelen.domain import assignments as states
from kempelen.domain.hits import is_disposed
from kempelen.store.models import HIT, Assignment, HITType, Worker


@dataclass
class WorkerContext:
    session: Session
    #: the entity, or on the worker API a read-only row with its attributes (kempelen.store.workers.row_by_token)
    worker: Worker
    now: datetime
    #: the origin workers reach this server at: turkSubmitTo, and the host of HTMLQuestion frames
    public_url: str
    _values: dict | None = None
    #: where HTMLQuestion content is served from when not from public_url (KEMPELEN_CONTENT_URL)
    content_url: str | None = None

    def qualification_values(self) -> dict[str, quals.Value]:
        """The worker's value for every system type and every granted custom type, read once per request."""
        if self._values is None:
            stats = store.worker_statistics(self.session, self.worker.worker_id, self.now)
            worker = self.worker
            self._values = quals.system_values(stats, country=worker.locale_country,
                                               subdivision=worker.locale_subdivision, adult=worker.adult,
                                               masters=worker.masters)
            self._values.update(qualification_store.granted_values(self.session, worker.worker_id))
        return self._values


def worker_context(session: Session, worker_id: str, now: datetime, public_url: str,
                   content_url: str | None = None) -> WorkerContext | None:
    """The context of a signed-in worker (None when the account no longer exists)."""
    worker = worker_store.get(session, worker_id)
    return None if worker is None else WorkerContext(session, worker, now, public_url, content_url=content_url)


def check_allowed(ctx: WorkerContext, hit: HIT, hit_type: HITType, action: str) -> None:
    """Blocks, then the requirements guarding `action` (Discover, Preview or Accept)."""
    if worker_blocks.is_blocked(ctx.session, hit.requester_id, ctx.worker.worker_id):
        raise errors.worker_blocked(hit.requester_id)
    requirements = parsed_requirements(hit_type.qualification_requirements)
    if not requirements:
        return
    values = ctx.qualification_values()
    unmet = quals.first_unmet(requirements, values, action)
    if unmet is not None:
        type_id = unmet["QualificationTypeId"]
        name = quals.SYSTEM_QUALIFICATION_TYPES.get(type_id)
        if name is None:
            found = qualification_store.types_by_id(ctx.session, [type_id]).get(type_id)
            name = found.name if found else type_id
        raise errors.qualification_requirement_not_met(quals.describe_unmet(unmet, name, values.get(type_id)))


def hidden_hit_types(ctx: WorkerContext) -> set[str]:
    """HIT types whose DiscoverPreviewAndAccept requirements this worker fails: left out of listings."""
    guarded = hit_store.discover_guarded_types(ctx.session)
    if not guarded:
        return set()
    values = ctx.qualification_values()
    return {type_id for type_id, requirements in guarded
            if quals.first_unmet(parsed_requirements(requirements), values, quals.DISCOVER) is not None}


@lru_cache(maxsize=8192)
def parsed_requirements(text: str) -> tuple[dict, ...]:
    """A HIT type's QualificationRequirements, parsed once per process: a HIT type never changes them, and a
    worker's listing evaluates every discover-guarded type. Callers must not modify the dicts."""
    return tuple(json.loads(text))


# --- what a worker acts on -------------------------------------------------------------------------


def find_hit(ctx: WorkerContext, hit_id: str, *, for_update: bool = False) -> tuple[HIT, HITType]:
    found = hit_store.get_hit_any_requester(ctx.session, hit_id, for_update=for_update)
    if found is None or is_disposed(found[0].disposed_at, found[0].creation_time, ctx.now):
        raise errors.worker_hit_does_not_exist(hit_id)
    return found


def own_assignment(ctx: WorkerContext, assignment_id: str, *, for_update: bool = False
                    ) -> tuple[Assignment, HIT, HITType, str]:
    found = store.get_with_hit(ctx.session, assignment_id, for_update=for_update)
    # Another worker's assignment does not exist for this one.
    if found is None or found[0].worker_id != ctx.worker.worker_id:
        raise errors.worker_assignment_does_not_exist(assignment_id)
    assignment, hit, hit_type = found
    if for_update:
        # Then the HIT (always assignment first, as the sweeper does): submits and returns on one HIT take
        # turns, so the one that leaves it Reviewable sees the others' work and announces it.
        hit_store.lock_hit(ctx.session, hit.hit_id)
    return assignment, hit, hit_type, status_now(assignment, ctx.now)


def status_now(assignment: Assignment, now: datetime) -> str:
    return states.effective(assignment.status, deadline=assignment.deadline,
                            auto_approval_time=assignment.auto_approval_time,
                            approval_time=assignment.approval_time, now=now).status
