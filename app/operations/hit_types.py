"""HIT types: CreateHITType, and the find-or-create that CreateHIT shares with it."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.exc import IntegrityError

from kempelen import errors, ids
from kempelen.domain import hits as rules
from kempelen.domain.money import MAX_PAYMENT, parse_amount, to_cents
from kempelen.domain.qualifications import DISCOVER, guarded_actions, is_system_type, requirement_problem
from kempelen.operations.context import OperationContext
from kempelen.operations.registry import operation
from kempelen.schemas.generated import CreateHITTypeRequest, CreateHITTypeResponse
from kempelen.store import hits as hit_store
from kempelen.store import qualifications as qualification_store
from kempelen.store.models import HITType


def check_range(name: str, value: int, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise errors.parameter_out_of_range(name, value, low, high)


def check_length(name: str, value: str | None, limit: int, *, required: bool = False) -> None:
    if required and not (value or "").strip():
        raise errors.missing_parameters(name)
    if value is not None and len(value) > limit:
        raise errors.value_too_long(name, limit)


def check_payment(name: str, amount: str, low: str) -> None:
    """A Reward or BonusAmount no larger than the ledger and workers' earnings can add up (money.MAX_PAYMENT)."""
    if parse_amount(amount) > MAX_PAYMENT:
        raise errors.parameter_out_of_range(name, amount, low, f"{MAX_PAYMENT:.2f}")


def requirements_json(ctx: OperationContext, requirements) -> str:
    """Checks QualificationRequirements and returns them as given, for echoing back in HITs."""
    requirements = [r.model_dump(exclude_none=True) for r in requirements or []]
    if len(requirements) > rules.QUALIFICATION_REQUIREMENTS_MAX:
        raise errors.invalid_parameter(f"A HIT can have at most {rules.QUALIFICATION_REQUIREMENTS_MAX} "
                                       "QualificationRequirements.")
    for requirement in requirements:
        problem = requirement_problem(requirement)
        if problem:
            raise errors.invalid_parameter(problem)
    custom = {r["QualificationTypeId"] for r in requirements if not is_system_type(r["QualificationTypeId"])}
    found = qualification_store.types_by_id(ctx.session, custom)
    for type_id in sorted(custom):
        if type_id not in found:
            raise errors.qualification_type_does_not_exist(type_id)
        if found[type_id].status != "Active":
            raise errors.qualification_type_inactive(type_id)
    return json.dumps(requirements, separators=(",", ":"), sort_keys=True)


def find_or_create_hit_type(ctx: OperationContext, *, title: str, description: str, reward: str,
                            assignment_duration: int, auto_approval_delay: int | None, keywords: str | None,
                            qualification_requirements, for_new_hit: bool = False) -> HITType:
    """MTurk gives a HIT type with the same properties the same HITTypeId. for_new_hit: the caller adds a
    HIT of the type at once (kempelen.store.hits.checking_known_type), so a type this process remembers will do."""
    check_length("Title", title, rules.TITLE_MAX, required=True)
    check_length("Description", description, rules.DESCRIPTION_MAX, required=True)
    check_length("Keywords", keywords, rules.KEYWORDS_MAX)
    check_range("AssignmentDurationInSeconds", assignment_duration, rules.DURATION_RANGE)
    if auto_approval_delay is None:
        auto_approval_delay = rules.DEFAULT_AUTO_APPROVAL_DELAY
    check_range("AutoApprovalDelayInSeconds", auto_approval_delay, rules.AUTO_APPROVAL_RANGE)
    check_payment("Reward", reward, "0.00")
    reward_cents = to_cents(parse_amount(reward))
    requirements = requirements_json(ctx, qualification_requirements)

    properties = [title, description, reward_cents, assignment_duration, auto_approval_delay, keywords,
                  requirements]
    fingerprint = hashlib.sha256(json.dumps(properties).encode()).hexdigest()
    lookup = hit_store.known_hit_type_by_fingerprint if for_new_hit else hit_store.hit_type_by_fingerprint
    existing = lookup(ctx.session, ctx.requester.access_key_id, fingerprint)
    if existing is not None:
        return existing
    hit_type = HITType(hit_type_id=ids.entity_id(), hit_group_id=ids.entity_id(),
                       requester_id=ctx.requester.access_key_id, fingerprint=fingerprint, title=title,
                       description=description, keywords=keywords, reward_cents=reward_cents,
                       assignment_duration=assignment_duration, auto_approval_delay=auto_approval_delay,
                       qualification_requirements=requirements, created_at=ctx.now,
                       discover_guarded=any(DISCOVER in guarded_actions(r) for r in json.loads(requirements)))
    try:
        with ctx.session.begin_nested():
            ctx.session.add(hit_type)
    except IntegrityError:
        # The same type was registered concurrently; the unique key chose the winner.
        return hit_store.hit_type_by_fingerprint(ctx.session, ctx.requester.access_key_id, fingerprint)
    return hit_type


@operation("CreateHITType")
def create_hit_type(ctx: OperationContext, request: CreateHITTypeRequest) -> CreateHITTypeResponse:
    hit_type = find_or_create_hit_type(
        ctx, title=request.Title, description=request.Description, reward=request.Reward,
        assignment_duration=request.AssignmentDurationInSeconds,
        auto_approval_delay=request.AutoApprovalDelayInSeconds, keywords=request.Keywords,
        qualification_requirements=request.QualificationRequirements)
    return CreateHITTypeResponse(HITTypeId=hit_type.hit_type_id)
