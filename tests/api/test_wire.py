"""The JSON 1.1 wire and SigV4, with raw HTTP: what boto3 hides."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from helpers import create_hit

TARGET = "MTurkRequesterServiceV20170117."
CONTENT_TYPE = "application/x-amz-json-1.1"


def signed_post(server, credentials, operation: str | None, body: bytes, *, region="us-east-1",
                secret=None, tamper=None, headers=None):
    request_headers = {"Content-Type": CONTENT_TYPE, **(headers or {})}
    if operation is not None:
        request_headers["X-Amz-Target"] = TARGET + operation
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers=request_headers)
    creds = Credentials(credentials["AccessKeyId"], secret or credentials["SecretAccessKey"])
    SigV4Auth(creds, "mturk-requester", region).add_auth(request)
    prepared = dict(request.headers.items())
    if tamper:
        body, prepared = tamper(body, prepared)
    return httpx.post(server.endpoint + "/", content=body, headers=prepared)


def test_success_envelope(server, credentials):
    response = signed_post(server, credentials, "GetAccountBalance", b"{}")
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPE
    uuid.UUID(response.headers["x-amzn-RequestId"])
    assert response.json() == {"AvailableBalance": "10000.00"}


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_every_answer_carries_the_security_headers(server, credentials, framing):
    """With a declared length the front applies the middleware's work itself; a chunked body goes through
    the middleware stack (the edge counts it): both answers are the same."""
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=b"{}", headers={
        "Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET + "GetAccountBalance"})
    SigV4Auth(Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"]), "mturk-requester",
              "us-east-1").add_auth(request)
    headers = {name: value for name, value in request.headers.items() if name.lower() != "content-length"}
    content = b"{}" if framing == "content-length" else iter([b"{", b"}"])  # an iterator goes chunked
    response = httpx.post(server.endpoint + "/", content=content, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"AvailableBalance": "10000.00"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert ("transfer-encoding" in response.request.headers) == (framing == "chunked")


def test_empty_output_is_an_empty_object(server, credentials, mturk):
    hit = create_hit(mturk)
    response = signed_post(server, credentials, "UpdateExpirationForHIT",
                           json.dumps({"HITId": hit["HITId"], "ExpireAt": 0}).encode())
    assert response.status_code == 200
    assert response.content == b"{}"


def test_timestamps_are_epoch_numbers(server, credentials, mturk):
    hit = create_hit(mturk)
    body = signed_post(server, credentials, "GetHIT", json.dumps({"HITId": hit["HITId"]}).encode()).json()
    assert isinstance(body["HIT"]["CreationTime"], (int, float))
    assert isinstance(body["HIT"]["Expiration"], (int, float))


def test_text_is_utf8_json_and_a_lone_surrogate_is_escaped(server, credentials, mturk):
    hit = create_hit(mturk, Title="Étiqueter le chat 猫", Description="naïve «quotes» \"and\" \\ slashes")
    raw = signed_post(server, credentials, "GetHIT", json.dumps({"HITId": hit["HITId"]}).encode()).content
    assert "Étiqueter le chat 猫".encode() in raw  # UTF-8, as AWS's services write it
    assert json.loads(raw)["HIT"]["Description"] == "naïve «quotes» \"and\" \\ slashes"
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["Title"] == "Étiqueter le chat 猫"
    # an error that echoes an unstorable value still answers valid JSON (escaped, as only \u can say it)
    refused = signed_post(server, credentials, "GetHIT", b'{"HITId": "A\\ud800B"}')
    assert refused.status_code == 400 and "\\ud800" in refused.text
    refused.json()


def test_request_error_envelope(server, credentials):
    response = signed_post(server, credentials, "GetHIT", b'{"HITId": "3NOSUCHHIT"}')
    assert response.status_code == 400
    assert response.headers["x-amzn-RequestId"]
    body = response.json()
    assert body["__type"] == "RequestError"
    assert re.fullmatch(r"Hit 3NOSUCHHIT does not exist\. \(\d{13}\)", body["Message"])
    assert body["TurkErrorCode"] == "AWS.MechanicalTurk.HITDoesNotExist"


def test_unknown_operation(server, credentials):
    response = signed_post(server, credentials, "LaunchRockets", b"{}")
    assert response.status_code == 400
    assert response.json()["__type"].endswith("UnknownOperationException")
    response = signed_post(server, credentials, None, b"{}")
    assert response.json()["__type"].endswith("UnknownOperationException")


def test_body_that_is_not_json(server, credentials):
    response = signed_post(server, credentials, "GetHIT", b"{not json")
    assert response.status_code == 400
    assert response.json()["__type"].endswith("SerializationException")
    response = signed_post(server, credentials, "GetHIT", b'{"HITId": 5}')
    assert response.json()["__type"].endswith("SerializationException")


def test_required_member_null(server, credentials):
    response = signed_post(server, credentials, "GetHIT", b'{"HITId": null}')
    body = response.json()
    assert body["__type"].endswith("ValidationException")
    assert "Member must not be null" in body["message"]


def test_missing_authentication(server):
    response = httpx.post(server.endpoint + "/", content=b"{}",
                          headers={"X-Amz-Target": TARGET + "GetAccountBalance", "Content-Type": CONTENT_TYPE})
    assert response.status_code == 400
    assert response.json() == {"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
                               "message": "Request is missing Authentication Token"}


def test_unknown_access_key(server):
    response = signed_post(server, {"AccessKeyId": "AKIANOSUCHKEY0000000", "SecretAccessKey": "x"},
                           "GetAccountBalance", b"{}")
    assert response.status_code == 400
    assert response.json()["__type"].endswith("UnrecognizedClientException")
    assert response.json()["message"] == "The security token included in the request is invalid."


@pytest.mark.parametrize("tamper", [
    lambda body, headers: (b'{"HITId":"3X"}', headers),
    lambda body, headers: (body, {**headers, "X-Amz-Target": TARGET + "ListHITs"}),
    # another second than the signed one (whatever second it was signed in)
    lambda body, headers: (body, {**headers, "X-Amz-Date": headers["X-Amz-Date"][:-3]
                                  + ("01Z" if headers["X-Amz-Date"].endswith("00Z") else "00Z")}),
], ids=["body", "signed-header", "date"])
def test_tampered_requests_are_refused(server, credentials, tamper):
    response = signed_post(server, credentials, "GetAccountBalance", b"{}", tamper=tamper)
    assert response.status_code == 400
    body = response.json()
    assert body["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    assert body["message"].startswith("The request signature we calculated does not match")


def test_wrong_secret(server, credentials):
    response = signed_post(server, credentials, "GetAccountBalance", b"{}", secret="wrong")
    assert response.json()["__type"].endswith("InvalidSignatureException")


def test_any_region_in_the_scope(server, credentials):
    for region in ("us-east-1", "sandbox", "eu-west-1"):
        assert signed_post(server, credentials, "GetAccountBalance", b"{}", region=region).status_code == 200


def test_signed_over_the_host_actually_received(server, credentials):
    other_host = lambda body, headers: (body, {**headers, "Host": "mturk-requester.us-east-1.amazonaws.com"})
    response = signed_post(server, credentials, "GetAccountBalance", b"{}", tamper=other_host)
    assert response.json()["__type"].endswith("InvalidSignatureException")


def test_a_refused_request_changes_nothing(server, credentials, mturk):
    body = json.dumps({"Title": "t", "Description": "d", "Reward": "1", "AssignmentDurationInSeconds": 60,
                       "LifetimeInSeconds": 60, "Question": "<bad/>"}).encode()
    response = signed_post(server, credentials, "CreateHIT", body)
    assert response.status_code == 400
    assert mturk.list_hits()["NumResults"] == 0


def test_internal_failure_is_a_service_fault_not_a_trace():
    import sqlite3

    from kempelen.testing import LiveServer

    with LiveServer() as live:
        keys = live.create_requester()
        database = live.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(database) as conn:  # break the store underneath the running server
            conn.execute("ALTER TABLE hit RENAME TO hit_gone")
        response = signed_post(live, keys, "GetHIT", b'{"HITId": "3ABC"}')
        assert response.status_code == 500
        body = response.json()
        assert body["__type"] == "ServiceFault"
        assert body["Message"].startswith("Amazon Mechanical Turk is temporarily unable to process your request.")
        assert "Traceback" not in response.text and "no such table" not in response.text
        assert "no such table" in live.log()  # the trace went to the server log instead


def test_requirements_on_unknown_qualification_types_are_refused(mturk):
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        create_hit(mturk, QualificationRequirements=[
            {"QualificationTypeId": "3NOSUCHQUALTYPE00000000000000", "Comparator": "Exists"}])
    assert "QualificationType 3NOSUCHQUALTYPE00000000000000 does not exist." in excinfo.value.response["Error"]["Message"]
    with pytest.raises(mturk.exceptions.RequestError):
        create_hit(mturk, QualificationRequirements=[
            {"QualificationTypeId": "000000000000000000L0", "Comparator": "GreaterThan", "IntegerValues": [1, 2]}])
    assert mturk.list_hits()["NumResults"] == 0


def test_endpoint_from_the_environment(server, credentials, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL_MTURK", server.endpoint)
    client = boto3.client("mturk", region_name="us-east-1", aws_access_key_id=credentials["AccessKeyId"],
                          aws_secret_access_key=credentials["SecretAccessKey"])
    assert client.meta.endpoint_url == server.endpoint
    assert client.get_account_balance()["AvailableBalance"] == "10000.00"

