"""Review policy parameters, scores and decisions (kempelen.domain.review_policies), without a server."""

from __future__ import annotations

import pytest

from kempelen.domain import review_policies as rp
from kempelen.questions import Answer


def known(*parameters) -> dict:
    return {"PolicyName": rp.SCORE_MY_KNOWN_ANSWERS, "Parameters": list(parameters)}


def plurality(*parameters) -> dict:
    return {"PolicyName": rp.SIMPLE_PLURALITY, "Parameters": list(parameters)}


def value(key: str, *values: str) -> dict:
    return {"Key": key, "Values": list(values)}


ANSWER_KEY = {"Key": "AnswerKey", "MapEntries": [{"Key": "q1", "Values": ["B"]},
                                                 {"Key": "q2", "Values": ["A", "C"]},
                                                 {"Key": "q3", "Values": [" cat "]}]}
PLURALITY_BASICS = (value("QuestionIds", "A,B,C,D"), value("QuestionAgreementThreshold", "60"),
                    value("DisregardAssignmentIfRejected", "true"))


def test_score_my_known_answers_parameters_are_parsed_with_defaults():
    policy = rp.parse_policy("Assignment", known(ANSWER_KEY, value("ApproveIfKnownAnswerScoreIsAtLeast", "80"),
                                                 value("RejectReason", "Too many wrong")))
    assert policy.answer_key == {"q1": {"B"}, "q2": {"A", "C"}, "q3": {"cat"}}
    assert (policy.approve_at_least, policy.reject_below, policy.extend_below) == (80, None, None)
    assert policy.reject_reason == "Too many wrong"
    assert policy.extend_maximum_assignments == 5 and policy.extend_minimum_time is None


@pytest.mark.parametrize("policy, expected", [
    (known(value("ApproveIfKnownAnswerScoreIsAtLeast", "80")), "requires the parameter AnswerKey"),
    (known(ANSWER_KEY, value("ApproveIfKnownAnswerScoreIsAtLeast", "102")), "out of range"),
    (known(ANSWER_KEY, value("ApproveIfKnownAnswerScoreIsAtLeast", "eighty")), "is not an integer"),
    (known(ANSWER_KEY, value("ApproveIfKnownAnswerScoreIsAtLeast", "80", "90")), "exactly one value"),
    (known(ANSWER_KEY, value("ExtendMaximumAssignments", "1")), "out of range"),
    (known(ANSWER_KEY, value("ExtendMaximumAssignments", "26")), "out of range"),
    (known(ANSWER_KEY, value("ExtendMinimumTimeInSeconds", "59")), "out of range"),
    (known(ANSWER_KEY, value("ApproveIfWorkerAgreementScoreIsAtLeast", "80")), "is not a valid parameter"),
    (known(ANSWER_KEY, ANSWER_KEY), "more than once"),
    (known(ANSWER_KEY, value("RejectReason", "bad\x07")), "RejectReason contains characters"),
    (known({"Key": "AnswerKey", "Values": ["B"]}), "takes MapEntries"),
    (known({"Key": "AnswerKey", "MapEntries": [{"Key": "q" * 256, "Values": ["B"]}]}), "longer than 255 bytes"),
    ({"PolicyName": "ScoreYourKnownAnswers/2011-09-01"}, "PolicyName ScoreYourKnownAnswers/2011-09-01 is not valid"),
    (plurality(*PLURALITY_BASICS[:2]), "requires the parameter DisregardAssignmentIfRejected"),
    (plurality(*PLURALITY_BASICS[1:]), "requires the parameter QuestionIds"),
    (plurality(*PLURALITY_BASICS, value("ExtendIfHITAgreementScoreIsLessThan", "50")),
     "requires the parameter ExtendMaximumAssignments"),
    (plurality(*PLURALITY_BASICS, value("ExtendIfHITAgreementScoreIsLessThan", "0")), "out of range"),
    (plurality(value("QuestionIds", "A"), value("QuestionAgreementThreshold", "60"),
               value("DisregardAssignmentIfRejected", "maybe")), "Valid values: true, false"),
    (plurality(value("QuestionIds", ",".join(f"q{n}" for n in range(16))), *PLURALITY_BASICS[1:]), "at most 15"),
])
def test_invalid_policies_are_refused(policy, expected):
    level = "Assignment" if "Known" in policy["PolicyName"] else "HIT"
    with pytest.raises(rp.PolicyInvalid, match=expected.replace("(", r"\(")):
        rp.parse_policy(level, policy)


def test_a_policy_at_the_wrong_level_is_refused():
    with pytest.raises(rp.PolicyInvalid, match="HITReviewPolicy PolicyName"):
        rp.parse_policy("HIT", known(ANSWER_KEY))


def test_question_ids_are_read_in_both_spellings_and_forms():
    joined = rp.parse_policy("HIT", plurality(*PLURALITY_BASICS))
    listed = rp.parse_policy("HIT", plurality(value("QuestionIDs", "A", "B", "C", "D"), *PLURALITY_BASICS[1:]))
    assert joined.question_ids == listed.question_ids == ("A", "B", "C", "D")
    assert joined.disregard_rejected is True
    assert rp.parse_policy("HIT", plurality(value("QuestionIds", "A"), value("QuestionAgreementThreshold", "60"),
                                            value("DisregardAssignmentIfRejected", "F"))).disregard_rejected is False


def test_known_answers_compare_trimmed_exact_sets_and_round_down():
    policy = rp.parse_policy("Assignment", known(ANSWER_KEY))
    review = rp.review_known_answers(policy, {"q1": frozenset({"B"}), "q2": frozenset({"A"}), "q3": frozenset({"cat"})})
    assert review.correct == {"q1": True, "q2": False, "q3": True} and review.score == 66
    assert review.summary == "Reviewed 3 known answers; 2/3 correct"
    # case matters, extra selections are wrong, and a missing answer is wrong
    review = rp.review_known_answers(policy, {"q1": frozenset({"b"}), "q2": frozenset({"A", "B", "C"})})
    assert review.score == 0


def test_answer_values_from_each_kind_of_answer():
    assert rp.answer_values(Answer("q", free_text="  red | blue "), split_free_text=True) == {"red", "blue"}
    assert rp.answer_values(Answer("q", free_text="a|b"), split_free_text=False) == {"a|b"}
    assert rp.answer_values(Answer("q", selection_identifiers=("x", "y"), other_selection_text=" z "),
                            split_free_text=False) == {"x", "y", "z"}
    assert rp.answer_values(Answer("q", free_text="   "), split_free_text=True) == frozenset()


@pytest.mark.parametrize("score, decisions", [(100, ["approve"]), (80, ["approve"]), (79, ["reject", "extend"]),
                                              (50, ["reject", "extend"])])
def test_known_answer_thresholds_decide(score, decisions):
    policy = rp.parse_policy("Assignment", known(ANSWER_KEY, value("ApproveIfKnownAnswerScoreIsAtLeast", "80"),
                                                 value("RejectIfKnownAnswerScoreIsLessThan", "80"),
                                                 value("ExtendIfKnownAnswerScoreIsLessThan", "80")))
    assert rp.known_answer_decisions(policy, score) == decisions


def test_the_docs_plurality_example_scores_66_66_100_none():
    policy = rp.parse_policy("HIT", plurality(*PLURALITY_BASICS, value("ApproveIfWorkerAgreementScoreIsAtLeast", "100"),
                                              value("RejectIfWorkerAgreementScoreIsLessThan", "67")))
    s = frozenset
    answers = {"w1": {"A": s({"1"}), "B": s({"x"}), "C": s({"p", "q"}), "D": s({"u"})},
               "w2": {"A": s({"1"}), "B": s({"y"}), "C": s({"q", "p"}), "D": s({"v"})},
               "w3": {"A": s({"2"}), "B": s({"x"}), "C": s({"p", "q"}), "D": s({"w"})}}
    review = rp.review_plurality(policy, answers)
    assert [(q.question_id, q.score, q.agreed_answer) for q in review.questions] == [
        ("A", 66, s({"1"})), ("B", 66, s({"x"})), ("C", 100, s({"p", "q"})), ("D", None, None)]
    assert review.hit_score == 75
    assert {k: (w.score, w.correct, w.incorrect) for k, w in review.workers.items()} == {
        "w1": (100, 3, 0), "w2": (66, 2, 1), "w3": (66, 2, 1)}
    assert rp.worker_decisions(policy, 100) == ["approve"] and rp.worker_decisions(policy, 66) == ["reject"]
    assert rp.worker_decisions(policy, None) == []


def test_plurality_threshold_ties_and_long_answers():
    policy = rp.parse_policy("HIT", plurality(
        value("QuestionIds", "A", "B"), value("QuestionAgreementThreshold", "100"),
        value("DisregardAssignmentIfRejected", "false"), value("ExtendIfHITAgreementScoreIsLessThan", "100"),
        value("ExtendMaximumAssignments", "5"), value("ExtendMinimumTimeInSeconds", "3600")))
    s = frozenset
    long = "x" * 257
    review = rp.review_plurality(policy, {"w1": {"A": s({"yes"}), "B": s({long})},
                                          "w2": {"A": s({"yes"}), "B": s({"no"})}})
    # 100 >= 100 agrees (the docs' examples use 100); B's long answer is left out, leaving "no" alone
    assert [q.agreed_answer for q in review.questions] == [s({"yes"}), s({"no"})]
    tie = rp.review_plurality(policy, {"w1": {"A": s({"yes"})}, "w2": {"A": s({"no"})}})
    assert tie.questions[0].agreed_answer is None and tie.questions[0].score is None
    assert tie.hit_score == 0 and rp.hit_extension_due(policy, tie.hit_score)
    assert tie.workers["w1"].score is None


def test_disregarded_assignments():
    policy = rp.parse_policy("HIT", plurality(*PLURALITY_BASICS,
                                              value("DisregardAssignmentIfKnownAnswerScoreIsLessThan", "50")))
    assert not rp.counted(policy, rejected=True, known_answer_score=None)
    assert not rp.counted(policy, rejected=False, known_answer_score=49)
    assert rp.counted(policy, rejected=False, known_answer_score=50)
    assert rp.counted(policy, rejected=False, known_answer_score=None)


@pytest.mark.parametrize("current, initial, cap, allowed", [
    (3, 3, 5, True), (5, 3, 5, False), (6, 3, 5, False), (9, 3, 25, False), (10, 10, 25, True), (8, 8, 25, True)])
def test_extension_stays_within_the_cap_and_below_ten(current, initial, cap, allowed):
    assert rp.extension_allowed(max_assignments=current, initial_max_assignments=initial, cap=cap) is allowed
