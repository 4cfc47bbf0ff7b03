"""AnswerKey (2005-10-01): the scores a qualification test's selections earn and how the sum maps to a value."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Union

from lxml import etree

from kempelen.questions.errors import QuestionInvalid
from kempelen.questions.model import FreeTextAnswer, Question, SelectionAnswer
from kempelen.questions.schema import ANSWER_KEY, load, root_namespace, text_of, validate


@dataclass(frozen=True, slots=True)
class AnswerOption:
    """Scores ``score`` when the worker chose exactly these selections, no more and no fewer."""
    selection_identifiers: tuple[str, ...]
    score: int


@dataclass(frozen=True, slots=True)
class AnswerKeyQuestion:
    identifier: str
    options: tuple[AnswerOption, ...]
    default_score: int = 0


@dataclass(frozen=True, slots=True)
class PercentageMapping:
    maximum_summed_score: int


@dataclass(frozen=True, slots=True)
class ScaleMapping:
    summed_score_multiplier: float


@dataclass(frozen=True, slots=True)
class SummedScoreRange:
    inclusive_lower_bound: int
    inclusive_upper_bound: int
    qualification_value: int


@dataclass(frozen=True, slots=True)
class RangeMapping:
    ranges: tuple[SummedScoreRange, ...]
    out_of_range_qualification_value: int


QualificationValueMapping = Union[PercentageMapping, ScaleMapping, RangeMapping]


@dataclass(frozen=True, slots=True)
class AnswerKey:
    questions: tuple[AnswerKeyQuestion, ...]
    mapping: QualificationValueMapping | None = None   # None: the value is the summed score
    namespace: str = ANSWER_KEY


def _child(parent: etree._Element, name: str) -> etree._Element | None:
    return parent.find(f"{{{ANSWER_KEY}}}{name}")


def _all(parent: etree._Element, name: str) -> list[etree._Element]:
    return parent.findall(f"{{{ANSWER_KEY}}}{name}")


def _int(element: etree._Element) -> int:
    return int(text_of(element).strip())


def parse_answer_key(xml: str) -> AnswerKey:
    """Size (65,535 bytes), well-formedness, namespace, XSD; a ScaleMapping multiplier must be finite."""
    root = load(xml)
    root_namespace(root, (ANSWER_KEY,), "AnswerKey")
    validate(root, ANSWER_KEY)
    questions = tuple(
        AnswerKeyQuestion(
            identifier=text_of(_child(q, "QuestionIdentifier")),
            options=tuple(AnswerOption(tuple(text_of(s) for s in _all(o, "SelectionIdentifier")),
                                       _int(_child(o, "AnswerScore"))) for o in _all(q, "AnswerOption")),
            default_score=0 if _child(q, "DefaultScore") is None else _int(_child(q, "DefaultScore")))
        for q in _all(root, "Question"))
    mapping_element = _child(root, "QualificationValueMapping")
    mapping: QualificationValueMapping | None = None
    if mapping_element is not None:
        kind = next(child for child in mapping_element if isinstance(child.tag, str))
        name = etree.QName(kind).localname
        if name == "PercentageMapping":
            mapping = PercentageMapping(_int(_child(kind, "MaximumSummedScore")))
        elif name == "ScaleMapping":
            multiplier_element = _child(kind, "SummedScoreMultiplier")
            multiplier = float(text_of(multiplier_element).strip())
            if not math.isfinite(multiplier):
                raise QuestionInvalid(f"SummedScoreMultiplier must be a finite number "
                                      f"(line {multiplier_element.sourceline})")
            mapping = ScaleMapping(multiplier)
        else:
            mapping = RangeMapping(
                tuple(SummedScoreRange(_int(_child(r, "InclusiveLowerBound")), _int(_child(r, "InclusiveUpperBound")),
                                       _int(_child(r, "QualificationValue"))) for r in _all(kind, "SummedScoreRange")),
                _int(_child(kind, "OutOfRangeQualificationValue")))
    return AnswerKey(questions, mapping)


def check_answer_key(test: Question, key: AnswerKey) -> None:
    """The documented pairing rule: a test scored by an AnswerKey can only match selections, so it may not
    use FreeTextAnswer or OtherSelection. Not called by the parsers; the caller decides to apply it."""
    for question in test.questions:
        spec = question.answer_specification
        if isinstance(spec, FreeTextAnswer):
            raise QuestionInvalid(f"A qualification test with an AnswerKey cannot use FreeTextAnswer "
                                  f"(question '{question.identifier}').")
        if isinstance(spec, SelectionAnswer) and spec.other_selection is not None:
            raise QuestionInvalid(f"A qualification test with an AnswerKey cannot use OtherSelection "
                                  f"(question '{question.identifier}').")
