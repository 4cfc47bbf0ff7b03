"""Scoring a qualification test against its AnswerKey (formats spec §8.3)."""

import pytest

from kempelen.domain.scoring import INTEGER_MAX, INTEGER_MIN, qualification_value, score, summed_score
from kempelen.questions import Answer, parse_answer_key

NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/AnswerKey.xsd"


def key(questions: str, mapping: str = ""):
    mapping = f"<QualificationValueMapping>{mapping}</QualificationValueMapping>" if mapping else ""
    return parse_answer_key(f'<AnswerKey xmlns="{NS}">{questions}{mapping}</AnswerKey>')


def question(identifier: str, *options: tuple[tuple[str, ...], int], default: int | None = None) -> str:
    body = "".join("<AnswerOption>" + "".join(f"<SelectionIdentifier>{s}</SelectionIdentifier>" for s in chosen)
                   + f"<AnswerScore>{points}</AnswerScore></AnswerOption>" for chosen, points in options)
    if default is not None:
        body += f"<DefaultScore>{default}</DefaultScore>"
    return f"<Question><QuestionIdentifier>{identifier}</QuestionIdentifier>{body}</Question>"


def chose(identifier: str, *selections: str) -> Answer:
    return Answer(identifier, selection_identifiers=selections)


# q1: "b" is right (10), "a" half right (5); q2: exactly {x, y} (in any order) scores 7, else -3.
QUESTIONS = (question("q1", (("b",), 10), (("a",), 5))
             + question("q2", (("x", "y"), 7), default=-3))


@pytest.mark.parametrize("answers, expected", [
    ([chose("q1", "b"), chose("q2", "y", "x")], 17),
    ([chose("q1", "a"), chose("q2", "x", "y")], 12),
    ([chose("q1", "c"), chose("q2", "x")], -3),            # no option matches: DefaultScore, 0 when absent
    ([chose("q1", "a", "b"), chose("q2", "x", "y", "z")], -3),  # a superset is not a match
    ([chose("q2", "x", "y")], 7),                           # unanswered question: its default
    ([], -3),
    ([chose("q1", "b"), chose("q9", "b"), Answer("free", free_text="b")], 7),  # questions not in the key
])
def test_summed_score(answers, expected):
    assert summed_score(key(QUESTIONS), answers) == expected


def test_first_matching_option_wins_when_options_repeat():
    answer_key = key(question("q", (("a",), 1), (("a",), 9)))
    assert summed_score(answer_key, [chose("q", "a")]) == 1


@pytest.mark.parametrize("summed, maximum, expected", [
    (17, 17, 100), (12, 17, 71), (1, 8, 13),   # 12.5 rounds up to 13
    (1, 3, 33), (2, 3, 67), (0, 17, 0), (-3, 17, -18),  # -17.6 -> -18
    (-1, 8, -13),                              # half away from zero, also below zero
    (34, 17, 200),                             # above the maximum is not capped
    (5, 0, 0),                                 # an undefined percentage grants 0
])
def test_percentage_mapping(summed, maximum, expected):
    answer_key = key(QUESTIONS, f"<PercentageMapping><MaximumSummedScore>{maximum}</MaximumSummedScore>"
                                "</PercentageMapping>")
    assert qualification_value(answer_key, summed) == expected


@pytest.mark.parametrize("summed, multiplier, expected", [
    (17, "2", 34), (25, "0.1", 3), (15, "0.1", 2),  # 2.5 -> 3 and 1.5 -> 2, not float's 1.5000000000000002
    (5, "0.5", 3), (-5, "0.5", -3), (7, "0.33", 2), (-3, "-1.5", 5), (0, "1e10", 0),
    (3, "1e308", INTEGER_MAX), (-3, "1e308", INTEGER_MIN),  # clamped to the wire's 32-bit Integer
])
def test_scale_mapping(summed, multiplier, expected):
    answer_key = key(QUESTIONS, f"<ScaleMapping><SummedScoreMultiplier>{multiplier}</SummedScoreMultiplier>"
                                "</ScaleMapping>")
    assert qualification_value(answer_key, summed) == expected


RANGES = ("<RangeMapping>"
          "<SummedScoreRange><InclusiveLowerBound>0</InclusiveLowerBound><InclusiveUpperBound>9"
          "</InclusiveUpperBound><QualificationValue>1</QualificationValue></SummedScoreRange>"
          "<SummedScoreRange><InclusiveLowerBound>10</InclusiveLowerBound><InclusiveUpperBound>17"
          "</InclusiveUpperBound><QualificationValue>2</QualificationValue></SummedScoreRange>"
          "<SummedScoreRange><InclusiveLowerBound>15</InclusiveLowerBound><InclusiveUpperBound>30"
          "</InclusiveUpperBound><QualificationValue>3</QualificationValue></SummedScoreRange>"
          "<OutOfRangeQualificationValue>-1</OutOfRangeQualificationValue></RangeMapping>")


@pytest.mark.parametrize("summed, expected", [
    (0, 1), (9, 1), (10, 2), (17, 2),   # both bounds inclusive; 15..17 overlap: the first range wins
    (18, 3), (30, 3), (31, -1), (-3, -1),
])
def test_range_mapping(summed, expected):
    assert qualification_value(key(QUESTIONS, RANGES), summed) == expected


def test_no_mapping_grants_the_sum():
    assert qualification_value(key(QUESTIONS), -3) == -3
    assert score(key(QUESTIONS), [chose("q1", "b"), chose("q2", "x", "y")]) == 17


def test_score_maps_the_sum():
    answer_key = key(QUESTIONS, "<PercentageMapping><MaximumSummedScore>17</MaximumSummedScore>"
                                "</PercentageMapping>")
    assert score(answer_key, [chose("q1", "a"), chose("q2", "x", "y")]) == 71
    assert score(key(QUESTIONS, RANGES), [chose("q1", "a")]) == 1  # 5 - 3 = 2: the first range
