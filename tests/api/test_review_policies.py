"""Review policies through boto3 and scripted workers: ScoreMyKnownAnswers at each submission,
SimplePlurality when the HIT turns Reviewable, and what ListReviewPolicyResultsForHIT reports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpers import create_hit, error_of

KNOWN = "ScoreMyKnownAnswers/2011-09-01"
PLURALITY = "SimplePlurality/2011-09-01"


def param(key: str, *values: str) -> dict:
    return {"Key": key, "Values": list(values)}


def answer_key(**answers: list[str]) -> dict:
    return {"Key": "AnswerKey", "MapEntries": [{"Key": q, "Values": v} for q, v in answers.items()]}


def known_policy(*parameters) -> dict:
    return {"PolicyName": KNOWN, "Parameters": [answer_key(colour=["red"], size=["L"]), *parameters]}


def plurality_policy(*parameters, threshold: str = "60", disregard_rejected: str = "true") -> dict:
    return {"PolicyName": PLURALITY, "Parameters": [
        param("QuestionIds", "animal,colour"), param("QuestionAgreementThreshold", threshold),
        param("DisregardAssignmentIfRejected", disregard_rejected), *parameters]}


def everything(mturk, hit_id: str, **filters) -> dict:
    """Every page of ListReviewPolicyResultsForHIT, each report's lists joined."""
    merged, token = {}, None
    while True:
        page = mturk.list_review_policy_results_for_hit(HITId=hit_id, MaxResults=100,
                                                        **filters, **({"NextToken": token} if token else {}))
        assert page["HITId"] == hit_id
        for member in ("AssignmentReviewPolicy", "HITReviewPolicy"):
            if member in page:
                merged[member] = page[member]
        for member in ("AssignmentReviewReport", "HITReviewReport"):
            for kind, rows in page.get(member, {}).items():
                merged.setdefault(member, {}).setdefault(kind, []).extend(rows)
        token = page.get("NextToken")
        if not token:
            return merged


def results(report: dict, subject_id: str) -> dict:
    """(QuestionId or None, Key) -> Value, for one subject (the latest value when a policy ran twice)."""
    return {(r.get("QuestionId"), r["Key"]): r["Value"]
            for r in report["ReviewResults"] if r["SubjectId"] == subject_id}


def actions(report: dict, target_id: str) -> list[tuple[str, str]]:
    return [(a["ActionName"], a["Status"]) for a in report["ReviewActions"] if a["TargetId"] == target_id]


def submit(worker, hit_id: str, answers: dict) -> str:
    assignment = worker.accept(hit_id)
    worker.submit(assignment, answers)
    return assignment["AssignmentId"]


def status_of(mturk, assignment_id: str) -> tuple[str, str | None]:
    assignment = mturk.get_assignment(AssignmentId=assignment_id)["Assignment"]
    return assignment["AssignmentStatus"], assignment.get("RequesterFeedback")


# --- ScoreMyKnownAnswers -----------------------------------------------------------------------------------


def test_known_answers_approve_and_reject_with_the_reasons_as_feedback(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=3, AssignmentReviewPolicy=known_policy(
        param("ApproveIfKnownAnswerScoreIsAtLeast", "100"), param("ApproveReason", "All known answers right"),
        param("RejectIfKnownAnswerScoreIsLessThan", "50"), param("RejectReason", "Known answers wrong")))
    right = submit(workforce.new(), hit["HITId"], {"colour": " red ", "size": "L"})
    half = submit(workforce.new(), hit["HITId"], {"colour": "red", "size": "XL"})
    wrong = submit(workforce.new(), hit["HITId"], {"colour": "Red", "size": "XL"})

    assert status_of(mturk, right) == ("Approved", "All known answers right")
    assert status_of(mturk, half) == ("Submitted", None)  # 50: neither approved nor rejected
    assert status_of(mturk, wrong) == ("Rejected", "Known answers wrong")

    found = everything(mturk, hit["HITId"])
    assert found["AssignmentReviewPolicy"] == {"PolicyName": KNOWN} and "HITReviewPolicy" not in found
    report = found["AssignmentReviewReport"]
    assert results(report, right) == {("colour", "KnownAnswerCorrect"): "1", ("size", "KnownAnswerCorrect"): "1",
                                      (None, "KnownAnswerScore"): "100"}
    assert results(report, half)[(None, "KnownAnswerScore")] == "50"
    assert results(report, wrong)[("colour", "KnownAnswerCorrect")] == "0"
    assert actions(report, right) == [("review", "Succeeded"), ("approve", "Succeeded")]
    assert actions(report, half) == [("review", "Succeeded")]
    assert actions(report, wrong) == [("review", "Succeeded"), ("reject", "Succeeded")]

    review = next(a for a in report["ReviewActions"] if a["TargetId"] == right and a["ActionName"] == "review")
    assert review["TargetType"] == "Assignment" and review["Result"] == "Reviewed 2 known answers; 2/2 correct"
    assert "CompleteTime" in review and "ErrorCode" not in review
    # Every result names the review action that computed it.
    assert {r["ActionId"] for r in report["ReviewResults"] if r["SubjectId"] == right} == {review["ActionId"]}
    assert all(r["SubjectType"] == "Assignment" for r in report["ReviewResults"])


def test_known_answers_extend_the_hit_up_to_the_cap(mturk, workforce, clock):
    hit = create_hit(mturk, MaxAssignments=1, LifetimeInSeconds=600, AssignmentReviewPolicy=known_policy(
        param("ExtendIfKnownAnswerScoreIsLessThan", "100"), param("ExtendMaximumAssignments", "2"),
        param("ExtendMinimumTimeInSeconds", "3600")))
    submit(workforce.new(), hit["HITId"], {"colour": "blue", "size": "L"})
    extended = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert extended["MaxAssignments"] == 2 and extended["HITStatus"] == "Assignable"
    assert extended["Expiration"] >= clock.now() + timedelta(seconds=3600) - timedelta(seconds=1)

    submit(workforce.new(), hit["HITId"], {"colour": "blue", "size": "S"})
    final = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert final["MaxAssignments"] == 2 and final["HITStatus"] == "Reviewable"

    extends = [a for a in everything(mturk, hit["HITId"])["AssignmentReviewReport"]["ReviewActions"]
               if a["ActionName"] == "extend"]
    assert [(a["TargetId"], a["TargetType"], a["Status"]) for a in extends] == [(hit["HITId"], "HIT", "Succeeded")] * 2
    assert extends[0]["Result"].startswith("Extended to 2 assignments")
    assert extends[1]["Result"].startswith("Not extended")


def test_known_answers_with_a_zero_auto_approval_delay_report_already_approved(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=1, AutoApprovalDelayInSeconds=0, AssignmentReviewPolicy=known_policy(
        param("ApproveIfKnownAnswerScoreIsAtLeast", "0"), param("RejectIfKnownAnswerScoreIsLessThan", "101")))
    assignment_id = submit(workforce.new(), hit["HITId"], {"colour": "red", "size": "L"})
    report = everything(mturk, hit["HITId"])["AssignmentReviewReport"]
    approve, reject = (a for a in report["ReviewActions"] if a["ActionName"] in ("approve", "reject"))
    assert (approve["Status"], approve["Result"]) == ("Succeeded", "Already approved")
    assert (reject["Status"], reject["ErrorCode"]) == ("Failed", "AWS.MechanicalTurk.InvalidAssignmentState")
    assert status_of(mturk, assignment_id)[0] == "Approved"


# --- SimplePlurality ---------------------------------------------------------------------------------------


def test_plurality_approves_and_rejects_workers_by_agreement(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=3, HITReviewPolicy=plurality_policy(
        param("ApproveIfWorkerAgreementScoreIsAtLeast", "100"), param("RejectIfWorkerAgreementScoreIsLessThan", "50"),
        param("RejectReason", "Disagreed with the other workers")))
    alice = submit(workforce.new(), hit["HITId"], {"animal": "cat", "colour": "black"})
    bob = submit(workforce.new(), hit["HITId"], {"animal": "cat", "colour": "black"})
    assert everything(mturk, hit["HITId"])["HITReviewReport"]["ReviewActions"] == []  # not Reviewable yet
    carol = submit(workforce.new(), hit["HITId"], {"animal": "dog", "colour": "white"})

    assert status_of(mturk, alice) == ("Approved", None)
    assert status_of(mturk, bob) == ("Approved", None)
    assert status_of(mturk, carol) == ("Rejected", "Disagreed with the other workers")

    found = everything(mturk, hit["HITId"])
    assert found["HITReviewPolicy"] == {"PolicyName": PLURALITY}
    report = found["HITReviewReport"]
    on_hit = results(report, hit["HITId"])
    assert on_hit[("animal", "AgreedAnswerFound")] == "true" and on_hit[("animal", "AgreedAnswer")] == "cat"
    assert on_hit[("animal", "AnswerAgreementScore")] == "66"
    assert on_hit[("colour", "AgreedAnswer")] == "black" and on_hit[(None, "HitAgreementScore")] == "100"
    assert results(report, alice) == {(None, "WorkerAgreementScore"): "100", (None, "PluralityAnswersCorrect"): "2",
                                      (None, "PluralityAnswersIncorrect"): "0"}
    assert results(report, carol)[(None, "WorkerAgreementScore")] == "0"
    assert actions(report, hit["HITId"]) == [("review", "Succeeded")]
    assert actions(report, alice) == [("approve", "Succeeded")] and actions(report, carol) == [("reject", "Succeeded")]


def test_plurality_extends_a_hit_whose_agreement_is_low_and_runs_again(mturk, workforce, clock):
    hit = create_hit(mturk, MaxAssignments=2, HITReviewPolicy=plurality_policy(
        param("ExtendIfHITAgreementScoreIsLessThan", "100"), param("ExtendMaximumAssignments", "3"),
        param("ExtendMinimumTimeInSeconds", "7200"), threshold="60"))
    submit(workforce.new(), hit["HITId"], {"animal": "cat", "colour": "black"})
    submit(workforce.new(), hit["HITId"], {"animal": "dog", "colour": "black"})  # a tie on animal
    extended = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert extended["MaxAssignments"] == 3 and extended["HITStatus"] == "Assignable"
    assert extended["Expiration"] >= clock.now() + timedelta(seconds=7200) - timedelta(seconds=1)

    submit(workforce.new(), hit["HITId"], {"animal": "cat", "colour": "black"})
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"
    report = everything(mturk, hit["HITId"])["HITReviewReport"]
    assert actions(report, hit["HITId"]) == [("review", "Succeeded"), ("extend", "Succeeded"),
                                             ("review", "Succeeded")]
    # Both runs' results are kept, in order: the first found no agreed animal, the second did.
    scores = [r["Value"] for r in report["ReviewResults"] if r["Key"] == "HitAgreementScore"]
    assert scores == ["50", "100"]
    animal = [r["Value"] for r in report["ReviewResults"]
              if r.get("QuestionId") == "animal" and r["Key"] == "AgreedAnswerFound"]
    assert animal == ["false", "true"]


@pytest.mark.parametrize("disregard, agreed", [("true", "true"), ("false", "false")])
def test_plurality_leaves_out_rejected_assignments_when_asked(mturk, workforce, disregard, agreed):
    hit = create_hit(mturk, MaxAssignments=3, HITReviewPolicy=plurality_policy(threshold="100",
                                                                               disregard_rejected=disregard))
    rejected = submit(workforce.new(), hit["HITId"], {"animal": "cow", "colour": "black"})
    mturk.reject_assignment(AssignmentId=rejected, RequesterFeedback="Not a cow")
    submit(workforce.new(), hit["HITId"], {"animal": "cat", "colour": "black"})
    submit(workforce.new(), hit["HITId"], {"animal": "cat", "colour": "black"})
    report = everything(mturk, hit["HITId"])["HITReviewReport"]
    assert results(report, hit["HITId"])[("animal", "AgreedAnswerFound")] == agreed
    assert (results(report, rejected) == {}) is (disregard == "true")


def test_plurality_runs_when_the_hit_expires(mturk, workforce, clock):
    hit = create_hit(mturk, MaxAssignments=3, LifetimeInSeconds=600, HITReviewPolicy=plurality_policy())
    submit(workforce.new(), hit["HITId"], {"animal": "cat", "colour": "black"})
    submit(workforce.new(), hit["HITId"], {"animal": "cat", "colour": "white"})
    assert everything(mturk, hit["HITId"])["HITReviewReport"]["ReviewResults"] == []
    clock.advance(601)
    on_hit = results(everything(mturk, hit["HITId"])["HITReviewReport"], hit["HITId"])
    assert on_hit[("animal", "AgreedAnswer")] == "cat" and on_hit[(None, "HitAgreementScore")] == "50"


# --- ListReviewPolicyResultsForHIT -------------------------------------------------------------------------


def test_listing_filters_by_level_and_kind_and_pages(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=2,
                     AssignmentReviewPolicy=known_policy(param("ApproveIfKnownAnswerScoreIsAtLeast", "100")),
                     HITReviewPolicy=plurality_policy())
    submit(workforce.new(), hit["HITId"], {"animal": "cat", "colour": "red", "size": "L"})
    submit(workforce.new(), hit["HITId"], {"animal": "cat", "colour": "red", "size": "M"})
    whole = everything(mturk, hit["HITId"])
    assert set(whole) == {"AssignmentReviewPolicy", "HITReviewPolicy", "AssignmentReviewReport", "HITReviewReport"}

    only_hit = mturk.list_review_policy_results_for_hit(HITId=hit["HITId"], PolicyLevels=["HIT"], MaxResults=100)
    assert "AssignmentReviewReport" not in only_hit and "AssignmentReviewPolicy" not in only_hit
    assert only_hit["HITReviewReport"] == whole["HITReviewReport"]

    no_results = mturk.list_review_policy_results_for_hit(HITId=hit["HITId"], RetrieveResults=False, MaxResults=100)
    assert "ReviewResults" not in no_results["AssignmentReviewReport"]
    assert no_results["AssignmentReviewReport"]["ReviewActions"] == whole["AssignmentReviewReport"]["ReviewActions"]
    no_actions = mturk.list_review_policy_results_for_hit(HITId=hit["HITId"], RetrieveActions=False, MaxResults=100)
    assert "ReviewActions" not in no_actions["HITReviewReport"]

    # Small pages, walked to the end, give the same lists; the page after the last is empty and has no token.
    pages, token = [], None
    while True:
        page = mturk.list_review_policy_results_for_hit(HITId=hit["HITId"], MaxResults=2,
                                                        **({"NextToken": token} if token else {}))
        pages.append(page)
        token = page.get("NextToken")
        if not token:
            break
    assert len(pages) > 3
    assert pages[-1]["AssignmentReviewReport"] == {"ReviewResults": [], "ReviewActions": []}
    for member in ("AssignmentReviewReport", "HITReviewReport"):
        for kind in ("ReviewResults", "ReviewActions"):
            assert [row for page in pages for row in page[member][kind]] == whole[member][kind]
            assert all(len(page[member][kind]) <= 2 for page in pages)


def test_listing_a_hit_without_policies_and_unknown_hits(mturk):
    hit = create_hit(mturk)
    assert set(mturk.list_review_policy_results_for_hit(HITId=hit["HITId"])) - {"ResponseMetadata"} == {"HITId"}
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.list_review_policy_results_for_hit(HITId="3" + "X" * 29)
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.HITDoesNotExist"
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.list_review_policy_results_for_hit(HITId=hit["HITId"], NextToken="not-a-token")
    assert "pagination token" in error_of(excinfo)[1]


# --- CreateHIT checks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("member, policy, code, text", [
    ("AssignmentReviewPolicy", {"PolicyName": KNOWN, "Parameters": [param("ApproveIfKnownAnswerScoreIsAtLeast", "9")]},
     "AWS.MissingParameters", "AnswerKey"),
    ("AssignmentReviewPolicy", known_policy(param("ApproveIfKnownAnswerScoreIsAtLeast", "102")),
     "AWS.ParameterOutOfRange", "Valid values range from 0 to 101"),
    ("AssignmentReviewPolicy", known_policy(param("ApproveIfKnownAnswerScoreIsAtLeast", "high")),
     "AWS.MechanicalTurk.InvalidParameterValue", "not an integer"),
    ("AssignmentReviewPolicy", known_policy(param("ExtendMinimumTimeInSeconds", "30")),
     "AWS.ParameterOutOfRange", "ExtendMinimumTimeInSeconds"),
    ("AssignmentReviewPolicy", known_policy(param("Frobnicate", "1")),
     "AWS.MechanicalTurk.InvalidParameterValue", "Frobnicate is not a valid parameter"),
    ("AssignmentReviewPolicy", {"PolicyName": PLURALITY}, "AWS.MechanicalTurk.InvalidParameterValue",
     "PolicyName SimplePlurality/2011-09-01 is not valid"),
    ("HITReviewPolicy", plurality_policy(param("ExtendIfHITAgreementScoreIsLessThan", "80")),
     "AWS.MissingParameters", "ExtendMaximumAssignments"),
    ("HITReviewPolicy", {"PolicyName": PLURALITY, "Parameters": [param("QuestionIds", "a")]},
     "AWS.MissingParameters", "QuestionAgreementThreshold"),
    ("HITReviewPolicy", plurality_policy(disregard_rejected="perhaps"),
     "AWS.MechanicalTurk.InvalidParameterValue", "DisregardAssignmentIfRejected"),
])
def test_invalid_policies_are_refused_at_create_hit(mturk, member, policy, code, text):
    before = mturk.list_hits()["NumResults"]
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        create_hit(mturk, **{member: policy})
    _, message, turk_code = error_of(excinfo)
    assert turk_code == code and text in message
    assert mturk.list_hits()["NumResults"] == before
