"""What a request's log line and metric labels say, read from the headers and the error body alone."""

from kempelen.observability.requests import access_key_of, error_code_of, operation_of


def test_the_operation_is_mturks_name_or_the_route():
    assert operation_of({}, b"MTurkRequesterServiceV20170117.GetHIT") == "GetHIT"
    assert operation_of({}, b"MTurkRequesterServiceV20170117.DropAllTables") == "(unknown operation)"
    assert operation_of({"method": "POST"}, None) == "POST (no route)"

    class Route:
        path = "/api/worker/hits/{hit_id}"

    assert operation_of({"method": "GET", "route": Route()}, None) == "GET /api/worker/hits/{hit_id}"


def test_the_access_key_comes_from_the_sigv4_credential():
    header = (b"AWS4-HMAC-SHA256 Credential=AKIAKEMPELENDEVELOP1/20260101/us-east-1/mturk/aws4_request, "
              b"SignedHeaders=host;x-amz-date, Signature=abc")
    assert access_key_of(header) == "AKIAKEMPELENDEVELOP1"
    assert access_key_of(None) == access_key_of(b"Bearer token") == "-"
    assert access_key_of(b'Credential=AKIA "injected" line/x') == "(malformed)"


def test_the_error_code_is_the_most_specific_one_the_body_names():
    assert error_code_of(b'{"__type":"com.amazonaws#RequestError","TurkErrorCode":"AWS.MechanicalTurk.HITDoesNotExist"}') \
        == "AWS.MechanicalTurk.HITDoesNotExist"
    assert error_code_of(b'{"__type":"com.amazon.coral.validate#ValidationException","message":"x"}') == \
        "ValidationException"
    assert error_code_of(b'{"Error":{"Code":"NotAuthorized","Message":"x"}}') == "NotAuthorized"
    assert error_code_of(b"Internal Server Error") == error_code_of(b"[1]") == "-"
