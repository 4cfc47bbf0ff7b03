"""The HIT operations through boto3 against a live server (spec §5.2, §6.A)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from helpers import EXTERNAL_QUESTION, HIT_PROPERTIES, create_hit, error_of

TIMESTAMP_SUFFIX = re.compile(r" \(\d{13}\)$")


def test_create_hit_returns_the_full_hit(mturk, server):
    before = server.now()
    hit = create_hit(mturk, RequesterAnnotation="batch-7")
    assert re.fullmatch(r"3[0-9A-Z]{29}", hit["HITId"])
    assert re.fullmatch(r"3[0-9A-Z]{29}", hit["HITTypeId"])
    assert hit["HITGroupId"] != hit["HITTypeId"]
    assert hit["HITStatus"] == "Assignable"
    assert hit["Title"] == HIT_PROPERTIES["Title"]
    assert hit["Reward"] == "0.50"
    assert hit["MaxAssignments"] == 3
    assert hit["AutoApprovalDelayInSeconds"] == 2592000  # MTurk's default: 30 days
    assert hit["Question"] == EXTERNAL_QUESTION
    assert hit["RequesterAnnotation"] == "batch-7"
    assert hit["HITReviewStatus"] == "NotReviewed"
    assert (hit["NumberOfAssignmentsPending"], hit["NumberOfAssignmentsAvailable"],
            hit["NumberOfAssignmentsCompleted"]) == (0, 3, 0)
    assert hit["CreationTime"] == before
    assert hit["Expiration"] - hit["CreationTime"] == timedelta(seconds=3600)
    assert "HITLayoutId" not in hit


def test_get_hit_matches_create_hit(mturk):
    created = create_hit(mturk)
    fetched = mturk.get_hit(HITId=created["HITId"])["HIT"]
    assert fetched == created


def test_equal_properties_give_the_same_hit_type(mturk):
    first = mturk.create_hit_type(Title="T", Description="D", Reward="0.1", AssignmentDurationInSeconds=60)
    second = mturk.create_hit_type(Title="T", Description="D", Reward="0.10", AssignmentDurationInSeconds=60)
    other = mturk.create_hit_type(Title="T", Description="D", Reward="0.11", AssignmentDurationInSeconds=60)
    assert first["HITTypeId"] == second["HITTypeId"] != other["HITTypeId"]
    hit = create_hit(mturk, Title="T", Description="D", Reward="0.10", AssignmentDurationInSeconds=60,
                     Keywords=None)
    assert hit["HITTypeId"] == first["HITTypeId"]


def test_create_hit_with_hit_type(mturk):
    hit_type_id = mturk.create_hit_type(
        Title="Tag", Description="Tag it", Reward="1", AssignmentDurationInSeconds=300,
        AutoApprovalDelayInSeconds=0, Keywords="k",
        QualificationRequirements=[{"QualificationTypeId": "000000000000000000L0",
                                    "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [95],
                                    "RequiredToPreview": True}])["HITTypeId"]
    hit = mturk.create_hit_with_hit_type(HITTypeId=hit_type_id, LifetimeInSeconds=120,
                                         Question=EXTERNAL_QUESTION)["HIT"]
    assert hit["HITTypeId"] == hit_type_id
    assert hit["Reward"] == "1.00"
    assert hit["AutoApprovalDelayInSeconds"] == 0
    assert hit["MaxAssignments"] == 1
    assert hit["QualificationRequirements"] == [{"QualificationTypeId": "000000000000000000L0",
                                                 "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [95],
                                                 "RequiredToPreview": True}]


def test_a_hit_type_removed_by_a_reset_is_not_made_from_memory(server, credentials):
    """The server remembers the HIT types it made HITs of (they never change), and a reset removes them: the
    next CreateHIT with those properties makes a new type, and CreateHITWithHITType refuses the old id."""
    # no retries: botocore would retry a ServiceFault, and hide a first attempt that failed
    mturk = server.client(credentials, config=Config(retries={"total_max_attempts": 1}))
    first = create_hit(mturk)
    assert create_hit(mturk)["HITTypeId"] == first["HITTypeId"]  # the type is remembered by now
    server.reset(requester=credentials["AccessKeyId"])
    after = create_hit(mturk)
    assert after["HITTypeId"] != first["HITTypeId"]
    assert mturk.get_hit(HITId=after["HITId"])["HIT"] == after
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.create_hit_with_hit_type(HITTypeId=first["HITTypeId"], LifetimeInSeconds=60,
                                       Question=EXTERNAL_QUESTION)
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.HITTypeDoesNotExist"
    assert mturk.list_hits()["HITs"] == [after]


def test_unknown_and_foreign_ids_do_not_exist(mturk, server):
    hit = create_hit(mturk)
    stranger = server.client(server.create_requester())
    for client, hit_id in ((mturk, "3ABCDEFGHIJKLMNOPQRSTUVWXYZ123"), (stranger, hit["HITId"])):
        with pytest.raises(client.exceptions.RequestError) as excinfo:
            client.get_hit(HITId=hit_id)
        code, message, turk = error_of(excinfo)
        assert message.startswith(f"Hit {hit_id} does not exist. (")
        assert TIMESTAMP_SUFFIX.search(message)
        assert turk == "AWS.MechanicalTurk.HITDoesNotExist"
    with pytest.raises(stranger.exceptions.RequestError) as excinfo:
        stranger.create_hit_with_hit_type(HITTypeId=hit["HITTypeId"], LifetimeInSeconds=60,
                                          Question=EXTERNAL_QUESTION)
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.HITTypeDoesNotExist"


@pytest.mark.parametrize("overrides, fragment", [
    ({"LifetimeInSeconds": 10}, "LifetimeInSeconds"),
    ({"AssignmentDurationInSeconds": 31_536_001}, "AssignmentDurationInSeconds"),
    ({"AutoApprovalDelayInSeconds": 2_592_001}, "AutoApprovalDelayInSeconds"),
    ({"MaxAssignments": 0}, "MaxAssignments"),
    ({"Title": "x" * 129}, "Title"),
    ({"Description": "x" * 2001}, "Description"),
    ({"Keywords": "x" * 1001}, "Keywords"),
    ({"RequesterAnnotation": "x" * 256}, "RequesterAnnotation"),
    ({"Question": None}, "Question"),
])
def test_business_limits_are_request_errors(mturk, overrides, fragment):
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        create_hit(mturk, **overrides)
    assert fragment in error_of(excinfo)[1]
    assert mturk.list_hits()["NumResults"] == 0  # nothing was written


def test_model_constraints_are_validation_exceptions(mturk):
    with pytest.raises(ClientError) as excinfo:
        create_hit(mturk, Reward="0.505")
    code, message, _ = error_of(excinfo)
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value '0.505' at 'reward' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: ^[0-9]+(\\.)?[0-9]{0,2}$")
    with pytest.raises(ClientError) as excinfo:
        mturk.get_hit(HITId="abc-lower")
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        mturk.list_hits(MaxResults=101)
    assert "Member must have value less than or equal to 100" in error_of(excinfo)[1]


def test_invalid_question_xml_is_refused(mturk):
    for question in ("not xml", EXTERNAL_QUESTION.replace("2006-07-14", "2001-01-01"),
                     EXTERNAL_QUESTION.replace("<FrameHeight>600</FrameHeight>", "")):
        with pytest.raises(ClientError) as excinfo:
            create_hit(mturk, Question=question)
        code, message, _ = error_of(excinfo)
        assert code == "ParameterValidationError"
        assert "is not valid for the parameter Question" in message
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert mturk.list_hits()["NumResults"] == 0


def test_hit_layout_is_refused_cleanly(mturk):
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        create_hit(mturk, Question=None, HITLayoutId="3LAYOUT0000000000000000000000")
    assert "HITLayout" in error_of(excinfo)[1]


def test_unique_request_token_refuses_a_repeat(mturk):
    hit = create_hit(mturk, UniqueRequestToken="tok-1")
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        create_hit(mturk, UniqueRequestToken="tok-1")
    code, message, turk = error_of(excinfo)
    assert hit["HITId"] in message
    assert turk == "AWS.MechanicalTurk.HitAlreadyExists"
    assert mturk.list_hits()["NumResults"] == 1


def test_unique_request_token_expires_after_24_hours(mturk, server):
    create_hit(mturk, UniqueRequestToken="daily", LifetimeInSeconds=31_536_000)
    server.advance_clock(24 * 3600 + 1)
    create_hit(mturk, UniqueRequestToken="daily")
    assert mturk.list_hits()["NumResults"] == 2


def test_unique_request_token_under_concurrent_retries(server, credentials):
    from concurrent.futures import ThreadPoolExecutor

    clients = [server.client(credentials) for _ in range(8)]

    def attempt(client):
        try:
            return create_hit(client, UniqueRequestToken="race")["HITId"]
        except client.exceptions.RequestError as exc:
            return exc.response["TurkErrorCode"]

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, clients))
    created = [o for o in outcomes if not o.startswith("AWS.")]
    assert len(created) == 1
    assert outcomes.count("AWS.MechanicalTurk.HitAlreadyExists") == 7
    assert clients[0].list_hits()["NumResults"] == 1


def test_list_hits_pages_by_token(mturk):
    created = [create_hit(mturk)["HITId"] for _ in range(5)]
    seen, token, pages = [], None, 0
    while True:
        response = mturk.list_hits(MaxResults=2, **({"NextToken": token} if token else {}))
        pages += 1
        if response["NumResults"] == 0:
            assert "NextToken" not in response and response["HITs"] == []
            break
        assert "NextToken" in response  # on every non-empty page, the last one too
        seen += [hit["HITId"] for hit in response["HITs"]]
        token = response["NextToken"]
    assert seen == created
    assert pages == 4
    assert mturk.list_hits()["NumResults"] == 5  # default page size 10
    paginated = [hit["HITId"] for page in mturk.get_paginator("list_hits").paginate(
        PaginationConfig={"PageSize": 2}) for hit in page["HITs"]]
    assert paginated == created


def test_list_hits_with_a_bad_token(mturk):
    with pytest.raises(mturk.exceptions.RequestError):
        mturk.list_hits(NextToken="garbage!")


def test_expire_now_then_reopen(mturk, server):
    hit = create_hit(mturk)
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=datetime(2015, 1, 1, tzinfo=timezone.utc))
    expired = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert expired["HITStatus"] == "Reviewable"
    assert expired["Expiration"] == server.now()
    reviewable = mturk.list_reviewable_hits()
    assert [h["HITId"] for h in reviewable["HITs"]] == [hit["HITId"]]
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=server.now() + timedelta(hours=1))
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Assignable"
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"


def test_lifetime_ends_with_the_clock(mturk, server):
    hit = create_hit(mturk, LifetimeInSeconds=60)
    server.advance_clock(59)
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Assignable"
    server.advance_clock(1)
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"


def test_review_status_moves_and_never_toggles(mturk):
    hit = create_hit(mturk)
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.update_hit_review_status(HITId=hit["HITId"])
    assert "currently in the state 'Assignable'" in error_of(excinfo)[1]
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    mturk.update_hit_review_status(HITId=hit["HITId"], Revert=False)
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewing"
    assert [h["HITId"] for h in mturk.list_reviewable_hits(Status="Reviewing")["HITs"]] == [hit["HITId"]]
    assert mturk.list_reviewable_hits()["NumResults"] == 0
    with pytest.raises(mturk.exceptions.RequestError):
        mturk.update_hit_review_status(HITId=hit["HITId"], Revert=False)
    mturk.update_hit_review_status(HITId=hit["HITId"], Revert=True)
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"


def test_list_reviewable_hits_filters_by_type(mturk):
    first = create_hit(mturk)
    second = create_hit(mturk, Title="Another")
    for hit in (first, second):
        mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    only = mturk.list_reviewable_hits(HITTypeId=second["HITTypeId"])
    assert [h["HITId"] for h in only["HITs"]] == [second["HITId"]]


def test_update_hit_type_of_hit(mturk):
    hit = create_hit(mturk)
    new_type = mturk.create_hit_type(Title="New", Description="Other", Reward="2.00",
                                     AssignmentDurationInSeconds=99, Keywords="x")["HITTypeId"]
    mturk.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId=new_type)
    updated = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert (updated["HITTypeId"], updated["Title"], updated["Reward"], updated["AssignmentDurationInSeconds"]) \
        == (new_type, "New", "2.00", 99)
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId="3NOSUCHTYPE000000000000000000")
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.HITTypeDoesNotExist"


def test_delete_hit(mturk):
    hit = create_hit(mturk)
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.delete_hit(HITId=hit["HITId"])
    assert error_of(excinfo)[1].startswith(
        "This HIT is currently in the state 'Assignable'.  "
        "This operation can be called with a status of: Reviewing, Reviewable (")
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    assert set(mturk.delete_hit(HITId=hit["HITId"])) == {"ResponseMetadata"}
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Disposed"
    assert mturk.list_hits()["NumResults"] == 0
    assert mturk.list_reviewable_hits()["NumResults"] == 0
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.delete_hit(HITId=hit["HITId"])
    assert "currently in the state 'Disposed'" in error_of(excinfo)[1]


def test_additional_assignments_and_the_ten_rule(mturk):
    small = create_hit(mturk, MaxAssignments=5)
    mturk.create_additional_assignments_for_hit(HITId=small["HITId"], NumberOfAdditionalAssignments=4)
    assert mturk.get_hit(HITId=small["HITId"])["HIT"]["MaxAssignments"] == 9
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.create_additional_assignments_for_hit(HITId=small["HITId"], NumberOfAdditionalAssignments=1)
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.InvalidMaximumAssignmentsIncrease"
    large = create_hit(mturk, MaxAssignments=10)
    mturk.create_additional_assignments_for_hit(HITId=large["HITId"], NumberOfAdditionalAssignments=90,
                                                UniqueRequestToken="more")
    assert mturk.get_hit(HITId=large["HITId"])["HIT"]["NumberOfAssignmentsAvailable"] == 100
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.create_additional_assignments_for_hit(HITId=large["HITId"], NumberOfAdditionalAssignments=1,
                                                    UniqueRequestToken="more")
    assert 'The idempotency token "more" has already been processed' in error_of(excinfo)[1]
    assert mturk.get_hit(HITId=large["HITId"])["HIT"]["MaxAssignments"] == 100


def test_expired_hit_with_more_assignments_stays_closed(mturk):
    hit = create_hit(mturk, MaxAssignments=1)
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    mturk.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=1)
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"


def test_account_balance_in_the_sandbox(mturk):
    assert mturk.get_account_balance()["AvailableBalance"] == "10000.00"


def test_every_operation_of_the_model_is_built():
    from kempelen.operations import REGISTRY
    from kempelen.schemas import OPERATION_NAMES

    assert len(OPERATION_NAMES) == 39 and set(OPERATION_NAMES) == set(REGISTRY)
