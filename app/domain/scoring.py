"""Scoring a qualification test against its AnswerKey (formats spec §8.3). Pure: no database, no clock."""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from kempelen.questions import Answer, AnswerKey, PercentageMapping, RangeMapping, ScaleMapping

# IntegerValue is a 32-bit Integer on the wire; a ScaleMapping can overshoot it, so values are clamped.
INTEGER_MIN, INTEGER_MAX = -2**31, 2**31 - 1


def summed_score(key: AnswerKey, answers: Iterable[Answer]) -> int:
    """Each key question adds the AnswerScore of the option whose selections are exactly the worker's,
    or its DefaultScore when none is. Test questions the key does not mention add nothing."""
    chosen = {answer.question_identifier: frozenset(answer.selection_identifiers) for answer in answers}
    total = 0
    for question in key.questions:
        selections = chosen.get(question.identifier, frozenset())
        total += next((option.score for option in question.options
                       if frozenset(option.selection_identifiers) == selections), question.default_score)
    return total


def _half_up(value: Fraction) -> int:
    """Half away from zero, as a person rounds (2.5 -> 3, -2.5 -> -3); round() would give 2 and -2."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


def qualification_value(key: AnswerKey, summed: int) -> int:
    """The summed score mapped to the value granted (no mapping: the sum itself)."""
    mapping = key.mapping
    if isinstance(mapping, PercentageMapping):
        if mapping.maximum_summed_score == 0:
            return 0  # an undefined percentage; MTurk says nothing, and 0 grants the least
        value = _half_up(Fraction(summed * 100, mapping.maximum_summed_score))
    elif isinstance(mapping, ScaleMapping):
        # the multiplier as written (repr is the shortest exact round trip), so 25 * 0.1 is 2.5, not 2.5000…1
        value = _half_up(summed * Fraction(repr(mapping.summed_score_multiplier)))
    elif isinstance(mapping, RangeMapping):
        value = next((r.qualification_value for r in mapping.ranges
                      if r.inclusive_lower_bound <= summed <= r.inclusive_upper_bound),
                     mapping.out_of_range_qualification_value)
    else:
        value = summed
    return max(INTEGER_MIN, min(INTEGER_MAX, value))


def score(key: AnswerKey, answers: Iterable[Answer]) -> int:
    """The qualification value a worker earns with these test answers."""
    return qualification_value(key, summed_score(key, answers))
