"""The assignment lifecycle seen from both sides: scripted workers act, boto3 reads and reviews."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kempelen.testing import KempelenError
from helpers import create_hit, error_of

NOT_SUBMITTED = "This operation can be called with a status of: Submitted"


def counts(mturk, hit_id: str) -> tuple[str, int, int, int]:
    hit = mturk.get_hit(HITId=hit_id)["HIT"]
    return (hit["HITStatus"], hit["NumberOfAssignmentsPending"], hit["NumberOfAssignmentsAvailable"],
            hit["NumberOfAssignmentsCompleted"])


def refused(call) -> KempelenError:
    with pytest.raises(KempelenError) as excinfo:
        call()
    return excinfo.value


def test_accept_submit_approve_walks_the_counts(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=2)
    alice, bob = workforce.new(), workforce.new()
    assert counts(mturk, hit["HITId"]) == ("Assignable", 0, 2, 0)

    a = alice.accept(hit["HITId"])
    assert a["AssignmentStatus"] == "Accepted" and a["WorkerId"] == alice.worker_id
    assert counts(mturk, hit["HITId"]) == ("Assignable", 1, 1, 0)
    b = bob.accept(hit["HITId"])
    assert counts(mturk, hit["HITId"]) == ("Unassignable", 2, 0, 0)

    alice.submit(a, {"animal": "cat"})
    # Submitted assignments are in none of the three counts (psiTurk#395).
    assert counts(mturk, hit["HITId"]) == ("Unassignable", 1, 0, 0)
    bob.submit(b, {"animal": "dog"})
    assert counts(mturk, hit["HITId"]) == ("Reviewable", 0, 0, 0)

    mturk.approve_assignment(AssignmentId=a["AssignmentId"], RequesterFeedback="Thanks")
    mturk.reject_assignment(AssignmentId=b["AssignmentId"], RequesterFeedback="Wrong animal")
    assert counts(mturk, hit["HITId"]) == ("Reviewable", 0, 0, 2)
    assert mturk.list_reviewable_hits()["HITs"][0]["HITId"] == hit["HITId"]

    got = mturk.get_assignment(AssignmentId=a["AssignmentId"])
    assignment = got["Assignment"]
    assert got["HIT"]["HITId"] == hit["HITId"]
    assert assignment["AssignmentStatus"] == "Approved" and assignment["RequesterFeedback"] == "Thanks"
    assert assignment["WorkerId"] == alice.worker_id
    assert assignment["Deadline"] - assignment["AcceptTime"] == timedelta(seconds=600)
    assert assignment["AutoApprovalTime"] - assignment["SubmitTime"] == timedelta(days=30)
    assert assignment["ApprovalTime"] >= assignment["SubmitTime"] and "RejectionTime" not in assignment
    assert assignment["Answer"] == (
        '<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="http://mechanicalturk.amazonaws.com/'
        'AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"><Answer><QuestionIdentifier>animal'
        '</QuestionIdentifier><FreeText>cat</FreeText></Answer></QuestionFormAnswers>')
    rejected = mturk.get_assignment(AssignmentId=b["AssignmentId"])["Assignment"]
    assert rejected["AssignmentStatus"] == "Rejected" and "RejectionTime" in rejected and "ApprovalTime" not in rejected

    # DeleteHIT is allowed once nothing is pending or awaiting review.
    mturk.delete_hit(HITId=hit["HITId"])


def test_an_accepted_assignment_does_not_exist_for_the_requester(mturk, workforce):
    hit = create_hit(mturk)
    a = workforce.new().accept(hit["HITId"])
    for call in (lambda: mturk.get_assignment(AssignmentId=a["AssignmentId"]),
                 lambda: mturk.approve_assignment(AssignmentId=a["AssignmentId"]),
                 lambda: mturk.reject_assignment(AssignmentId=a["AssignmentId"], RequesterFeedback="no")):
        with pytest.raises(mturk.exceptions.RequestError) as excinfo:
            call()
        assert error_of(excinfo)[1].startswith(f"Assignment {a['AssignmentId']} does not exist. (")
        assert error_of(excinfo)[2] == "AWS.MechanicalTurk.AssignmentDoesNotExist"
    assert mturk.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"] == []


def test_another_requesters_assignment_does_not_exist(server, mturk, workforce):
    hit = create_hit(mturk)
    worker = workforce.new()
    a = worker.accept(hit["HITId"])
    worker.submit(a, {"x": "1"})
    other = server.client(server.create_requester())
    with pytest.raises(other.exceptions.RequestError) as excinfo:
        other.get_assignment(AssignmentId=a["AssignmentId"])
    assert "does not exist" in error_of(excinfo)[1]
    with pytest.raises(other.exceptions.RequestError):
        other.approve_assignment(AssignmentId=a["AssignmentId"])
    with pytest.raises(other.exceptions.RequestError) as excinfo:
        other.list_assignments_for_hit(HITId=hit["HITId"])
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.HITDoesNotExist"


def test_review_state_rules(mturk, workforce, clock):
    hit = create_hit(mturk, MaxAssignments=3)
    ids = []
    for _ in range(3):
        worker = workforce.new()
        a = worker.accept(hit["HITId"])
        worker.submit(a, {"x": "1"})
        ids.append(a["AssignmentId"])
    approved, rejected, overturned = ids

    mturk.approve_assignment(AssignmentId=approved)
    for call in (lambda: mturk.approve_assignment(AssignmentId=approved),  # re-approval (Dallinger#3072)
                 lambda: mturk.reject_assignment(AssignmentId=approved, RequesterFeedback="late"),
                 lambda: mturk.approve_assignment(AssignmentId=approved, OverrideRejection=True)):
        with pytest.raises(mturk.exceptions.RequestError) as excinfo:
            call()
        message, code = error_of(excinfo)[1:]
        assert message.startswith(NOT_SUBMITTED + " (") and code == "AWS.MechanicalTurk.InvalidAssignmentState"

    mturk.reject_assignment(AssignmentId=rejected, RequesterFeedback="no")
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.approve_assignment(AssignmentId=rejected)
    assert error_of(excinfo)[1].startswith(NOT_SUBMITTED)
    mturk.approve_assignment(AssignmentId=rejected, OverrideRejection=True, RequesterFeedback="Sorry")
    after = mturk.get_assignment(AssignmentId=rejected)["Assignment"]
    assert after["AssignmentStatus"] == "Approved" and after["RequesterFeedback"] == "Sorry"

    # The override window is 30 days from submission.
    mturk.reject_assignment(AssignmentId=overturned, RequesterFeedback="no")
    clock.advance(30 * 86400 + 1)
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.approve_assignment(AssignmentId=overturned, OverrideRejection=True)
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.InvalidAssignmentState"


def test_requester_feedback_rules(mturk, workforce):
    hit = create_hit(mturk)
    worker = workforce.new()
    a = worker.accept(hit["HITId"])
    worker.submit(a, {"x": "1"})
    for feedback in ("x" * 1025, "bell\x07"):
        with pytest.raises(mturk.exceptions.RequestError) as excinfo:
            mturk.reject_assignment(AssignmentId=a["AssignmentId"], RequesterFeedback=feedback)
        assert error_of(excinfo)[2] == "AWS.MechanicalTurk.InvalidParameterValue"
    assert mturk.get_assignment(AssignmentId=a["AssignmentId"])["Assignment"]["AssignmentStatus"] == "Submitted"
    mturk.reject_assignment(AssignmentId=a["AssignmentId"], RequesterFeedback="tab\tand\nnewline ok " + "é" * 900)


def test_list_assignments_for_hit_filters_and_pages(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=5)
    submitted = []
    for _ in range(5):
        worker = workforce.new()
        a = worker.accept(hit["HITId"])
        if len(submitted) < 4:
            worker.submit(a, {"x": str(len(submitted))})
            submitted.append(a["AssignmentId"])
    mturk.approve_assignment(AssignmentId=submitted[0])
    mturk.reject_assignment(AssignmentId=submitted[1], RequesterFeedback="no")

    def listed(**params):
        found, token = [], None
        while True:
            page = mturk.list_assignments_for_hit(HITId=hit["HITId"], MaxResults=1, **params,
                                                  **({"NextToken": token} if token else {}))
            found += [a["AssignmentId"] for a in page["Assignments"]]
            assert page["NumResults"] == len(page["Assignments"])
            if not page["Assignments"]:
                assert "NextToken" not in page
                return found
            token = page["NextToken"]

    assert listed() == submitted  # the accepted (unsubmitted) one is never listed
    assert listed(AssignmentStatuses=["Submitted"]) == submitted[2:]
    assert listed(AssignmentStatuses=["Approved", "Rejected"]) == submitted[:2]
    first = mturk.list_assignments_for_hit(HITId=hit["HITId"])
    assert first["NumResults"] == 4 and "NextToken" in first
    with pytest.raises(mturk.exceptions.RequestError):
        mturk.list_assignments_for_hit(HITId=hit["HITId"], NextToken="bogus")


def test_a_worker_takes_a_hit_once_ever(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=3)
    worker = workforce.new()
    a = worker.accept(hit["HITId"])
    assert refused(lambda: worker.accept(hit["HITId"])).code == "HITAlreadyTaken"
    worker.return_(a)
    # Even after returning it (MTurk kept one assignment per worker and HIT).
    assert refused(lambda: worker.accept(hit["HITId"])).code == "HITAlreadyTaken"
    assert hit["HITId"] not in [h["HITId"] for h in worker.hits()]


def test_return_frees_the_slot_at_once(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=1)
    first, second = workforce.new(), workforce.new()
    a = first.accept(hit["HITId"])
    assert refused(lambda: second.accept(hit["HITId"])).code == "HITNotAvailable"
    returned = first.return_(a)
    assert returned["AssignmentStatus"] == "Returned" and returned["ReturnTime"]
    assert counts(mturk, hit["HITId"]) == ("Assignable", 0, 1, 0)
    second.accept(hit["HITId"])
    assert refused(lambda: first.submit(a, {"x": "1"})).code == "AssignmentNotActive"
    assert refused(lambda: first.return_(a)).code == "AssignmentNotActive"
    assert first.statistics()["NumberOfAssignmentsReturned"] == 1


def test_deadline_abandons_and_frees_the_slot(mturk, workforce, clock):
    hit = create_hit(mturk, MaxAssignments=1, AssignmentDurationInSeconds=60)
    worker = workforce.new()
    a = worker.accept(hit["HITId"])
    clock.advance(59)
    assert counts(mturk, hit["HITId"])[:3] == ("Unassignable", 1, 0)
    clock.advance(1)
    assert counts(mturk, hit["HITId"]) == ("Assignable", 0, 1, 0)
    error = refused(lambda: worker.submit(a, {"x": "late"}))
    assert error.code == "AssignmentNotActive" and "time allotted" in error.message
    assert worker.assignment(a)["AssignmentStatus"] == "Abandoned"
    assert worker.statistics()["NumberOfAssignmentsAbandoned"] == 1
    workforce.new().accept(hit["HITId"])


def test_submit_after_the_hit_expired_but_before_the_deadline(mturk, workforce, clock):
    hit = create_hit(mturk, MaxAssignments=2, LifetimeInSeconds=60, AssignmentDurationInSeconds=600)
    worker = workforce.new()
    a = worker.accept(hit["HITId"])
    clock.advance(120)
    assert counts(mturk, hit["HITId"])[:2] == ("Unassignable", 1)  # expired with work pending
    assert refused(lambda: workforce.new().accept(hit["HITId"])).code == "HITNotAvailable"
    worker.submit(a, {"x": "done"})
    assert counts(mturk, hit["HITId"])[0] == "Reviewable"


def test_auto_approval(mturk, workforce, clock):
    delayed = create_hit(mturk, AutoApprovalDelayInSeconds=3600)
    immediate = create_hit(mturk, AutoApprovalDelayInSeconds=0)
    worker = workforce.new()
    a = worker.accept(delayed["HITId"])
    b = worker.accept(immediate["HITId"])
    worker.submit(a, {"x": "1"})
    done = worker.submit(b, {"x": "2"})
    assert done["AssignmentStatus"] == "Approved" and done["ApprovalTime"] == done["SubmitTime"]
    assert mturk.get_assignment(AssignmentId=b["AssignmentId"])["Assignment"]["AssignmentStatus"] == "Approved"

    clock.advance(3599)
    assert mturk.get_assignment(AssignmentId=a["AssignmentId"])["Assignment"]["AssignmentStatus"] == "Submitted"
    clock.advance(1)
    after = mturk.get_assignment(AssignmentId=a["AssignmentId"])["Assignment"]
    assert after["AssignmentStatus"] == "Approved" and after["ApprovalTime"] == after["AutoApprovalTime"]
    listed = mturk.list_assignments_for_hit(HITId=delayed["HITId"], AssignmentStatuses=["Approved"])
    assert [x["AssignmentId"] for x in listed["Assignments"]] == [a["AssignmentId"]]
    with pytest.raises(mturk.exceptions.RequestError):
        mturk.reject_assignment(AssignmentId=a["AssignmentId"], RequesterFeedback="too late")
    assert worker.statistics()["NumberOfAssignmentsApproved"] == 2


def test_only_an_assignable_hit_can_be_accepted(mturk, workforce):
    worker = workforce.new()
    expired = create_hit(mturk)
    mturk.update_expiration_for_hit(HITId=expired["HITId"], ExpireAt=0)
    assert refused(lambda: worker.accept(expired["HITId"])).code == "HITNotAvailable"
    deleted = create_hit(mturk)
    mturk.update_expiration_for_hit(HITId=deleted["HITId"], ExpireAt=0)
    mturk.delete_hit(HITId=deleted["HITId"])
    assert refused(lambda: worker.accept(deleted["HITId"])).code == "HITDoesNotExist"
    assert refused(lambda: worker.accept("3" + "X" * 29)).code == "HITDoesNotExist"
    reviewing = create_hit(mturk)
    mturk.update_expiration_for_hit(HITId=reviewing["HITId"], ExpireAt=0)
    mturk.update_hit_review_status(HITId=reviewing["HITId"], Revert=False)
    assert refused(lambda: worker.accept(reviewing["HITId"])).code == "HITNotAvailable"


def test_extending_or_adding_assignments_reopens(mturk, workforce, clock):
    hit = create_hit(mturk, MaxAssignments=1)
    worker = workforce.new()
    worker.submit(worker.accept(hit["HITId"]), {"x": "1"})
    assert counts(mturk, hit["HITId"])[0] == "Reviewable"
    mturk.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=1)
    assert counts(mturk, hit["HITId"]) == ("Assignable", 0, 1, 0)
    workforce.new().accept(hit["HITId"])


def test_delete_hit_refuses_pending_and_unreviewed_work(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=1)
    worker = workforce.new()
    a = worker.accept(hit["HITId"])
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.delete_hit(HITId=hit["HITId"])
    assert "currently in the state 'Unassignable'" in error_of(excinfo)[1]
    worker.submit(a, {"x": "1"})
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.delete_hit(HITId=hit["HITId"])
    assert "currently in the state 'Reviewable'" in error_of(excinfo)[1]
    mturk.approve_assignment(AssignmentId=a["AssignmentId"])
    mturk.delete_hit(HITId=hit["HITId"])
    # Its assignments stay readable, and can no longer be turned around.
    assert mturk.get_assignment(AssignmentId=a["AssignmentId"])["Assignment"]["AssignmentStatus"] == "Approved"
