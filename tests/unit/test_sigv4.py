"""SigV4 verification against requests signed by botocore's own signer (and one real boto3 client)."""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.credentials import Credentials

# The project is not installed into the venv and no rootdir conftest/pythonpath exists yet: make `app`
# importable from the checkout. Harmless (and skipped) once either of those arrives.
if not any(Path(entry or ".").resolve() == Path(__file__).resolve().parents[2] for entry in sys.path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kempelen.auth.sigv4 import SignedRequest, verify
from kempelen.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

AKID = "AKIAKEMPELENTEST0001"
SECRET = "kempelen/secret+key/0123456789abcdefABCDEF"
ENDPOINT = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
TARGET = "MTurkRequesterServiceV20170117.GetAccountBalance"
BASIC = "%Y%m%dT%H%M%SZ"
MISMATCH = "The request signature we calculated does not match the signature you provided."


def lookup(key_id: str) -> str | None:
    return {AKID: SECRET}.get(key_id)


def received(prepared, header_pairs=None) -> SignedRequest:
    """What a server sees for a botocore-prepared request (the HTTP client adds Host itself)."""
    parts = urlsplit(prepared.url)
    headers = [(name, value.decode() if isinstance(value, bytes) else value)
               for name, value in (header_pairs or prepared.headers.items())]
    headers.append(("Host", parts.netloc))
    body = prepared.body or b""
    return SignedRequest(prepared.method, parts.path or "/", parts.query, headers,
                         body.encode() if isinstance(body, str) else body)


def sign(*, body: bytes = b"{}", region: str = "us-east-1", service: str = "mturk-requester",
         key: str = AKID, secret: str = SECRET, token: str | None = None, path: str = "/",
         params: dict | None = None, extra_headers: list[tuple[str, str]] = ()) -> SignedRequest:
    request = AWSRequest(method="POST", url=ENDPOINT + path, data=body, params=params or {},
                         headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"})
    for name, value in extra_headers:   # HTTPHeaders appends, so repeated names stay repeated
        request.headers[name] = value
    SigV4Auth(Credentials(key, secret, token), service, region).add_auth(request)
    # Headers come from the signed request itself: prepare() folds repeated names into one.
    return received(request.prepare(), list(request.headers.items()))


def header(request: SignedRequest, name: str) -> str:
    return next(value for key, value in request.headers if key.lower() == name.lower())


def signed_at(request: SignedRequest) -> datetime:
    return datetime.strptime(header(request, "X-Amz-Date"), BASIC).replace(tzinfo=timezone.utc)


def with_header(request: SignedRequest, name: str, value: str | None) -> SignedRequest:
    """Replace (or, with None, drop) every header called name."""
    kept = [(key, val) for key, val in request.headers if key.lower() != name.lower()]
    if value is not None:
        kept.append((name, value))
    return dataclasses.replace(request, headers=kept)


def check(request: SignedRequest, now: datetime | None = None) -> str:
    return verify(request, lookup, now or signed_at(request))


def refused(request: SignedRequest, error: type, start: str, now: datetime | None = None) -> str:
    with pytest.raises(error) as caught:
        check(request, now)
    assert caught.value.message.startswith(start), caught.value.message
    return caught.value.message


# --- accepted ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["us-east-1", "sandbox", "eu-west-9"])
def test_botocore_signed_request_verifies(region):
    assert check(sign(region=region)) == AKID


def test_session_token_is_signed_and_accepted():
    request = sign(token="session-token-value")
    assert header(request, "X-Amz-Security-Token") == "session-token-value"
    assert check(request) == AKID
    refused(with_header(request, "X-Amz-Security-Token", "other-token"), InvalidSignatureException, MISMATCH)


def test_header_names_in_any_case_and_empty_body():
    request = sign(body=b"")
    shouted = dataclasses.replace(request, headers=[(name.upper(), value) for name, value in request.headers])
    assert check(shouted) == AKID


def test_query_string_is_canonicalised():
    request = sign(params={"b": "2", "a": "x y/z~", "c": ""})
    assert request.query_string
    assert check(request) == AKID
    reordered = dataclasses.replace(request, query_string="&".join(reversed(request.query_string.split("&"))))
    assert check(reordered) == AKID
    refused(dataclasses.replace(request, query_string=request.query_string + "&d=1"), InvalidSignatureException,
            MISMATCH)


@pytest.mark.parametrize("path", ["/some/path", "/a%20b/c~d/", "/x/./y/../z"])
def test_path_other_than_root(path):
    request = sign(path=path)
    assert request.path == path
    assert check(request) == AKID
    refused(dataclasses.replace(request, path="/elsewhere"), InvalidSignatureException, MISMATCH)


def test_repeated_headers_and_whitespace_runs():
    request = sign(extra_headers=[("X-Extra", "  first   value "), ("X-Extra", "second")])
    assert [value for name, value in request.headers if name == "X-Extra"] == ["  first   value ", "second"]
    assert check(request) == AKID


def test_rfc1123_date_header_instead_of_x_amz_date():
    # botocore signs with a Date header (and no X-Amz-Date) whenever the request already carries one.
    request = sign(extra_headers=[("Date", "placeholder")])
    assert not any(name.lower() == "x-amz-date" for name, _ in request.headers)
    sent = parsedate_to_datetime(header(request, "Date")).replace(tzinfo=timezone.utc)
    assert verify(request, lookup, sent) == AKID


def test_matching_content_sha256_header_is_fine():
    request = sign(extra_headers=[("X-Amz-Content-SHA256", hashlib.sha256(b"{}").hexdigest())])
    assert check(request) == AKID


@pytest.mark.parametrize("region", ["us-east-1", "sandbox"])
def test_real_boto3_client_traffic_verifies(region):
    sent = []

    class Raw:
        def stream(self, **_):
            yield b'{"AvailableBalance": "10000.00"}'

    def capture(request, **_):
        sent.append(request)
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.1"}, Raw())

    client = boto3.client("mturk", region_name=region, endpoint_url="http://127.0.0.1:8443",
                          aws_access_key_id=AKID, aws_secret_access_key=SECRET, aws_session_token="tok")
    client.meta.events.register("before-send.mturk.*", capture)
    assert client.get_account_balance()["AvailableBalance"] == "10000.00"
    request = received(sent[0])
    assert f"/{region}/mturk-requester/aws4_request" in header(request, "Authorization")
    assert check(request) == AKID


# --- signature mismatches ------------------------------------------------------------------------------


def test_tampered_body():
    request = sign(body=b'{"a": 1}')
    message = refused(dataclasses.replace(request, body=b'{"a": 2}'), InvalidSignatureException, MISMATCH)
    assert "\n\nThe Canonical String for this request should have been\n'POST\n/\n\n" in message
    assert "\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n" in message
    assert message.endswith("'\n")


def test_tampered_signed_header():
    request = sign()
    refused(with_header(request, "X-Amz-Target", "MTurkRequesterServiceV20170117.DeleteHIT"),
            InvalidSignatureException, MISMATCH)


def test_unsigned_header_may_change():
    request = sign()
    assert check(with_header(request, "User-Agent", "anything")) == AKID


def test_tampered_date_same_day():
    request = sign()
    later = signed_at(request) + timedelta(seconds=1)
    refused(with_header(request, "X-Amz-Date", later.strftime(BASIC)), InvalidSignatureException, MISMATCH,
            now=later)


def test_date_on_another_day_than_scope():
    request = sign()
    moved = signed_at(request) + timedelta(days=1)
    scope_day = signed_at(request).strftime("%Y%m%d")
    message = refused(with_header(request, "X-Amz-Date", moved.strftime(BASIC)), InvalidSignatureException,
                      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ",
                      now=moved)
    assert message == ("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                       f"'{scope_day}' != '{moved.strftime('%Y%m%d')}', from '{moved.strftime(BASIC)}'. ")


def test_wrong_secret():
    refused(sign(secret="not-the-secret"), InvalidSignatureException, MISMATCH)


def test_unsigned_payload_is_not_accepted():
    request = sign(extra_headers=[("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")])
    refused(request, InvalidSignatureException, MISMATCH)


def test_content_sha256_header_that_lies_about_the_body():
    request = sign(extra_headers=[("X-Amz-Content-SHA256", "0" * 64)])
    refused(request, InvalidSignatureException,
            "The provided 'x-amz-content-sha256' header does not match what was computed.")


# --- credentials and scope -----------------------------------------------------------------------------


def test_unknown_access_key():
    refused(sign(key="AKIANOBODYKNOWS00000"), UnrecognizedClientException,
            "The security token included in the request is invalid.")


def test_wrong_service_in_scope():
    message = refused(sign(service="dynamodb"), InvalidSignatureException,
                      "Credential should be scoped to correct service: 'mturk-requester'. ")
    assert message == "Credential should be scoped to correct service: 'mturk-requester'. "


def test_wrong_terminator_in_scope():
    request = sign()
    auth = header(request, "Authorization").replace("/aws4_request", "/aws5_request")
    refused(with_header(request, "Authorization", auth), InvalidSignatureException,
            "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ")


def test_credential_without_five_elements():
    request = sign()
    auth = header(request, "Authorization").replace("/mturk-requester/aws4_request", "/mturk-requester")
    credential = auth.split("Credential=")[1].split(",")[0]
    message = refused(with_header(request, "Authorization", auth), IncompleteSignatureException,
                      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, ")
    assert message.endswith(f"got '{credential}'")


# --- malformed or missing authentication ---------------------------------------------------------------


def test_missing_authorization():
    refused(with_header(sign(), "Authorization", None), MissingAuthenticationTokenException,
            "Request is missing Authentication Token")


def test_authorization_not_aws4():
    refused(with_header(sign(), "Authorization", "Bearer abc"), MissingAuthenticationTokenException,
            "Request is missing Authentication Token")


def test_authorization_missing_parameters():
    request = sign()
    auth = header(request, "Authorization").split(",")[0]    # only the Credential survives
    message = refused(with_header(request, "Authorization", auth), IncompleteSignatureException,
                      "Authorization header requires 'Signature' parameter. ")
    assert message == ("Authorization header requires 'Signature' parameter. "
                       "Authorization header requires 'SignedHeaders' parameter. "
                       f"Authorization={auth}")


def test_authorization_with_nothing_and_no_date():
    request = with_header(with_header(sign(), "Authorization", "AWS4-HMAC-SHA256"), "X-Amz-Date", None)
    assert refused(request, IncompleteSignatureException, "", now=datetime.now(timezone.utc)) == (
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-HMAC-SHA256")


def test_ill_formed_date():
    request = with_header(sign(), "X-Amz-Date", "2024-01-02T03:04:05Z")
    assert refused(request, IncompleteSignatureException, "Date must be in ISO-8601 'basic format'.",
                   now=datetime.now(timezone.utc)) == (
        "Date must be in ISO-8601 'basic format'. Got '2024-01-02T03:04:05Z'. "
        "See http://en.wikipedia.org/wiki/ISO_8601")


def test_unsupported_algorithm():
    request = sign()
    auth = header(request, "Authorization").replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1)
    refused(with_header(request, "Authorization", auth), IncompleteSignatureException,
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now).")


def test_target_not_signed():
    """A target left out of SignedHeaders could be swapped for another operation's."""
    request = sign()
    auth = header(request, "Authorization")
    assert ";x-amz-target" in auth
    unsigned = with_header(request, "Authorization", auth.replace(";x-amz-target", ""))
    refused(unsigned, InvalidSignatureException, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.")
    # Host is checked first, as before
    both = with_header(request, "Authorization", auth.replace("host;", "").replace(";x-amz-target", ""))
    refused(both, InvalidSignatureException, "'Host' must be a 'SignedHeader'")
    # no target header at all: nothing to swap, the signature decides (the API then answers UnknownOperation)
    untargeted = dataclasses.replace(unsigned, headers=[(k, v) for k, v in unsigned.headers
                                                        if k.lower() != "x-amz-target"])
    refused(untargeted, InvalidSignatureException, "The request signature we calculated does not match")


def test_host_not_signed():
    request = sign()
    auth = header(request, "Authorization")
    assert "host;" in auth
    refused(with_header(request, "Authorization", auth.replace("host;", "")), InvalidSignatureException,
            "'Host' must be a 'SignedHeader' in the AWS Authorization.")


# --- clock skew ----------------------------------------------------------------------------------------


def test_signature_expired_after_16_minutes():
    request = sign()
    now = signed_at(request) + timedelta(minutes=16)
    message = refused(request, InvalidSignatureException, "Signature expired: ", now=now)
    assert message == (f"Signature expired: {signed_at(request).strftime(BASIC)} is now earlier than "
                       f"{(now - timedelta(minutes=15)).strftime(BASIC)} ({now.strftime(BASIC)} - 15 min.)")


def test_signature_not_yet_current_16_minutes_ahead():
    request = sign()
    now = signed_at(request) - timedelta(minutes=16)
    message = refused(request, InvalidSignatureException, "Signature not yet current: ", now=now)
    assert message == (f"Signature not yet current: {signed_at(request).strftime(BASIC)} is still later than "
                       f"{(now + timedelta(minutes=15)).strftime(BASIC)} ({now.strftime(BASIC)} + 15 min.)")


@pytest.mark.parametrize("minutes", [-14, 14])
def test_skew_of_14_minutes_passes(minutes):
    request = sign()
    assert check(request, signed_at(request) + timedelta(minutes=minutes)) == AKID


def test_now_in_another_timezone_is_fine():
    request = sign()
    assert check(request, signed_at(request).astimezone(timezone(timedelta(hours=-7)))) == AKID
