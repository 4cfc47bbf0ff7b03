"""A page of HITs is serialized straight from its rows (views.hit_serialized): the same JSON, member for
member, as the HIT shape that GetHIT builds and serialize_response writes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from kempelen.domain.hits import AssignmentCounts
from kempelen.operations.views import hit_serialized, hit_view
from kempelen.schemas import generated as shapes
from kempelen.schemas import serialize_response
from kempelen.schemas.writer import Serialized, built

NOW = datetime(2030, 1, 1, 12, 0, 0, 123000, tzinfo=timezone.utc)
REQUIREMENTS = [
    {"QualificationTypeId": "00000000000000000071", "Comparator": "In",
     "LocaleValues": [{"Country": "US"}, {"Country": "CA", "Subdivision": "ON"}], "ActionsGuarded": "Accept"},
    {"QualificationTypeId": "000000000000000000L0", "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [95],
     "RequiredToPreview": True},
]


def _row(**changes) -> SimpleNamespace:
    """A row of a page: the HIT's columns and its type's (page_of_hit_views selects both)."""
    row = dict(hit_id="3HIT", hit_type_id="3TYPE", hit_group_id="3GROUP", hit_layout_id=None,
               creation_time=NOW - timedelta(hours=1), expiration=NOW + timedelta(days=1), max_assignments=3,
               question="<ExternalQuestion/>", requester_annotation=None, reviewing=False, disposed_at=None,
               title="Label", description="Say what it is.", keywords=None, reward_cents=105,
               auto_approval_delay=2_592_000, assignment_duration=600, qualification_requirements="[]")
    return SimpleNamespace(**{**row, **changes})


CASES = {
    "bare": (_row(), AssignmentCounts()),
    "every member": (_row(hit_layout_id="3LAYOUT", requester_annotation="batch 7", keywords="image, label",
                          qualification_requirements=json.dumps(REQUIREMENTS),
                          creation_time=NOW - timedelta(seconds=1, microseconds=456)),
                     AssignmentCounts(1, 1, 1)),
    "reviewing": (_row(reviewing=True), AssignmentCounts(0, 2, 1)),
    "expired": (_row(expiration=NOW - timedelta(minutes=1)), AssignmentCounts(1, 0, 0)),
    "disposed": (_row(disposed_at=NOW - timedelta(minutes=5)), AssignmentCounts()),
}


@pytest.mark.parametrize("case", CASES)
def test_a_serialized_hit_is_the_hit_shape_serialized(case):
    row, counts = CASES[case]
    direct = hit_serialized(row, row, counts, NOW)
    assert type(direct) is Serialized
    assert direct == serialize_response(hit_view(row, row, counts, NOW))
    assert list(direct) == list(serialize_response(hit_view(row, row, counts, NOW)))  # member order too


def test_a_page_of_serialized_hits_is_taken_as_it_is():
    rows = [CASES[case] for case in CASES]
    as_shapes = built(shapes.ListHITsResponse, {"NextToken": "t", "NumResults": len(rows),
                                                "HITs": [hit_view(r, r, c, NOW) for r, c in rows]})
    direct = [hit_serialized(r, r, c, NOW) for r, c in rows]
    page = serialize_response(built(shapes.ListHITsResponse, {"NextToken": "t", "NumResults": len(rows),
                                                              "HITs": direct}))
    assert page == serialize_response(as_shapes)
    assert all(hit is original for hit, original in zip(page["HITs"], direct))  # not walked again
