"""kempelen.schemas: the generated shapes, the Coral-style request reader and the response writer."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import botocore.session
import pytest

ROOT = Path(__file__).resolve().parents[2]
if not any(Path(entry or ".").resolve() == ROOT for entry in sys.path):
    sys.path.insert(0, str(ROOT))  # app importable from the checkout, as in test_sigv4.py

from kempelen.errors import SerializationException, ValidationException  # noqa: E402
from kempelen.schemas import (  # noqa: E402
    OPERATION_NAMES,
    Shape,
    input_model,
    output_model,
    parse_request,
    serialize_response,
)
from kempelen.schemas.generated import HIT, MODELS, SHAPES, QualificationRequirement  # noqa: E402


def _generator():
    spec = importlib.util.spec_from_file_location("generate_schemas", ROOT / "scripts" / "generate_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parse(operation: str, body: dict):
    return parse_request(operation, json.dumps(body).encode())


def _violations(operation: str, body: dict) -> str:
    with pytest.raises(ValidationException) as caught:
        _parse(operation, body)
    return caught.value.message


def _serialization(operation: str, body: bytes | dict) -> str:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(SerializationException) as caught:
        parse_request(operation, raw)
    return caught.value.message


# --- The generated module ------------------------------------------------------------------------------


def test_regenerating_changes_nothing(tmp_path):
    target = tmp_path / "generated.py"
    assert _generator().main(["--output", str(target)]) == 0
    committed = (ROOT / "app" / "schemas" / "generated.py").read_text(encoding="utf-8")
    assert target.read_text(encoding="utf-8") == committed, "run: python scripts/generate_schemas.py"


def test_every_operation_of_the_model_has_models():
    model = botocore.session.get_session().get_service_model("mturk", api_version="2017-01-17")
    assert set(OPERATION_NAMES) == set(model.operation_names)
    assert len(OPERATION_NAMES) == 39
    for name in OPERATION_NAMES:
        operation = model.operation_model(name)
        assert input_model(name).__name__ == operation.input_shape.name
        assert output_model(name).__name__ == operation.output_shape.name
        assert issubclass(input_model(name), Shape) and issubclass(output_model(name), Shape)


def test_models_have_the_members_of_their_shapes_all_optional():
    for name, cls in MODELS.items():
        assert list(cls.model_fields) == [member for member, _ in SHAPES[name]["members"]]
        assert all(not field.is_required() for field in cls.model_fields.values())


# --- ValidationException -------------------------------------------------------------------------------

_BONUS = {"WorkerId": "A2YUCJ28XANFOX", "AssignmentId": "3GNA64GUZFSVGOE209EB5MJ722VQ5K", "Reason": "thanks"}


def test_spec_example_bonus_amount_pattern():
    assert _violations("SendBonus", {**_BONUS, "BonusAmount": "0.9752"}) == (
        "1 validation error detected: Value '0.9752' at 'bonusAmount' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: ^[0-9]+(\.)?[0-9]{0,2}$")


def test_spec_example_null_reason():
    assert _violations("SendBonus", {**_BONUS, "BonusAmount": "1.00", "Reason": None}) == (
        "1 validation error detected: "
        "Value null at 'reason' failed to satisfy constraint: Member must not be null")


def test_reject_assignment_requires_requester_feedback():
    assert "RequesterFeedback" in SHAPES["RejectAssignmentRequest"]["required"]
    body = {"AssignmentId": "3GNA64GUZFSVGOE209EB5MJ722VQ5K", "RequesterFeedback": None}
    assert _violations("RejectAssignment", body) == (
        "1 validation error detected: Value null at 'requesterFeedback' failed to satisfy constraint: "
        "Member must not be null")


def test_max_results_above_100():
    assert _violations("ListHITs", {"MaxResults": 101}) == (
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100")


def test_id_pattern_and_acronym_path():
    assert _violations("GetHIT", {"HITId": "abc-lower"}) == (
        "1 validation error detected: Value 'abc-lower' at 'hITId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[A-Z0-9]+$")


def test_pattern_does_not_accept_a_trailing_newline():
    assert "at 'hITId'" in _violations("GetHIT", {"HITId": "ABC\n"})


def test_enum():
    assert _violations("ListReviewableHITs", {"Status": "Foo"}) == (
        "1 validation error detected: Value 'Foo' at 'status' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Reviewable, Reviewing]")


def test_two_violations_in_one_message_in_member_order():
    assert _violations("ListReviewableHITs", {"Status": "Foo", "HITTypeId": "X" * 65}) == (
        "2 validation errors detected: "
        f"Value '{'X' * 65}' at 'hITTypeId' failed to satisfy constraint: "
        "Member must have length less than or equal to 64; "
        "Value 'Foo' at 'status' failed to satisfy constraint: Member must satisfy enum value set: "
        "[Reviewable, Reviewing]")


def test_every_constraint_of_one_value_is_reported():
    message = _violations("GetHIT", {"HITId": ""})
    assert message.startswith("2 validation errors detected: ")
    assert "Value '' at 'hITId' failed to satisfy constraint: Member must have length greater than or equal to 1" \
        in message
    assert "Value '' at 'hITId' failed to satisfy constraint: Member must satisfy regular expression pattern" \
        in message


_HIT_BODY = {"LifetimeInSeconds": 3600, "AssignmentDurationInSeconds": 600, "Reward": "0.50", "Title": "T",
             "Description": "D"}


def test_nested_structure_paths():
    requirements = [
        {"QualificationTypeId": "000000000000000000L0", "Comparator": "GreaterThanOrEqualTo"},
        {"QualificationTypeId": "00000000000000000071", "Comparator": "Around",
         "LocaleValues": [{"Country": "USA"}]},
        {"Comparator": "Exists"},
    ]
    assert _violations("CreateHIT", {**_HIT_BODY, "QualificationRequirements": requirements}) == (
        "3 validation errors detected: "
        "Value 'Around' at 'qualificationRequirements.2.member.comparator' failed to satisfy constraint: "
        "Member must satisfy enum value set: [LessThan, LessThanOrEqualTo, GreaterThan, GreaterThanOrEqualTo, "
        "EqualTo, NotEqualTo, Exists, DoesNotExist, In, NotIn]; "
        "Value 'USA' at 'qualificationRequirements.2.member.localeValues.1.member.country' failed to satisfy "
        "constraint: Member must have length less than or equal to 2; "
        "Value null at 'qualificationRequirements.3.member.qualificationTypeId' failed to satisfy constraint: "
        "Member must not be null")


def test_list_of_scalars_is_reported_once_with_the_element_rules():
    body = {"Subject": "s", "MessageText": "m", "WorkerIds": ["A2YUCJ28XANFOX", "bad"]}
    assert _violations("NotifyWorkers", body) == (
        "1 validation error detected: Value '[A2YUCJ28XANFOX, bad]' at 'workerIds' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 64, Member must have "
        "length greater than or equal to 1, Member must satisfy regular expression pattern: ^A[A-Z0-9]+$]")


def test_missing_required_members_of_an_empty_body():
    assert _violations("GetHIT", {}) == (
        "1 validation error detected: Value null at 'hITId' failed to satisfy constraint: Member must not be null")
    with pytest.raises(ValidationException):
        parse_request("GetHIT", b"")


# --- SerializationException ----------------------------------------------------------------------------


@pytest.mark.parametrize("body, message", [
    (b"not json", ""),
    (b"\xff{}", ""),
    (b'{"MaxResults": 1,}', ""),
    (b'{"MaxResults": NaN}', ""),
    (b"null", ""),
    (b'"x"', ""),
    (b"[]", "Start of list found where not expected"),
    ({"MaxResults": "5"}, "STRING_VALUE can not be converted to an Integer"),
    ({"MaxResults": True}, "TRUE_VALUE can not be converted to an Integer"),
    ({"MaxResults": False}, "FALSE_VALUE can not be converted to an Integer"),
    ({"MaxResults": 5.5}, "NUMBER_VALUE can not be converted to an Integer"),
    ({"MaxResults": 2 ** 31}, "NUMBER_VALUE can not be converted to an Integer"),
    ({"MaxResults": [1]}, "Start of list found where not expected"),
    ({"MaxResults": {"a": 1}}, "Start of structure or map found where not expected."),
    ({"NextToken": 5}, "NUMBER_VALUE can not be converted to a String"),
    ({"NextToken": True}, "TRUE_VALUE can not be converted to a String"),
])
def test_wrong_json_is_a_serialization_exception(body, message):
    assert _serialization("ListHITs", body) == message


def test_serialization_exception_for_containers_and_other_types():
    assert _serialization("CreateHIT", {**_HIT_BODY, "QualificationRequirements": "x"}) == "Expected list or null"
    assert _serialization("CreateHIT", {**_HIT_BODY, "QualificationRequirements": {}}) == (
        "Start of structure or map found where not expected.")
    assert _serialization("CreateHIT", {**_HIT_BODY, "AssignmentReviewPolicy": "x"}) == "Expected null"
    assert _serialization("CreateHIT", {**_HIT_BODY, "LifetimeInSeconds": "60"}) == (
        "STRING_VALUE can not be converted to a Long")
    assert _serialization("ApproveAssignment", {"AssignmentId": "A", "OverrideRejection": 1}) == (
        "NUMBER_VALUE can not be converted to a Boolean")
    assert _serialization("UpdateExpirationForHIT", {"HITId": "A", "ExpireAt": "soon"}) == (
        "STRING_VALUE can not be converted to a Timestamp")


def test_type_errors_win_over_constraint_violations():
    # Coral fails while deserializing, before it looks at any constraint.
    assert _serialization("ListHITs", {"NextToken": "", "MaxResults": "5"}) == (
        "STRING_VALUE can not be converted to an Integer")


# --- What a good request gives -------------------------------------------------------------------------


def test_a_full_create_hit_request():
    body = {**_HIT_BODY, "MaxAssignments": 3, "Keywords": "k", "UniqueRequestToken": "t-1", "Unknown": [1],
            "Question": None,
            "QualificationRequirements": [{"QualificationTypeId": "00000000000000000071", "Comparator": "In",
                                           "LocaleValues": [{"Country": "US"}, {"Country": "CA"}]}]}
    request = _parse("CreateHIT", body)
    assert type(request) is input_model("CreateHIT")
    assert request.LifetimeInSeconds == 3600 and request.Reward == "0.50" and request.Question is None
    requirement = request.QualificationRequirements[0]
    assert isinstance(requirement, QualificationRequirement)
    assert [locale.Country for locale in requirement.LocaleValues] == ["US", "CA"]
    assert request.model_fields_set == set(_HIT_BODY) | {"MaxAssignments", "Keywords", "UniqueRequestToken",
                                                         "QualificationRequirements"}


def test_integers_beyond_64_bits_are_read_exactly():
    # one below the smallest Long: read as a float it would round to the smallest Long and pass as one
    assert _serialization("CreateHIT", {**_HIT_BODY, "LifetimeInSeconds": -2 ** 63 - 1}) == (
        "NUMBER_VALUE can not be converted to a Long")


def test_integral_numbers_are_integers():
    assert _parse("ListHITs", {"MaxResults": 5}).MaxResults == 5
    assert _parse("ListHITs", {"MaxResults": 5.0}).MaxResults == 5


@pytest.mark.parametrize("expire_at, expected", [
    (1893499200, datetime(2030, 1, 1, 12, tzinfo=timezone.utc)),
    (1893499200.25, datetime(2030, 1, 1, 12, 0, 0, 250000, tzinfo=timezone.utc)),
    ("2030-01-01T12:00:00Z", datetime(2030, 1, 1, 12, tzinfo=timezone.utc)),
    ("2030-01-01T14:00:00+02:00", datetime(2030, 1, 1, 12, tzinfo=timezone.utc)),
    ("2030-01-01T12:00:00", datetime(2030, 1, 1, 12, tzinfo=timezone.utc)),
])
def test_timestamps(expire_at, expected):
    request = _parse("UpdateExpirationForHIT", {"HITId": "3X7837UUADRXYCA1K7JAJLKC66DJ60", "ExpireAt": expire_at})
    assert request.ExpireAt == expected
    assert request.ExpireAt.tzinfo is not None


# --- serialize_response --------------------------------------------------------------------------------


def test_serialize_a_hit():
    created = datetime(2024, 5, 1, 10, 30, 0, 123456, tzinfo=timezone.utc)
    response = output_model("GetHIT")(HIT=HIT(
        HITId="3X7837UUADRXYCA1K7JAJLKC66DJ60", CreationTime=created, Expiration=created + timedelta(hours=1),
        HITStatus="Assignable", MaxAssignments=3, Reward="0.50", Keywords=None,
        QualificationRequirements=[QualificationRequirement(QualificationTypeId="000000000000000000L0",
                                                            Comparator="Exists")]))
    body = serialize_response(response)
    assert body == {"HIT": {
        "HITId": "3X7837UUADRXYCA1K7JAJLKC66DJ60",
        "CreationTime": 1714559400.123,
        "HITStatus": "Assignable",
        "MaxAssignments": 3,
        "Reward": "0.50",
        "Expiration": 1714563000.123,
        "QualificationRequirements": [{"QualificationTypeId": "000000000000000000L0", "Comparator": "Exists"}],
    }}
    assert json.loads(json.dumps(body)) == body


def test_serialize_takes_a_naive_datetime_as_utc():
    body = serialize_response(HIT(CreationTime=datetime(2024, 5, 1, 10, 30)))
    assert body == {"CreationTime": 1714559400.0}


def test_empty_output_is_an_empty_object():
    assert serialize_response(output_model("DeleteHIT")()) == {}
    assert serialize_response(output_model("ListHITs")(HITs=None, NextToken=None)) == {}
    assert serialize_response(output_model("ListHITs")(HITs=[], NumResults=0)) == {"HITs": [], "NumResults": 0}


def test_a_built_hit_shape_is_the_validated_one():
    """views.hit_view builds shapes without validation (schemas.writer.built): the result must be the model
    pydantic would have made, member for member, on the wire and as attributes."""
    from datetime import datetime, timezone

    from kempelen.domain.hits import AssignmentCounts
    from kempelen.operations.views import hit_fields, hit_view
    from kempelen.schemas import generated
    from kempelen.schemas.writer import built
    from kempelen.store.hits import NewHIT

    now = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    hit = NewHIT(hit_id="3HIT", requester_id="AKIA", hit_type_id="3TYPE", creation_time=now, expiration=now,
                 max_assignments=3, initial_max_assignments=3, question="<q/>", requester_annotation=None,
                 hit_layout_id=None, hit_layout_parameters=None, assignment_review_policy=None,
                 hit_review_policy=None, reviewing=False, disposed_at=None, assignments_done=0,
                 assignment_cost_cents=60, expired_announced=False, reviewable_announced=False)

    class HITType:
        hit_group_id, title, description, keywords = "3GROUP", "t", "d", None
        reward_cents, auto_approval_delay, assignment_duration = 50, 60, 600
        qualification_requirements = ('[{"Comparator":"GreaterThan","IntegerValues":[80],'
                                      '"QualificationTypeId":"000000000000000000L0"}]')

    counts = AssignmentCounts(1, 0, 1)
    shape = hit_view(hit, HITType, counts, now)
    validated = generated.HIT.model_validate(hit_fields(hit, HITType, counts, now))
    assert shape == validated
    assert serialize_response(shape) == serialize_response(validated)
    assert list(shape.__dict__) == list(generated.HIT.model_fields)
    assert shape.QualificationRequirements[0].IntegerValues == [80]
    page = built(generated.ListHITsResponse, {"NextToken": None, "NumResults": 1, "HITs": [shape]})
    assert page == generated.ListHITsResponse(NumResults=1, HITs=[validated])
    assert serialize_response(page) == serialize_response(generated.ListHITsResponse(NumResults=1, HITs=[validated]))


# --- First use from many threads at once ------------------------------------------------------------------

_FIRST_USE = r'''
import json, sys, threading
from kempelen.schemas import generated, parse_request
from kempelen.schemas.generated import QualificationRequirement

built_at_import = generated.CreateHITRequest.__pydantic_complete__
assert built_at_import != generated.DEFER_BUILD, (built_at_import, generated.DEFER_BUILD)
body = json.dumps({"Title": "t", "Description": "d", "Reward": "0.05", "AssignmentDurationInSeconds": 60,
                   "LifetimeInSeconds": 600, "Question": "<q/>", "QualificationRequirements": [
                       {"QualificationTypeId": "00000000000000000071", "Comparator": "In",
                        "LocaleValues": [{"Country": "US", "Subdivision": "WA"}]}]})
start, failures = threading.Barrier(32), []

def first_use():
    start.wait()
    try:
        request = parse_request("CreateHIT", body)
        assert request.QualificationRequirements[0].LocaleValues[0].Subdivision == "WA"
        assert parse_request("GetHIT", '{"HITId": "3X"}').HITId == "3X"
        requirement = QualificationRequirement.model_validate({"QualificationTypeId": "q", "Comparator": "Exists"})
        assert requirement.Comparator == "Exists"
    except Exception as exc:  # noqa: BLE001 - every thread's failure is reported
        failures.append(repr(exc))

threads = [threading.Thread(target=first_use) for _ in range(32)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(failures))
'''


def test_models_first_used_by_many_threads_at_once_validate_alike():
    """The shapes are built at first use where pydantic does that thread-safely (generated.DEFER_BUILD): 32
    threads making the first requests of a fresh process all read them right (a half-built model would have
    refused the members as extra, as Shape, the base, forbids them)."""
    done = subprocess.run([sys.executable, "-c", _FIRST_USE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
