"""Rows -> the 2017-01-17 output shapes. One place decides how a HIT looks on the wire."""

from __future__ import annotations

import functools
import json
from datetime import datetime

from kempelen.domain.hits import AssignmentCounts, hit_status, is_disposed
from kempelen.domain.money import format_amount
from kempelen.schemas.generated import HIT as HITShape
from kempelen.schemas.generated import QualificationRequirement
from kempelen.schemas.writer import Serialized, built, serialized
from kempelen.store.models import HIT, HITType


@functools.lru_cache(maxsize=1024)
def _requirements(stored: str) -> list[QualificationRequirement]:
    # A HIT type's requirements never change once stored, and were checked against the model when given:
    # validated once here and shared, read-only, by every view of the type's HITs.
    return [QualificationRequirement.model_validate(requirement) for requirement in json.loads(stored)]


def hit_fields(hit: HIT, hit_type: HITType, counts: AssignmentCounts, now: datetime) -> dict:
    """A HIT's members, every one in the shape's order (hit_view builds the shape from them)."""
    status = hit_status(disposed=is_disposed(hit.disposed_at, hit.creation_time, now), reviewing=hit.reviewing,
                        expiration=hit.expiration, max_assignments=hit.max_assignments, counts=counts, now=now)
    return {
        "HITId": hit.hit_id,
        "HITTypeId": hit.hit_type_id,
        "HITGroupId": hit_type.hit_group_id,
        "HITLayoutId": hit.hit_layout_id,
        "CreationTime": hit.creation_time,
        "Title": hit_type.title,
        "Description": hit_type.description,
        "Question": hit.question,
        "Keywords": hit_type.keywords,
        "HITStatus": status,
        "MaxAssignments": hit.max_assignments,
        "Reward": format_amount(hit_type.reward_cents),
        "AutoApprovalDelayInSeconds": hit_type.auto_approval_delay,
        "Expiration": hit.expiration,
        "AssignmentDurationInSeconds": hit_type.assignment_duration,
        "RequesterAnnotation": hit.requester_annotation,
        "QualificationRequirements": _requirements(hit_type.qualification_requirements),
        "HITReviewStatus": "NotReviewed",  # MTurk's own content moderation, which Kempelen does not do
        "NumberOfAssignmentsPending": counts.pending,
        "NumberOfAssignmentsAvailable": counts.available(hit.max_assignments),
        "NumberOfAssignmentsCompleted": counts.completed,
    }


def hit_serialized(hit: HIT, hit_type: HITType, counts: AssignmentCounts, now: datetime) -> Serialized:
    """The HIT as the wire sends it, for a page of them (ListHITs): hit_view serialized, without building the
    shape and walking it again (a third of a page's Python)."""
    return serialized(hit_fields(hit, hit_type, counts, now))


def hit_view(hit: HIT, hit_type: HITType, counts: AssignmentCounts, now: datetime) -> HITShape:
    # built, not validated: every value is ours and already of its member's type (a page of validated
    # shapes cost ListHITs a fifth of its time)
    return built(HITShape, hit_fields(hit, hit_type, counts, now))
