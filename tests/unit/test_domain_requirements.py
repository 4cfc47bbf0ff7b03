"""Requirement semantics as pure functions (spec §9.2, §9.3)."""

import pytest

from kempelen.domain.qualifications import (ACCEPT, DISCOVER, PRESENT, PREVIEW, LocaleValue, first_unmet,
                                       guarded_actions, meets)

TYPE = "3" + "T" * 29


def r(comparator, integers=None, **extra):
    return {"QualificationTypeId": TYPE, "Comparator": comparator, "IntegerValues": integers, **extra}


@pytest.mark.parametrize("comparator, integers", [
    ("EqualTo", [1]), ("NotEqualTo", [1]), ("LessThan", [5]), ("GreaterThan", [0]), ("In", [1]), ("NotIn", [1])])
def test_a_worker_without_the_qualification_meets_only_does_not_exist(comparator, integers):
    assert not meets(r(comparator, integers), None)
    assert not meets(r(comparator, integers), PRESENT)
    assert meets(r("DoesNotExist"), None) and not meets(r("Exists"), None)


def test_granted_without_a_value_exists_but_compares_to_nothing():
    assert meets(r("Exists"), PRESENT) and not meets(r("DoesNotExist"), PRESENT)
    assert not meets(r("GreaterThanOrEqualTo", [0]), PRESENT)


def test_integer_edges():
    assert meets(r("LessThanOrEqualTo", [5]), 5) and not meets(r("LessThan", [5]), 5)
    assert meets(r("GreaterThanOrEqualTo", [5]), 5) and not meets(r("GreaterThan", [5]), 5)
    assert meets(r("NotIn", [1, 2]), 3) and not meets(r("In", [1, 2]), 3)


def test_locale_matching():
    ny = LocaleValue("US", "NY")
    assert meets(r("EqualTo", LocaleValues=[{"Country": "US"}]), ny)
    assert not meets(r("EqualTo", LocaleValues=[{"Country": "US", "Subdivision": "CA"}]), ny)
    assert meets(r("NotIn", LocaleValues=[{"Country": "US", "Subdivision": "CA"}, {"Country": "DE"}]), ny)


def test_guards():
    assert guarded_actions({}) == {ACCEPT}
    assert guarded_actions({"RequiredToPreview": True}) == {PREVIEW, ACCEPT}
    assert guarded_actions({"RequiredToPreview": False}) == {ACCEPT}
    assert guarded_actions({"ActionsGuarded": "DiscoverPreviewAndAccept"}) == {DISCOVER, PREVIEW, ACCEPT}
    accept_only = r("Exists")
    assert first_unmet([accept_only], {}, PREVIEW) is None and first_unmet([accept_only], {}, ACCEPT) is accept_only
