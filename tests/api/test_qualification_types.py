"""Qualification types and workers' scores through boto3 against a live server (spec §5.4, §5.5, §6.C)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kempelen.domain.qualifications import SANDBOX_MASTERS, SYSTEM_QUALIFICATION_TYPES
from kempelen.testing import KempelenError
from helpers import create_hit, error_of

FORM_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd"
KEY_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/AnswerKey.xsd"


def selection_test(identifier: str = "colour") -> str:
    return (f'<QuestionForm xmlns="{FORM_NS}"><Question><QuestionIdentifier>{identifier}</QuestionIdentifier>'
            '<QuestionContent><Text>Which is a colour?</Text></QuestionContent><AnswerSpecification>'
            '<SelectionAnswer><Selections>'
            '<Selection><SelectionIdentifier>red</SelectionIdentifier><Text>Red</Text></Selection>'
            '<Selection><SelectionIdentifier>six</SelectionIdentifier><Text>Six</Text></Selection>'
            '</Selections></SelectionAnswer></AnswerSpecification></Question></QuestionForm>')


FREE_TEXT_TEST = (f'<QuestionForm xmlns="{FORM_NS}"><Question><QuestionIdentifier>why</QuestionIdentifier>'
                  '<QuestionContent><Text>Why?</Text></QuestionContent><AnswerSpecification><FreeTextAnswer/>'
                  '</AnswerSpecification></Question></QuestionForm>')


def answer_key(identifier: str = "colour", score: int = 90) -> str:
    return (f'<AnswerKey xmlns="{KEY_NS}"><Question><QuestionIdentifier>{identifier}</QuestionIdentifier>'
            f'<AnswerOption><SelectionIdentifier>red</SelectionIdentifier><AnswerScore>{score}</AnswerScore>'
            '</AnswerOption></Question></AnswerKey>')


def unique(prefix: str = "Skill") -> str:
    return f"{prefix} {uuid.uuid4().hex[:12]}"


def create_type(mturk, **overrides) -> dict:
    params = {"Name": unique(), "Description": "Knows colours.", "QualificationTypeStatus": "Active",
              **overrides}
    params = {key: value for key, value in params.items() if value is not None}
    return mturk.create_qualification_type(**params)["QualificationType"]


def refused(call, **params) -> tuple[str, str, str | None]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def not_exist_text(type_id: str) -> str:
    return f"QualificationType {type_id} does not exist."


@pytest.fixture
def other(server):
    """A second requester, for the owner-only rules."""
    return server.client(server.create_requester())


def requirement(type_id: str) -> list[dict]:
    return [{"QualificationTypeId": type_id, "Comparator": "Exists"}]


# --- CreateQualificationType / GetQualificationType -------------------------------------------------------


def test_create_returns_the_type_and_get_matches(mturk, server):
    created = create_type(mturk, Keywords="colour, vision", RetryDelayInSeconds=0)
    assert len(created["QualificationTypeId"]) == 30 and created["QualificationTypeId"].isalnum()
    assert created["CreationTime"] == server.now()
    assert created["QualificationTypeStatus"] == "Active"
    assert created["IsRequestable"] is True and created["AutoGranted"] is False
    assert created["Keywords"] == "colour, vision" and created["RetryDelayInSeconds"] == 0
    assert "AutoGrantedValue" not in created and "Test" not in created
    fetched = mturk.get_qualification_type(QualificationTypeId=created["QualificationTypeId"])
    assert fetched["QualificationType"] == created


def test_retry_delay_absent_means_none_and_negative_is_refused(mturk):
    assert "RetryDelayInSeconds" not in create_type(mturk)
    code, message, turk = refused(mturk.create_qualification_type, Name=unique(), Description="d",
                                  QualificationTypeStatus="Active", RetryDelayInSeconds=-1)
    assert (code, turk) == ("RequestError", "AWS.ParameterOutOfRange")
    assert message.startswith("The value -1 for parameter RetryDelayInSeconds is invalid.")


def test_auto_granted_value_defaults_to_1(mturk):
    assert create_type(mturk, AutoGranted=True)["AutoGrantedValue"] == 1
    assert create_type(mturk, AutoGranted=True, AutoGrantedValue=7)["AutoGrantedValue"] == 7


@pytest.mark.parametrize("member, limit", [("Description", 2000), ("Keywords", 1000)])
def test_length_limits(mturk, member, limit):
    assert create_type(mturk, **{member: "x" * limit})[member] == "x" * limit
    code, message, turk = refused(mturk.create_qualification_type,
                                  **{"Name": unique(), "Description": "d", "QualificationTypeStatus": "Active",
                                     member: "x" * (limit + 1)})
    assert (code, turk) == ("RequestError", "AWS.ParameterOutOfRange")
    assert message.startswith(f"The value for parameter {member} is too long. It must be at most {limit} "
                              "characters.")


@pytest.mark.parametrize("member", ["Name", "Description"])
def test_blank_name_or_description_is_missing(mturk, member):
    code, message, turk = refused(mturk.create_qualification_type,
                                  **{"Name": unique(), "Description": "d", "QualificationTypeStatus": "Active",
                                     member: "  "})
    assert turk == "AWS.MissingParameters" and f"Required parameters include {member}." in message


def test_name_is_unique_among_the_callers_live_types(mturk, other):
    name = unique()
    first = create_type(mturk, Name=name)
    code, message, turk = refused(mturk.create_qualification_type, Name=name, Description="again",
                                  QualificationTypeStatus="Inactive")
    assert (code, turk) == ("RequestError", "AWS.MechanicalTurk.QualificationTypeAlreadyExists")
    assert message.startswith("You have already created a QualificationType with this name. A QualificationType's "
                              "name must be unique among all of the QualificationTypes created by the same user. (")
    assert create_type(other, Name=name)["Name"] == name  # names are per requester
    mturk.delete_qualification_type(QualificationTypeId=first["QualificationTypeId"])
    # The deleted type frees its name at once (MTurk took up to 48 hours).
    assert create_type(mturk, Name=name)["QualificationTypeId"] != first["QualificationTypeId"]


def test_concurrent_creates_of_one_name_make_exactly_one_type(mturk):
    name = unique()

    def attempt(_):
        try:
            return create_type(mturk, Name=name)["QualificationTypeId"]
        except ClientError as exc:
            return exc.response.get("TurkErrorCode")

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(attempt, range(10)))
    created = [o for o in outcomes if o != "AWS.MechanicalTurk.QualificationTypeAlreadyExists"]
    assert len(created) == 1, outcomes
    listed = mturk.list_qualification_types(Query=name, MustBeRequestable=False, MustBeOwnedByCaller=True)
    assert [t["QualificationTypeId"] for t in listed["QualificationTypes"]] == created


def test_test_with_answer_key(mturk, other):
    created = create_type(mturk, Test=selection_test(), TestDurationInSeconds=300, AnswerKey=answer_key())
    assert (created["Test"], created["TestDurationInSeconds"], created["AnswerKey"]) == (
        selection_test(), 300, answer_key())
    # Another requester may read the type, but not the key that would pass its test.
    seen = other.get_qualification_type(QualificationTypeId=created["QualificationTypeId"])["QualificationType"]
    assert seen["Test"] == selection_test() and "AnswerKey" not in seen


def test_test_rules_on_create(mturk):
    def create(**params):
        return refused(mturk.create_qualification_type, Name=unique(), Description="d",
                       QualificationTypeStatus="Active", **params)

    code, message, turk = create(Test=selection_test())
    assert turk == "AWS.MissingParameters" and "Required parameters include TestDurationInSeconds." in message
    code, message, turk = create(AnswerKey=answer_key())
    assert turk == "AWS.MissingParameters" and "Required parameters include Test." in message
    code, message, turk = create(Test=selection_test(), TestDurationInSeconds=60, AutoGranted=True)
    assert turk == "AWS.MechanicalTurk.InvalidParameterValue"
    assert message.startswith("A QualificationType with a Test cannot be AutoGranted.")
    code, message, turk = create(Test="<QuestionForm>", TestDurationInSeconds=60)
    assert code == "ParameterValidationError"
    assert message.startswith('The value "<QuestionForm>" is not valid for the parameter Test. Details: ')
    code, message, turk = create(Test=FREE_TEXT_TEST, TestDurationInSeconds=60, AnswerKey=answer_key("why"))
    assert code == "ParameterValidationError" and "for the parameter AnswerKey" in message
    assert "FreeTextAnswer" in message
    code, message, turk = create(Test=selection_test(), TestDurationInSeconds=60, AnswerKey="<AnswerKey/>")
    assert code == "ParameterValidationError" and "for the parameter AnswerKey" in message
    code, message, turk = create(Test=selection_test(), TestDurationInSeconds=0)
    assert turk == "AWS.ParameterOutOfRange" and "parameter TestDurationInSeconds" in message


def test_get_a_system_type(mturk):
    masters = mturk.get_qualification_type(QualificationTypeId=SANDBOX_MASTERS)["QualificationType"]
    assert masters["Name"] == "Masters" and masters["QualificationTypeStatus"] == "Active"
    assert masters["IsRequestable"] is False and masters["AutoGranted"] is False
    assert masters["CreationTime"] == datetime(2017, 1, 17, tzinfo=timezone.utc)
    assert masters["Description"]


def test_get_an_unknown_type(mturk):
    code, message, turk = refused(mturk.get_qualification_type, QualificationTypeId="3UNKNOWNTYPE")
    assert (code, turk) == ("RequestError", "AWS.MechanicalTurk.QualificationTypeDoesNotExist")
    assert message.startswith(not_exist_text("3UNKNOWNTYPE") + " (")


# --- ListQualificationTypes -------------------------------------------------------------------------------


def all_pages(mturk, **params) -> list[list[dict]]:
    pages, token = [], None
    while True:
        page = mturk.list_qualification_types(**params, **({"NextToken": token} if token else {}))
        pages.append(page["QualificationTypes"])
        assert page["NumResults"] == len(page["QualificationTypes"])
        if not page["QualificationTypes"]:
            assert "NextToken" not in page
            return pages
        token = page["NextToken"]  # on every non-empty page


def test_list_own_types_page_by_page(mturk):
    tag = unique("tag")
    made = [create_type(mturk, Name=f"{tag} {i}")["QualificationTypeId"] for i in range(5)]
    pages = all_pages(mturk, Query=tag, MustBeRequestable=True, MustBeOwnedByCaller=True, MaxResults=2)
    assert [len(page) for page in pages] == [2, 2, 1, 0]
    assert [t["QualificationTypeId"] for page in pages for t in page] == made


def test_default_page_size_is_10(mturk):
    tag = unique("tag")
    for i in range(11):
        create_type(mturk, Name=f"{tag} {i}")
    page = mturk.list_qualification_types(Query=tag, MustBeRequestable=False, MustBeOwnedByCaller=True)
    assert page["NumResults"] == 10 and "NextToken" in page


def test_query_matches_name_description_or_keywords_in_any_case(mturk):
    tag = uuid.uuid4().hex[:12]
    by_name = create_type(mturk, Name=f"Birds {tag.upper()}")["QualificationTypeId"]
    by_description = create_type(mturk, Description=f"spots {tag} quickly")["QualificationTypeId"]
    by_keywords = create_type(mturk, Keywords=f"a, {tag}")["QualificationTypeId"]
    create_type(mturk, Description="unrelated")
    listed = mturk.list_qualification_types(Query=tag.upper(), MustBeRequestable=False,
                                            MustBeOwnedByCaller=True)["QualificationTypes"]
    assert [t["QualificationTypeId"] for t in listed] == [by_name, by_description, by_keywords]
    # LIKE's wildcards are plain characters in a Query.
    assert mturk.list_qualification_types(Query=f"{tag}%", MustBeRequestable=False,
                                          MustBeOwnedByCaller=True)["NumResults"] == 0


def test_system_types_come_first_and_only_without_either_filter(mturk):
    phrase = "percentage of the worker's"  # in the description of five system types
    mine = [create_type(mturk, Description=f"The {phrase} {uuid.uuid4().hex} trials.")["QualificationTypeId"]
            for _ in range(3)]
    pages = all_pages(mturk, Query=phrase.upper(), MustBeRequestable=False, MaxResults=4)
    listed = [t for page in pages for t in page]
    system = [t for t in listed if t["QualificationTypeId"] in SYSTEM_QUALIFICATION_TYPES]
    assert [t["QualificationTypeId"] for t in listed[:len(system)]] == [t["QualificationTypeId"] for t in system]
    assert {t["Name"] for t in system} == {"Worker_PercentAssignmentsApproved", "Worker_PercentAssignmentsSubmitted",
                                          "Worker_PercentAssignmentsAbandoned", "Worker_PercentAssignmentsReturned",
                                          "Worker_PercentAssignmentsRejected"}
    assert all(t["IsRequestable"] is False for t in system)
    assert [t["QualificationTypeId"] for t in listed if t["QualificationTypeId"] in mine] == mine

    for flags in ({"MustBeRequestable": True}, {"MustBeRequestable": False, "MustBeOwnedByCaller": True}):
        listed = [t for page in all_pages(mturk, Query=phrase, **flags) for t in page]
        assert not [t for t in listed if t["QualificationTypeId"] in SYSTEM_QUALIFICATION_TYPES]
        assert [t["QualificationTypeId"] for t in listed if t["QualificationTypeId"] in mine] == mine


def test_other_requesters_active_types_are_listed_unless_owned_by_caller(mturk, other):
    tag = unique("tag")
    active = create_type(other, Name=f"{tag} active")["QualificationTypeId"]
    create_type(other, Name=f"{tag} inactive", QualificationTypeStatus="Inactive")
    own_inactive = create_type(mturk, Name=f"{tag} mine", QualificationTypeStatus="Inactive")["QualificationTypeId"]
    deleted = create_type(mturk, Name=f"{tag} deleted")["QualificationTypeId"]
    mturk.delete_qualification_type(QualificationTypeId=deleted)

    def ids(**flags):
        return [t["QualificationTypeId"] for t in
                mturk.list_qualification_types(Query=tag, **flags)["QualificationTypes"]]

    assert ids(MustBeRequestable=True) == [active, own_inactive]
    assert ids(MustBeRequestable=False, MustBeOwnedByCaller=True) == [own_inactive]


def test_must_be_requestable_is_required(server, credentials):
    unchecked = server.client(credentials, config=Config(parameter_validation=False))
    code, message, _ = refused(unchecked.list_qualification_types)
    assert code == "ValidationException" and "Member must not be null" in message


def test_a_token_from_another_list_is_refused(mturk):
    tag = unique("tag")
    create_type(mturk, Name=tag)
    token = mturk.list_qualification_types(Query=tag, MustBeRequestable=True, MustBeOwnedByCaller=True,
                                           MaxResults=1)["NextToken"]
    for params in ({"Query": "other"}, {"Query": tag, "MustBeOwnedByCaller": False}):
        code, message, turk = refused(mturk.list_qualification_types, MustBeRequestable=True, NextToken=token,
                                      **params)
        assert turk == "AWS.ParameterOutOfRange" and message.startswith("The pagination token is invalid.")


# --- UpdateQualificationType ------------------------------------------------------------------------------


def test_update_changes_what_it_is_given_and_keeps_the_rest(mturk):
    created = create_type(mturk, Keywords="k", RetryDelayInSeconds=60)
    type_id = created["QualificationTypeId"]
    updated = mturk.update_qualification_type(QualificationTypeId=type_id, Description="New.",
                                              QualificationTypeStatus="Inactive")["QualificationType"]
    assert updated == {**created, "Description": "New.", "QualificationTypeStatus": "Inactive"}
    assert mturk.get_qualification_type(QualificationTypeId=type_id)["QualificationType"] == updated
    # The retry delay can change, but leaving it out never removes it.
    changed = mturk.update_qualification_type(QualificationTypeId=type_id, RetryDelayInSeconds=0)
    assert changed["QualificationType"]["RetryDelayInSeconds"] == 0
    kept = mturk.update_qualification_type(QualificationTypeId=type_id, QualificationTypeStatus="Active")
    assert kept["QualificationType"]["RetryDelayInSeconds"] == 0
    code, _, turk = refused(mturk.update_qualification_type, QualificationTypeId=type_id, RetryDelayInSeconds=-5)
    assert turk == "AWS.ParameterOutOfRange"
    code, _, turk = refused(mturk.update_qualification_type, QualificationTypeId=type_id,
                            Description="x" * 2001)
    assert turk == "AWS.ParameterOutOfRange"


def test_update_is_for_the_owner_only(mturk, other):
    type_id = create_type(mturk)["QualificationTypeId"]
    for type_id_, expected in ((type_id, "AWS.MechanicalTurk.PermissionDenied"),
                               (SANDBOX_MASTERS, "AWS.MechanicalTurk.PermissionDenied"),
                               ("3NOSUCHTYPE", "AWS.MechanicalTurk.QualificationTypeDoesNotExist")):
        code, message, turk = refused(other.update_qualification_type, QualificationTypeId=type_id_,
                                      Description="mine now")
        assert (code, turk) == ("RequestError", expected)
    assert message.startswith(not_exist_text("3NOSUCHTYPE"))
    code, message, _ = refused(other.update_qualification_type, QualificationTypeId=type_id, Description="x")
    assert message.startswith("This user is not authorized to perform the requested operation. (")
    assert mturk.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]["Description"] == \
        "Knows colours."


def test_update_the_test_and_its_key(mturk):
    type_id = create_type(mturk, Test=selection_test(), TestDurationInSeconds=60,
                          AnswerKey=answer_key())["QualificationTypeId"]

    def update(**params):
        return mturk.update_qualification_type(QualificationTypeId=type_id, **params)["QualificationType"]

    code, message, turk = refused(mturk.update_qualification_type, QualificationTypeId=type_id,
                                  Test=selection_test("hue"))
    assert turk == "AWS.MissingParameters" and "TestDurationInSeconds" in message
    # A new test without an AnswerKey loses the old key.
    replaced = update(Test=selection_test("hue"), TestDurationInSeconds=120)
    assert (replaced["Test"], replaced["TestDurationInSeconds"]) == (selection_test("hue"), 120)
    assert "AnswerKey" not in replaced
    keyed = update(Test=selection_test("tint"), TestDurationInSeconds=90, AnswerKey=answer_key("tint"))
    assert keyed["AnswerKey"] == answer_key("tint")
    # The key alone, or the duration alone, may change for the current test.
    assert update(AnswerKey=answer_key("tint", 50))["AnswerKey"] == answer_key("tint", 50)
    assert update(TestDurationInSeconds=30)["TestDurationInSeconds"] == 30
    code, message, _ = refused(mturk.update_qualification_type, QualificationTypeId=type_id,
                               Test=FREE_TEXT_TEST, TestDurationInSeconds=60, AnswerKey=answer_key("why"))
    assert code == "ParameterValidationError" and "AnswerKey" in message
    # A test is never removed, and a type with a test never becomes AutoGranted.
    code, message, turk = refused(mturk.update_qualification_type, QualificationTypeId=type_id, Test="",
                                  TestDurationInSeconds=60)
    assert turk == "AWS.MechanicalTurk.InvalidParameterValue" and message.startswith(
        "A QualificationType's Test cannot be removed.")
    code, message, turk = refused(mturk.update_qualification_type, QualificationTypeId=type_id, AutoGranted=True)
    assert turk == "AWS.MechanicalTurk.InvalidParameterValue" and message.startswith(
        "A QualificationType with a Test cannot be AutoGranted.")
    assert mturk.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]["Test"] == \
        selection_test("tint")


def test_update_without_a_test(mturk):
    type_id = create_type(mturk)["QualificationTypeId"]
    for params in ({"AnswerKey": answer_key()}, {"TestDurationInSeconds": 60}):
        code, message, turk = refused(mturk.update_qualification_type, QualificationTypeId=type_id, **params)
        assert turk == "AWS.MissingParameters" and "Required parameters include Test." in message
    granted = mturk.update_qualification_type(QualificationTypeId=type_id, AutoGranted=True)["QualificationType"]
    assert (granted["AutoGranted"], granted["AutoGrantedValue"]) == (True, 1)
    code, _, turk = refused(mturk.update_qualification_type, QualificationTypeId=type_id, Test=selection_test(),
                            TestDurationInSeconds=60)
    assert turk == "AWS.MechanicalTurk.InvalidParameterValue"
    # Turning AutoGranted off in the same call lets the test in.
    tested = mturk.update_qualification_type(QualificationTypeId=type_id, AutoGranted=False, Test=selection_test(),
                                             TestDurationInSeconds=60)["QualificationType"]
    assert tested["AutoGranted"] is False and tested["Test"] == selection_test()


# --- DeleteQualificationType ------------------------------------------------------------------------------


def test_delete(mturk, other, workforce):
    type_id = create_type(mturk)["QualificationTypeId"]
    worker = workforce.new()
    mturk.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker.worker_id,
                                              IntegerValue=5, SendNotification=False)
    code, _, turk = refused(other.delete_qualification_type, QualificationTypeId=type_id)
    assert turk == "AWS.MechanicalTurk.PermissionDenied"
    response = mturk.delete_qualification_type(QualificationTypeId=type_id)
    assert set(response) == {"ResponseMetadata"}
    for call in (mturk.get_qualification_type, mturk.delete_qualification_type, other.get_qualification_type):
        code, message, turk = refused(call, QualificationTypeId=type_id)
        assert turk == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
        assert message.startswith(not_exist_text(type_id))
    code, _, turk = refused(mturk.get_qualification_score, QualificationTypeId=type_id, WorkerId=worker.worker_id)
    assert turk == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
    # Granted scores stay: the worker still holds the qualification.
    held = [q for q in worker.qualifications() if q["QualificationTypeId"] == type_id]
    assert [(q["Status"], q["IntegerValue"]) for q in held] == [("Granted", 5)]


def test_delete_rejects_open_requests(mturk, workforce):
    tested = create_type(mturk, Test=selection_test(), TestDurationInSeconds=600, AnswerKey=answer_key())
    untested = create_type(mturk)
    taking, waiting = workforce.new(), workforce.new()
    started = taking.request_qualification(tested["QualificationTypeId"])
    pending = waiting.request_qualification(untested["QualificationTypeId"])
    assert (started["Status"], pending["Status"]) == ("TestStarted", "Pending")

    for qualification_type, worker in ((tested, taking), (untested, waiting)):
        mturk.delete_qualification_type(QualificationTypeId=qualification_type["QualificationTypeId"])
        [message] = worker.messages()
        assert message["Subject"] == f'Qualification request rejected: "{qualification_type["Name"]}"'
        assert message["Body"].endswith("was rejected. Reason: The QualificationType was deleted by its owner.")
        assert qualification_type["QualificationTypeId"] in message["Body"]
    # Neither request can go on: the test takes no answers, and nothing is left to accept.
    with pytest.raises(KempelenError):
        taking.answer_test(started, {"colour": "red"})
    assert not [q for q in taking.qualifications() if q["QualificationTypeId"] == tested["QualificationTypeId"]]
    listed = mturk.list_qualification_requests()["QualificationRequests"]
    assert pending["QualificationRequestId"] not in {r["QualificationRequestId"] for r in listed}
    with pytest.raises(ClientError):
        mturk.accept_qualification_request(QualificationRequestId=pending["QualificationRequestId"])


# --- scores -----------------------------------------------------------------------------------------------


def test_associate_grants_and_overwrites(mturk, server, clock, workforce):
    type_id = create_type(mturk)["QualificationTypeId"]
    worker = workforce.new()
    granted_at = server.now()
    mturk.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker.worker_id,
                                              IntegerValue=70, SendNotification=False)
    score = mturk.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker.worker_id)["Qualification"]
    assert score == {"QualificationTypeId": type_id, "WorkerId": worker.worker_id, "GrantTime": granted_at,
                     "IntegerValue": 70, "Status": "Granted"}
    later = clock.advance(60)
    mturk.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker.worker_id,
                                              IntegerValue=85, SendNotification=False)
    score = mturk.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker.worker_id)["Qualification"]
    assert (score["IntegerValue"], score["GrantTime"]) == (85, later)
    # Without an IntegerValue the qualification is there, with no value.
    mturk.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker.worker_id,
                                              SendNotification=False)
    score = mturk.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker.worker_id)["Qualification"]
    assert "IntegerValue" not in score and score["Status"] == "Granted"
    assert worker.messages() == []


def test_associate_notifies_the_worker_by_default(mturk, workforce):
    name = unique("Colour vision")
    type_id = create_type(mturk, Name=name)["QualificationTypeId"]
    worker = workforce.new()
    mturk.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker.worker_id,
                                              IntegerValue=42)
    [message] = worker.messages()
    assert name in message["Subject"]
    assert name in message["Body"] and type_id in message["Body"] and "42" in message["Body"]


def test_associate_rules(mturk, other, workforce):
    type_id = create_type(mturk)["QualificationTypeId"]
    worker = workforce.new()
    code, _, turk = refused(other.associate_qualification_with_worker, QualificationTypeId=type_id,
                            WorkerId=worker.worker_id, IntegerValue=1)
    assert turk == "AWS.MechanicalTurk.PermissionDenied"
    code, _, turk = refused(mturk.associate_qualification_with_worker, QualificationTypeId=SANDBOX_MASTERS,
                            WorkerId=worker.worker_id, IntegerValue=1)
    assert turk == "AWS.MechanicalTurk.PermissionDenied"
    code, message, turk = refused(mturk.associate_qualification_with_worker, QualificationTypeId=type_id,
                                  WorkerId="ANOSUCHWORKER", IntegerValue=1)
    assert (code, turk) == ("RequestError", "AWS.ParameterOutOfRange")
    assert message.startswith("WorkerId is invalid. (")
    code, _, turk = refused(mturk.associate_qualification_with_worker, QualificationTypeId="3NOSUCHTYPE",
                            WorkerId=worker.worker_id, IntegerValue=1)
    assert turk == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"


def test_disassociate_revokes(mturk, clock, workforce):
    type_id = create_type(mturk)["QualificationTypeId"]
    worker = workforce.new()
    code, message, turk = refused(mturk.disassociate_qualification_from_worker, QualificationTypeId=type_id,
                                  WorkerId=worker.worker_id, Reason="never had it")
    assert turk == "AWS.MechanicalTurk.QualificationDoesNotExist"
    assert message.startswith("You requested a Qualification that does not exist. (")

    mturk.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker.worker_id,
                                              IntegerValue=3, SendNotification=False)
    clock.advance(5)
    mturk.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=worker.worker_id,
                                                 Reason="Too many mistakes")
    code, message, turk = refused(mturk.get_qualification_score, QualificationTypeId=type_id,
                                  WorkerId=worker.worker_id)
    assert message.startswith("This operation can be called with a status of: Granted (")
    assert turk == "AWS.MechanicalTurk.InvalidQualificationState"
    [message] = worker.messages()
    assert "Too many mistakes" in message["Body"]
    code, _, turk = refused(mturk.disassociate_qualification_from_worker, QualificationTypeId=type_id,
                            WorkerId=worker.worker_id)
    assert turk == "AWS.MechanicalTurk.QualificationDoesNotExist"
    # Associate grants a revoked qualification again.
    mturk.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker.worker_id,
                                              IntegerValue=4, SendNotification=False)
    score = mturk.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker.worker_id)["Qualification"]
    assert (score["Status"], score["IntegerValue"]) == ("Granted", 4)


def test_get_qualification_score_rules(server, credentials, mturk, other, workforce):
    type_id = create_type(mturk)["QualificationTypeId"]
    worker = workforce.new()
    code, message, turk = refused(mturk.get_qualification_score, QualificationTypeId=type_id,
                                  WorkerId=worker.worker_id)
    assert (code, turk) == ("RequestError", "AWS.MechanicalTurk.QualificationDoesNotExist")
    mturk.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker.worker_id,
                                              IntegerValue=1, SendNotification=False)
    code, _, turk = refused(other.get_qualification_score, QualificationTypeId=type_id, WorkerId=worker.worker_id)
    assert turk == "AWS.MechanicalTurk.PermissionDenied"
    unchecked = server.client(credentials, config=Config(parameter_validation=False))
    code, message, _ = refused(unchecked.get_qualification_score, QualificationTypeId=type_id,
                               WorkerId="a-lowercase-id")
    assert code == "ValidationException" and "^A[A-Z0-9]+$" in message


def test_list_workers_with_qualification_type(mturk, other, workforce):
    type_id = create_type(mturk)["QualificationTypeId"]
    workers = [workforce.new() for _ in range(3)]
    for value, worker in enumerate(workers):
        mturk.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker.worker_id,
                                                  IntegerValue=value, SendNotification=False)
    mturk.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=workers[1].worker_id)

    def listed(**params):
        found, token = [], None
        while True:
            page = mturk.list_workers_with_qualification_type(QualificationTypeId=type_id, MaxResults=2, **params,
                                                              **({"NextToken": token} if token else {}))
            assert page["NumResults"] == len(page["Qualifications"])
            if not page["Qualifications"]:
                assert "NextToken" not in page
                return found
            found += [(q["WorkerId"], q["Status"], q.get("IntegerValue")) for q in page["Qualifications"]]
            token = page["NextToken"]

    assert listed() == [(workers[0].worker_id, "Granted", 0), (workers[1].worker_id, "Revoked", 1),
                        (workers[2].worker_id, "Granted", 2)]
    assert listed(Status="Granted") == [(workers[0].worker_id, "Granted", 0), (workers[2].worker_id, "Granted", 2)]
    assert listed(Status="Revoked") == [(workers[1].worker_id, "Revoked", 1)]
    code, _, turk = refused(other.list_workers_with_qualification_type, QualificationTypeId=type_id)
    assert turk == "AWS.MechanicalTurk.PermissionDenied"


# --- ListHITsForQualificationType -------------------------------------------------------------------------


def test_list_hits_for_qualification_type(mturk, other):
    type_id = create_type(mturk)["QualificationTypeId"]
    unrelated = create_type(mturk)["QualificationTypeId"]
    mine = [create_hit(mturk, QualificationRequirements=requirement(type_id))["HITId"] for _ in range(3)]
    create_hit(mturk, QualificationRequirements=requirement(unrelated))
    create_hit(mturk)
    both = create_hit(mturk, Title="Both", QualificationRequirements=requirement(unrelated) + requirement(type_id))
    deleted = create_hit(mturk, QualificationRequirements=requirement(type_id), LifetimeInSeconds=30)
    mturk.update_expiration_for_hit(HITId=deleted["HITId"], ExpireAt=datetime(2015, 1, 1))
    mturk.delete_hit(HITId=deleted["HITId"])
    # Another requester's HIT on the same type is theirs, not the caller's.
    create_hit(other, QualificationRequirements=requirement(type_id))

    found, token = [], None
    while True:
        page = mturk.list_hits_for_qualification_type(QualificationTypeId=type_id, MaxResults=3,
                                                      **({"NextToken": token} if token else {}))
        assert page["NumResults"] == len(page["HITs"])
        if not page["HITs"]:
            assert "NextToken" not in page
            break
        found += page["HITs"]
        token = page["NextToken"]
    assert [hit["HITId"] for hit in found] == mine + [both["HITId"]]
    assert found[-1] == mturk.get_hit(HITId=both["HITId"])["HIT"]

    masters = create_hit(mturk, QualificationRequirements=requirement(SANDBOX_MASTERS))
    listed = mturk.list_hits_for_qualification_type(QualificationTypeId=SANDBOX_MASTERS, MaxResults=100)["HITs"]
    assert [hit["HITId"] for hit in listed] == [masters["HITId"]]
    code, message, turk = refused(mturk.list_hits_for_qualification_type, QualificationTypeId="3NOSUCHTYPE")
    assert turk == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
