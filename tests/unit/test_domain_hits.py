"""The HIT state machine and money, as pure functions (spec §5.2, §8)."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kempelen.domain.hits import AssignmentCounts, hit_status, is_disposed, may_delete, may_increase_assignments
from kempelen.domain.money import format_amount, parse_amount, round_to_cent, to_cents
from kempelen.domain.qualifications import requirement_problem

NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)
LATER = NOW + timedelta(hours=1)


def status(counts=AssignmentCounts(), *, expiration=LATER, max_assignments=3, disposed=False, reviewing=False):
    return hit_status(disposed=disposed, reviewing=reviewing, expiration=expiration,
                      max_assignments=max_assignments, counts=counts, now=NOW)


def test_statuses():
    assert status() == "Assignable"
    assert status(AssignmentCounts(pending=3)) == "Unassignable"
    assert status(AssignmentCounts(pending=1, submitted=2)) == "Unassignable"
    assert status(AssignmentCounts(submitted=2, completed=1)) == "Reviewable"  # before expiry, all slots used
    assert status(expiration=NOW) == "Reviewable"
    assert status(AssignmentCounts(pending=1), expiration=NOW) == "Unassignable"
    assert status(reviewing=True) == "Reviewing"
    assert status(disposed=True, reviewing=True) == "Disposed"


def test_counts_follow_mturk_formulas():
    counts = AssignmentCounts(pending=35, submitted=15, completed=0)
    assert counts.available(50) == 0  # psiTurk#395: max 50, pending 35, complete 0, remain 0
    assert AssignmentCounts(pending=1, submitted=1, completed=1).available(5) == 2


def test_delete_rules():
    assert may_delete("Reviewable", AssignmentCounts(completed=3))
    assert may_delete("Reviewing", AssignmentCounts())
    assert not may_delete("Reviewable", AssignmentCounts(submitted=1))
    assert not may_delete("Assignable", AssignmentCounts())
    assert not may_delete("Disposed", AssignmentCounts())


def test_auto_dispose_after_120_days():
    created = NOW - timedelta(days=120)
    assert is_disposed(None, created, NOW)
    assert not is_disposed(None, created + timedelta(seconds=1), NOW)


def test_ten_assignment_rule():
    assert may_increase_assignments(5, 5, 4)
    assert not may_increase_assignments(5, 5, 5)
    assert may_increase_assignments(10, 10, 1000)


@pytest.mark.parametrize("text, cents", [("5", 500), ("5.", 500), ("0.5", 50), ("101.42", 10142), ("0", 0)])
def test_amounts(text, cents):
    assert to_cents(parse_amount(text)) == cents


def test_formatting_and_rounding():
    assert format_amount(50) == "0.50"
    assert format_amount(1_000_000) == "10000.00"
    assert round_to_cent(Decimal("0.104")) == Decimal("0.10")
    assert round_to_cent(Decimal("0.105")) == Decimal("0.11")


@pytest.mark.parametrize("requirement, ok", [
    ({"QualificationTypeId": "000000000000000000L0", "Comparator": "GreaterThan", "IntegerValues": [90]}, True),
    ({"QualificationTypeId": "000000000000000000L0", "Comparator": "GreaterThan", "IntegerValues": [1, 2]}, False),
    ({"QualificationTypeId": "000000000000000000L0", "Comparator": "Exists"}, True),
    ({"QualificationTypeId": "000000000000000000L0", "Comparator": "Exists", "IntegerValues": [1]}, False),
    ({"QualificationTypeId": "000000000000000000L0", "Comparator": "In", "IntegerValues": list(range(16))},
     False),
    ({"QualificationTypeId": "00000000000000000071", "Comparator": "In",
      "LocaleValues": [{"Country": "US", "Subdivision": "WA"}, {"Country": "DE"}]}, True),
    ({"QualificationTypeId": "00000000000000000071", "Comparator": "LessThan",
      "LocaleValues": [{"Country": "US"}]}, False),
    ({"QualificationTypeId": "00000000000000000071", "Comparator": "EqualTo",
      "LocaleValues": [{"Country": "DE", "Subdivision": "BY"}]}, False),
    ({"QualificationTypeId": "00000000000000000071", "Comparator": "EqualTo", "IntegerValues": [1]}, False),
    ({"QualificationTypeId": "000000000000000000L0", "Comparator": "EqualTo",
      "LocaleValues": [{"Country": "US"}]}, False),
    ({"QualificationTypeId": "000000000000000000L0", "Comparator": "Exists", "RequiredToPreview": True,
      "ActionsGuarded": "Accept"}, False),
])
def test_requirement_shapes(requirement, ok):
    assert (requirement_problem(requirement) is None) is ok
