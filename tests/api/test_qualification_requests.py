"""Qualification requests and tests: a worker requests a type (auto-granted, tested or reviewed by hand),
and the owner works through ListQualificationRequests / Accept / Reject (spec §5.3, formats §8)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from kempelen.testing import KempelenError
from helpers import answers_xml, error_of

TEST = (
    '<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/'
    'QuestionForm.xsd">'
    '<Question><QuestionIdentifier>q1</QuestionIdentifier><IsRequired>true</IsRequired>'
    '<QuestionContent><Text>Which is a bird?</Text></QuestionContent><AnswerSpecification><SelectionAnswer>'
    '<StyleSuggestion>radiobutton</StyleSuggestion><Selections>'
    '<Selection><SelectionIdentifier>a</SelectionIdentifier><Text>Bat</Text></Selection>'
    '<Selection><SelectionIdentifier>b</SelectionIdentifier><Text>Robin</Text></Selection>'
    '<Selection><SelectionIdentifier>c</SelectionIdentifier><Text>Carp</Text></Selection>'
    '</Selections></SelectionAnswer></AnswerSpecification></Question>'
    '<Question><QuestionIdentifier>q2</QuestionIdentifier><QuestionContent><Text>Which are mammals?</Text>'
    '</QuestionContent><AnswerSpecification><SelectionAnswer><MinSelectionCount>0</MinSelectionCount>'
    '<MaxSelectionCount>3</MaxSelectionCount><StyleSuggestion>checkbox</StyleSuggestion><Selections>'
    '<Selection><SelectionIdentifier>x</SelectionIdentifier><Text>Whale</Text></Selection>'
    '<Selection><SelectionIdentifier>y</SelectionIdentifier><Text>Bat</Text></Selection>'
    '<Selection><SelectionIdentifier>z</SelectionIdentifier><Text>Shark</Text></Selection>'
    '</Selections></SelectionAnswer></AnswerSpecification></Question>'
    '</QuestionForm>')

KEY_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/AnswerKey.xsd"
# q1: b scores 10, a scores 5; q2: exactly {x, y} scores 7, anything else -3. Best: 17, worst: -3.
KEY_QUESTIONS = (
    '<Question><QuestionIdentifier>q1</QuestionIdentifier>'
    '<AnswerOption><SelectionIdentifier>b</SelectionIdentifier><AnswerScore>10</AnswerScore></AnswerOption>'
    '<AnswerOption><SelectionIdentifier>a</SelectionIdentifier><AnswerScore>5</AnswerScore></AnswerOption>'
    '</Question>'
    '<Question><QuestionIdentifier>q2</QuestionIdentifier>'
    '<AnswerOption><SelectionIdentifier>x</SelectionIdentifier><SelectionIdentifier>y</SelectionIdentifier>'
    '<AnswerScore>7</AnswerScore></AnswerOption><DefaultScore>-3</DefaultScore></Question>')
RANGES = ('<RangeMapping><SummedScoreRange><InclusiveLowerBound>0</InclusiveLowerBound><InclusiveUpperBound>9'
          '</InclusiveUpperBound><QualificationValue>1</QualificationValue></SummedScoreRange><SummedScoreRange>'
          '<InclusiveLowerBound>10</InclusiveLowerBound><InclusiveUpperBound>17</InclusiveUpperBound>'
          '<QualificationValue>2</QualificationValue></SummedScoreRange>'
          '<OutOfRangeQualificationValue>99</OutOfRangeQualificationValue></RangeMapping>')


def answer_key(mapping: str = "") -> str:
    mapping = f"<QualificationValueMapping>{mapping}</QualificationValueMapping>" if mapping else ""
    return f'<AnswerKey xmlns="{KEY_NS}">{KEY_QUESTIONS}{mapping}</AnswerKey>'


def create_type(mturk, **overrides) -> dict:
    params = {"Name": f"Bird watching {uuid.uuid4().hex[:8]}", "Description": "Tell birds from the rest.",
              "QualificationTypeStatus": "Active", **overrides}
    return mturk.create_qualification_type(**{k: v for k, v in params.items() if v is not None}
                                           )["QualificationType"]


def refused(call) -> KempelenError:
    with pytest.raises(KempelenError) as excinfo:
        call()
    return excinfo.value


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def listed(mturk, **params) -> list[dict]:
    return mturk.list_qualification_requests(MaxResults=100, **params)["QualificationRequests"]


def value_of(worker, type_id: str) -> int | None:
    found = [q for q in worker.qualifications() if q["QualificationTypeId"] == type_id]
    assert len(found) == 1 and found[0]["Status"] == "Granted"
    return found[0]["IntegerValue"]


PERCENT = "<PercentageMapping><MaximumSummedScore>17</MaximumSummedScore></PercentageMapping>"
SCALE = "<ScaleMapping><SummedScoreMultiplier>0.5</SummedScoreMultiplier></ScaleMapping>"


@pytest.mark.parametrize("mapping, answers, expected", [
    ("", {"q1": "b", "q2": ["y", "x"]}, 17),                  # no mapping: the summed score
    ("", {"q1": "c", "q2": ["x"]}, -3),
    (PERCENT, {"q1": "a", "q2": ["x", "y"]}, 71),             # 12 / 17 = 70.6%
    (PERCENT, {"q1": "b", "q2": []}, 41),                     # 7 / 17 = 41.2%
    (SCALE, {"q1": "a", "q2": ["x", "y", "z"]}, 1),           # 2 * 0.5
    (SCALE, {"q1": "a", "q2": ["x", "y"]}, 6),                # 12 * 0.5
    (SCALE, {"q1": "b", "q2": ["z"]}, 4),                     # 7 * 0.5 = 3.5, rounded half up
    (RANGES, {"q1": "a", "q2": ["x"]}, 1),                    # 2: in 0..9
    (RANGES, {"q1": "b", "q2": ["x", "y"]}, 2),               # 17: the upper bound is inclusive
    (RANGES, {"q1": "c", "q2": []}, 99),                      # -3: out of range
])
def test_a_test_with_an_answer_key_is_scored_and_granted_at_once(mturk, workforce, clock, mapping, answers,
                                                                 expected):
    qualification_type = create_type(mturk, Test=TEST, TestDurationInSeconds=600, AnswerKey=answer_key(mapping))
    type_id = qualification_type["QualificationTypeId"]
    worker = workforce.new()
    started = worker.request_qualification(type_id)
    assert started["Status"] == "TestStarted" and started["Test"] == TEST
    assert when(started["TestDeadline"]) == when(started["RequestTime"]) + timedelta(seconds=600)
    assert started["TestDurationInSeconds"] == 600 and started["SubmitTime"] is None
    clock.advance(30)
    done = worker.answer_test(started, answers)
    assert done["Status"] == "Granted" and done["Qualification"]["IntegerValue"] == expected
    assert done["Test"] is None and done["Answer"].startswith('<?xml version="1.0" encoding="ASCII"?>')
    assert value_of(worker, type_id) == expected
    assert listed(mturk, QualificationTypeId=type_id) == []  # scored requests never wait for the owner


def test_answers_as_question_form_answers_xml(mturk, workforce):
    type_id = create_type(mturk, Test=TEST, TestDurationInSeconds=600,
                          AnswerKey=answer_key(PERCENT))["QualificationTypeId"]
    worker = workforce.new()
    started = worker.request_qualification(type_id)
    document = answers_xml('<Answer><QuestionIdentifier>q1</QuestionIdentifier>'
                           '<SelectionIdentifier>b</SelectionIdentifier></Answer>',
                           '<Answer><QuestionIdentifier>q2</QuestionIdentifier>'
                           '<SelectionIdentifier>x</SelectionIdentifier>'
                           '<SelectionIdentifier>y</SelectionIdentifier></Answer>')
    done = worker.answer_test(started, document)
    assert done["Answer"] == document and value_of(worker, type_id) == 100


def test_test_answers_are_checked_and_taken_once(mturk, workforce):
    type_id = create_type(mturk, Test=TEST, TestDurationInSeconds=600, AnswerKey=answer_key())["QualificationTypeId"]
    worker, other = workforce.new(), workforce.new()
    started = worker.request_qualification(type_id)
    error = refused(lambda: worker.answer_test(started, {"q1": "robin"}))
    assert error.code == "AnswerInvalid" and error.details[0]["QuestionIdentifier"] == "q1"
    assert refused(lambda: worker.answer_test(started, {"q2": ["x"]})).code == "AnswerInvalid"  # q1 is required
    # Another worker's request does not exist for this one; an unknown id neither.
    assert refused(lambda: other.answer_test(started, {"q1": "b"})).code == "QualificationRequestDoesNotExist"
    assert refused(lambda: worker.answer_test("3NOSUCHREQUEST", {"q1": "b"})).code == \
        "QualificationRequestDoesNotExist"
    assert worker.answer_test(started, {"q1": "b"})["Status"] == "Granted"  # refusals left the test open
    again = refused(lambda: worker.answer_test(started, {"q1": "a"}))
    assert again.code == "QualificationTestNotActive" and "Granted" in again.message
    assert value_of(worker, type_id) == 7  # 10 for q1, -3 for the unanswered q2


def test_a_test_without_a_key_waits_for_the_owner(mturk, workforce, clock):
    type_id = create_type(mturk, Test=TEST, TestDurationInSeconds=300)["QualificationTypeId"]
    worker = workforce.new()
    started = worker.request_qualification(type_id)
    assert listed(mturk, QualificationTypeId=type_id) == []  # still taking the test
    clock.advance(120)
    submitted = worker.answer_test(started, {"q1": "a", "q2": {"SelectionIdentifiers": ["y"]}})
    assert submitted["Status"] == "Pending" and submitted["Qualification"] is None
    [request] = listed(mturk, QualificationTypeId=type_id)
    assert request["QualificationRequestId"] == started["QualificationRequestId"]
    assert (request["WorkerId"], request["Test"]) == (worker.worker_id, TEST)
    assert request["Answer"] == answers_xml(
        '<Answer><QuestionIdentifier>q1</QuestionIdentifier><SelectionIdentifier>a</SelectionIdentifier></Answer>',
        '<Answer><QuestionIdentifier>q2</QuestionIdentifier><SelectionIdentifier>y</SelectionIdentifier></Answer>')
    assert request["SubmitTime"] == when(submitted["SubmitTime"]) == when(started["RequestTime"]) + \
        timedelta(seconds=120)

    mturk.accept_qualification_request(QualificationRequestId=request["QualificationRequestId"], IntegerValue=42)
    assert value_of(worker, type_id) == 42
    assert mturk.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker.worker_id
                                         )["Qualification"]["IntegerValue"] == 42
    assert listed(mturk, QualificationTypeId=type_id) == []
    [message] = worker.messages()
    assert "granted" in message["Body"] and "42" in message["Body"] and type_id in message["Body"]
    # Decided requests no longer exist for Accept or Reject.
    for call in (lambda: mturk.accept_qualification_request(QualificationRequestId=request["QualificationRequestId"]),
                 lambda: mturk.reject_qualification_request(QualificationRequestId=request["QualificationRequestId"],
                                                            Reason="changed my mind")):
        with pytest.raises(mturk.exceptions.RequestError) as excinfo:
            call()
        assert error_of(excinfo)[2] == "AWS.MechanicalTurk.QualificationRequestDoesNotExist"


def test_a_type_without_a_test_is_requested_for_review(mturk, workforce, clock):
    type_id = create_type(mturk)["QualificationTypeId"]
    accepted, rejected = workforce.new(), workforce.new()
    first = accepted.request_qualification(type_id)
    assert first["Status"] == "Pending" and first["Test"] is None and first["TestDeadline"] is None
    assert when(first["SubmitTime"]) == when(first["RequestTime"])  # no test: submitted when requested
    clock.advance(5)
    second = rejected.request_qualification(type_id)
    requests = listed(mturk, QualificationTypeId=type_id)
    assert [r["QualificationRequestId"] for r in requests] == [first["QualificationRequestId"],
                                                             second["QualificationRequestId"]]
    assert "Test" not in requests[0] and "Answer" not in requests[0]
    assert requests[1]["SubmitTime"] - requests[0]["SubmitTime"] == timedelta(seconds=5)

    # Accepting without an IntegerValue grants the qualification for its presence alone.
    mturk.accept_qualification_request(QualificationRequestId=first["QualificationRequestId"])
    assert value_of(accepted, type_id) is None
    mturk.reject_qualification_request(QualificationRequestId=second["QualificationRequestId"],
                                       Reason="We need people who have watched birds for a year.")
    assert rejected.qualifications() == []
    [message] = rejected.messages()
    assert "rejected" in message["Body"] and "We need people who have watched birds for a year." in message["Body"]
    mine = {t["QualificationTypeId"]: t for t in rejected.requestable_qualification_types()}[type_id]
    assert (mine["QualificationRequestStatus"], mine["Qualification"]) == ("Rejected", None)


def test_the_test_duration_is_enforced(mturk, workforce, clock):
    type_id = create_type(mturk, Test=TEST, TestDurationInSeconds=60, AnswerKey=answer_key())["QualificationTypeId"]
    in_time, late = workforce.new(), workforce.new()
    a = in_time.request_qualification(type_id)
    b = late.request_qualification(type_id)
    clock.advance(59)
    assert in_time.answer_test(a, {"q1": "b"})["Status"] == "Granted"
    clock.advance(1)
    error = refused(lambda: late.answer_test(b, {"q1": "b"}))
    assert error.code == "QualificationTestNotActive" and "run out" in error.message
    assert late.qualifications() == []
    mine = {t["QualificationTypeId"]: t for t in late.requestable_qualification_types()}[type_id]
    assert (mine["QualificationRequestStatus"], mine["RequestableAt"]) == ("TestExpired", None)
    # The expired test was the one attempt this type allows.
    retry = refused(lambda: late.request_qualification(type_id))
    assert retry.code == "QualificationRetryNotAllowed" and "only once" in retry.message


def test_retry_delay(mturk, workforce, clock):
    type_id = create_type(mturk, RetryDelayInSeconds=3600)["QualificationTypeId"]
    worker = workforce.new()
    first = worker.request_qualification(type_id)
    assert refused(lambda: worker.request_qualification(type_id)).code == "QualificationRequestInProgress"
    mturk.reject_qualification_request(QualificationRequestId=first["QualificationRequestId"], Reason="Not yet.")
    clock.advance(3599)
    error = refused(lambda: worker.request_qualification(type_id))
    retry_at = when(first["RequestTime"]) + timedelta(seconds=3600)
    assert error.code == "QualificationRetryNotAllowed" and when(error.details[0]["RetryTime"]) == retry_at
    assert retry_at.isoformat() in error.message
    mine = {t["QualificationTypeId"]: t for t in worker.requestable_qualification_types()}[type_id]
    assert when(mine["RequestableAt"]) == retry_at
    clock.advance(1)
    second = worker.request_qualification(type_id)
    assert second["Status"] == "Pending" and second["QualificationRequestId"] != first["QualificationRequestId"]
    assert [r["QualificationRequestId"] for r in listed(mturk, QualificationTypeId=type_id)] == \
        [second["QualificationRequestId"]]


def test_without_a_retry_delay_a_worker_requests_only_once(mturk, workforce, clock):
    type_id = create_type(mturk)["QualificationTypeId"]
    worker = workforce.new()
    first = worker.request_qualification(type_id)
    mturk.reject_qualification_request(QualificationRequestId=first["QualificationRequestId"], Reason="No.")
    clock.advance(30 * 86400)
    error = refused(lambda: worker.request_qualification(type_id))
    assert error.code == "QualificationRetryNotAllowed" and error.details == []
    mine = {t["QualificationTypeId"]: t for t in worker.requestable_qualification_types()}[type_id]
    assert mine["RequestableAt"] is None and mine["RetryDelayInSeconds"] is None


def test_auto_granted(mturk, workforce):
    seven = create_type(mturk, AutoGranted=True, AutoGrantedValue=7)["QualificationTypeId"]
    default = create_type(mturk, AutoGranted=True)["QualificationTypeId"]
    worker = workforce.new()
    granted = worker.request_qualification(seven)
    assert granted["Status"] == "Granted" and granted["Qualification"]["IntegerValue"] == 7
    worker.request_qualification(default)
    assert value_of(worker, seven) == 7 and value_of(worker, default) == 1
    assert listed(mturk) == []
    assert refused(lambda: worker.request_qualification(seven)).code == "QualificationRetryNotAllowed"


def test_the_worker_listing_of_requestable_types(mturk, workforce):
    tested = create_type(mturk, Test=TEST, TestDurationInSeconds=600, RetryDelayInSeconds=60)
    inactive = create_type(mturk, QualificationTypeStatus="Inactive")
    worker = workforce.new()
    seen = {t["QualificationTypeId"]: t for t in worker.requestable_qualification_types()}
    assert inactive["QualificationTypeId"] not in seen
    mine = seen[tested["QualificationTypeId"]]
    assert (mine["Name"], mine["HasTest"], mine["TestDurationInSeconds"], mine["RetryDelayInSeconds"]) == \
        (tested["Name"], True, 600, 60)
    assert mine["Qualification"] is None and mine["QualificationRequestStatus"] is None
    assert mine["RequestableAt"] is not None
    worker.request_qualification(tested["QualificationTypeId"])
    mine = {t["QualificationTypeId"]: t for t in worker.requestable_qualification_types()}[
        tested["QualificationTypeId"]]
    assert (mine["QualificationRequestStatus"], mine["RequestableAt"]) == ("TestStarted", None)
    error = refused(lambda: worker.request_qualification(inactive["QualificationTypeId"]))
    assert error.code == "QualificationTypeNotRequestable" and "Inactive" in error.message
    assert refused(lambda: worker.request_qualification("3NOSUCHTYPE")).code == "QualificationTypeDoesNotExist"
    # Paging: a token on every non-empty page, none on the empty one that ends it.
    client, token, found = worker._client, None, []
    while True:
        page = client.qualification_types(worker.worker_id, max_results=3, next_token=token)
        if not page["QualificationTypes"]:
            assert page["NextToken"] is None and page["NumResults"] == 0
            break
        found += [t["QualificationTypeId"] for t in page["QualificationTypes"]]
        token = page["NextToken"]
        assert token
    assert tested["QualificationTypeId"] in found and len(found) == len(set(found))


def test_list_qualification_requests_pages_and_scope(server, mturk, workforce):
    first_type = create_type(mturk)["QualificationTypeId"]
    second_type = create_type(mturk)["QualificationTypeId"]
    tested = create_type(mturk, Test=TEST, TestDurationInSeconds=600)["QualificationTypeId"]
    ids = [workforce.new().request_qualification(first_type)["QualificationRequestId"] for _ in range(3)]
    ids += [workforce.new().request_qualification(second_type)["QualificationRequestId"] for _ in range(2)]
    workforce.new().request_qualification(tested)  # TestStarted: not the owner's business yet

    found, token, pages = [], None, 0
    while True:
        page = mturk.list_qualification_requests(MaxResults=2, **({"NextToken": token} if token else {}))
        pages += 1
        if page["NumResults"] == 0:
            assert "NextToken" not in page and page["QualificationRequests"] == []
            break
        assert page["NumResults"] == len(page["QualificationRequests"]) and page["NextToken"]
        found += [r["QualificationRequestId"] for r in page["QualificationRequests"]]
        token = page["NextToken"]
    assert found == ids and pages == 4
    assert [r["QualificationRequestId"] for r in listed(mturk, QualificationTypeId=second_type)] == ids[3:]
    paginator = mturk.get_paginator("list_qualification_requests")
    assert [r["QualificationRequestId"] for p in paginator.paginate(QualificationTypeId=first_type,
                                                                     PaginationConfig={"PageSize": 1})
            for r in p["QualificationRequests"]] == ids[:3]

    # Another requester sees none of them and cannot decide them.
    stranger = server.client(server.create_requester())
    assert listed(stranger) == []
    with pytest.raises(stranger.exceptions.RequestError) as excinfo:
        stranger.list_qualification_requests(QualificationTypeId=first_type)
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
    for request_id in (ids[0], "3NOSUCHREQUESTAAAAAAAAAAAAAAAA"):
        with pytest.raises(stranger.exceptions.RequestError) as excinfo:
            stranger.accept_qualification_request(QualificationRequestId=request_id, IntegerValue=1)
        code, message, turk_code = error_of(excinfo)
        assert turk_code == "AWS.MechanicalTurk.QualificationRequestDoesNotExist" and request_id in message
    assert ids[0] in [r["QualificationRequestId"] for r in listed(mturk)]
    with pytest.raises(mturk.exceptions.RequestError):
        mturk.list_qualification_requests(NextToken="garbage")
    unfiltered = mturk.list_qualification_requests(MaxResults=1)["NextToken"]
    with pytest.raises(mturk.exceptions.RequestError):  # a token is bound to its filter
        mturk.list_qualification_requests(QualificationTypeId=first_type, NextToken=unfiltered)


def test_the_inbox_pages(mturk, workforce):
    type_ids = [create_type(mturk)["QualificationTypeId"] for _ in range(3)]
    worker = workforce.new()
    for type_id in type_ids:
        request = worker.request_qualification(type_id)
        mturk.reject_qualification_request(QualificationRequestId=request["QualificationRequestId"],
                                           Reason=f"reason for {type_id}")
    client, token, bodies = worker._client, None, []
    while True:
        page = client.messages(worker.worker_id, max_results=2, next_token=token)
        if not page["Messages"]:
            assert page["NextToken"] is None
            break
        bodies += [m["Body"] for m in page["Messages"]]
        token = page["NextToken"]
    assert [f"reason for {type_id}" in body for type_id, body in zip(type_ids, bodies)] == [True] * 3
    assert len(bodies) == 3 and workforce.new().messages() == []


def test_a_deleted_types_pending_requests(mturk, workforce):
    type_id = create_type(mturk)["QualificationTypeId"]
    kept = create_type(mturk)["QualificationTypeId"]
    worker = workforce.new()
    request = worker.request_qualification(type_id)
    other = worker.request_qualification(kept)
    mturk.delete_qualification_type(QualificationTypeId=type_id)
    assert [r["QualificationRequestId"] for r in listed(mturk)] == [other["QualificationRequestId"]]
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.accept_qualification_request(QualificationRequestId=request["QualificationRequestId"])
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.QualificationRequestDoesNotExist"
    assert type_id not in {t["QualificationTypeId"] for t in worker.requestable_qualification_types()}
    assert refused(lambda: worker.request_qualification(type_id)).code == "QualificationTypeDoesNotExist"


def test_a_test_replaced_while_taken_goes_to_the_owner(mturk, workforce):
    type_id = create_type(mturk, Test=TEST, TestDurationInSeconds=600, AnswerKey=answer_key())["QualificationTypeId"]
    worker = workforce.new()
    started = worker.request_qualification(type_id)
    new_test = TEST.replace("Which is a bird?", "Which one is a bird?")
    mturk.update_qualification_type(QualificationTypeId=type_id, Test=new_test, TestDurationInSeconds=600,
                                    AnswerKey=answer_key())
    # The worker answers the test it was given; the new key was not written for it, so the owner decides.
    submitted = worker.answer_test(started, {"q1": "b"})
    assert submitted["Status"] == "Pending" and worker.qualifications() == []
    [request] = listed(mturk, QualificationTypeId=type_id)
    assert request["Test"] == TEST and request["QualificationRequestId"] == started["QualificationRequestId"]
