"""AWS Signature Version 4 verification for the MTurk JSON 1.1 wire.

Pure: the caller hands in the request as received, a secret lookup and the wall time, and gets back the
access key id or one of the Coral auth errors. The checks run in the order AWS's JSON services were
observed to apply them (header present, parameters present, date, Host signed, algorithm, credential
shape, credential scope, key id, signature), because clients and tests see whichever error comes first;
X-Amz-Target, when sent, must be signed too (checked right after Host).
The canonical request is built the way botocore's signer builds it, so boto3-signed requests verify.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote_plus

from kempelen.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "mturk-requester"
TERMINATOR = "aws4_request"
MAX_SKEW = timedelta(minutes=15)

_BASIC_FORMAT = "%Y%m%dT%H%M%SZ"
_BASIC_RE = re.compile(r"\d{8}T\d{6}Z")
_SHA256_HEX_RE = re.compile(r"[0-9a-fA-F]{64}")

_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
             "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str            # the raw path as received, e.g. "/"
    query_string: str    # raw query string without "?", may be ""
    headers: list[tuple[str, str]]   # header pairs as received (names in any case; repeated names possible)
    body: bytes


def verify(request: SignedRequest, lookup_secret: Callable[[str], str | None], now: datetime) -> str:
    """Returns the access key id whose secret signed the request, or raises one of the auth errors."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    headers = _header_map(request.headers)

    authorization = _first(headers, "authorization")
    # Presigned query-string auth is not offered: no MTurk client presigns, so only the header counts.
    if not authorization or not authorization.strip().startswith("AWS4-"):
        raise MissingAuthenticationTokenException()
    algorithm, params = _parse_authorization(authorization)
    raw_date = _first(headers, "x-amz-date") or _first(headers, "date")
    _require_parameters(authorization, params, raw_date)

    signed_at, stamp = _parse_date(raw_date, is_amz_date=bool(_first(headers, "x-amz-date")))
    _check_skew(signed_at, now)

    signed_names = sorted({name.strip().lower() for name in params["SignedHeaders"].split(";") if name.strip()})
    if "host" not in signed_names:
        raise InvalidSignatureException("'Host' must be a 'SignedHeader' in the AWS Authorization.")
    # The operation travels in X-Amz-Target: unsigned, a captured request could be replayed as another one.
    if "x-amz-target" in headers and "x-amz-target" not in signed_names:
        raise InvalidSignatureException("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.")
    if algorithm != ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). ")

    access_key, scope_date, region, service, terminator = _split_credential(params["Credential"])
    _check_scope(scope_date, service, terminator, stamp)

    secret = lookup_secret(access_key)
    if secret is None:
        raise UnrecognizedClientException()

    # The body is always authenticated: the canonical request carries the hash of the bytes received,
    # whatever X-Amz-Content-Sha256 claims (so an UNSIGNED-PAYLOAD signature simply does not match).
    body_hash = hashlib.sha256(request.body).hexdigest()
    claimed = _first(headers, "x-amz-content-sha256")
    if claimed and _SHA256_HEX_RE.fullmatch(claimed) and claimed.lower() != body_hash:
        raise InvalidSignatureException("The provided 'x-amz-content-sha256' header does not match what was computed.")

    canonical_request = "\n".join([
        request.method.upper(),
        _canonical_uri(request.path),
        _canonical_query(request.query_string),
        _canonical_headers(headers, signed_names) + "\n",
        ";".join(signed_names),
        body_hash,
    ])
    scope = f"{scope_date}/{region}/{service}/{terminator}"
    string_to_sign = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = _signing_key(secret, scope_date, region, service)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), params["Signature"].encode("utf-8", "replace")):
        raise InvalidSignatureException(
            f"{_MISMATCH}\n\nThe Canonical String for this request should have been\n'{canonical_request}'\n\n"
            f"The String-to-Sign should have been\n'{string_to_sign}'\n")
    return access_key


# --- parsing ---------------------------------------------------------------------------------------------


def _header_map(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in pairs:
        headers.setdefault(name.strip().lower(), []).append(value)
    return headers


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _parse_authorization(header: str) -> tuple[str, dict[str, str]]:
    """'AWS4-HMAC-SHA256 Credential=.., SignedHeaders=.., Signature=..' -> (algorithm, parameters)."""
    algorithm, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    for item in rest.split(","):
        name, _, value = item.strip().partition("=")
        if value.strip():
            params[name.strip()] = value.strip()
    return algorithm, params


def _require_parameters(header: str, params: dict[str, str], raw_date: str | None) -> None:
    # AWS lists every missing piece in one message, then echoes the header.
    problems = [f"Authorization header requires '{name}' parameter. "
                for name in ("Credential", "Signature", "SignedHeaders") if name not in params]
    if not raw_date:
        problems.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
    if problems:
        raise IncompleteSignatureException("".join(problems) + f"Authorization={header}")


def _parse_date(raw: str, *, is_amz_date: bool) -> tuple[datetime, str]:
    """The signing time, and its ISO-8601 basic stamp. X-Amz-Date must be ISO-8601 basic; a plain Date
    header may also be RFC 1123 (botocore sends that)."""
    value = raw.strip()
    if _BASIC_RE.fullmatch(value):
        signed_at = _basic_date(value)
        if signed_at is not None:
            return signed_at, value
    elif not is_amz_date:
        try:
            parsed = parsedate_to_datetime(value)
            parsed = (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
            return parsed, parsed.strftime(_BASIC_FORMAT)
        except (TypeError, ValueError, OverflowError):
            pass
    raise IncompleteSignatureException(
        f"Date must be in ISO-8601 'basic format'. Got '{raw}'. See http://en.wikipedia.org/wiki/ISO_8601")


@functools.lru_cache(maxsize=64)  # a busy client signs many requests within the same second
def _basic_date(value: str) -> datetime | None:
    try:  # the fields by position: what strptime(_BASIC_FORMAT) accepts, at a fraction of its cost
        return datetime(int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[9:11]),
                        int(value[11:13]), int(value[13:15]), tzinfo=timezone.utc)
    except ValueError:
        return None


def _check_skew(signed_at: datetime, now: datetime) -> None:
    now = now.astimezone(timezone.utc)
    if now - MAX_SKEW <= signed_at <= now + MAX_SKEW:
        return
    stamp, now_stamp = signed_at.strftime(_BASIC_FORMAT), now.strftime(_BASIC_FORMAT)
    if signed_at < now - MAX_SKEW:
        raise InvalidSignatureException(
            f"Signature expired: {stamp} is now earlier than {(now - MAX_SKEW).strftime(_BASIC_FORMAT)} "
            f"({now_stamp} - 15 min.)")
    if signed_at > now + MAX_SKEW:
        raise InvalidSignatureException(
            f"Signature not yet current: {stamp} is still later than {(now + MAX_SKEW).strftime(_BASIC_FORMAT)} "
            f"({now_stamp} + 15 min.)")


def _split_credential(credential: str) -> list[str]:
    # Trailing empty elements are dropped before counting, as AWS's (Java-style) split does.
    parts = credential.split("/")
    while parts and parts[-1] == "":
        parts.pop()
    if len(parts) != 5:
        raise IncompleteSignatureException(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            f"got '{credential}'")
    return parts


def _check_scope(scope_date: str, service: str, terminator: str, stamp: str) -> None:
    # Any region is accepted: boto3 scopes to us-east-1 or to "sandbox" depending on how it was configured.
    problems = []
    if service != SERVICE:
        problems.append(f"Credential should be scoped to correct service: '{SERVICE}'. ")
    if terminator != TERMINATOR:
        problems.append(f"Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'. ")
    if scope_date != stamp[:8]:
        problems.append("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                        f"'{scope_date}' != '{stamp[:8]}', from '{stamp}'. ")
    if problems:
        raise InvalidSignatureException("".join(problems))


# --- canonical request -----------------------------------------------------------------------------------


def _canonical_uri(path: str) -> str:
    if path == "/":  # every MTurk call
        return path
    # Non-S3 services sign the path with dot segments and empty segments removed and then URI-encoded
    # once more on top of the encoding it was sent with (botocore's signer does exactly this).
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    normalized = "/" + "/".join(segments)
    if segments and path.endswith("/"):
        normalized += "/"
    return quote(normalized, safe="/~")


def _canonical_query(query_string: str) -> str:
    # Decode then re-encode each name and value (RFC 3986 unreserved kept), sort by name then value.
    # "+" decodes to a space: botocore sends form-encoded params ("a+b") but signs them as "a%20b".
    if not query_string:
        return ""
    pairs = []
    for item in query_string.split("&"):
        name, _, value = item.partition("=")
        pairs.append((quote(unquote_plus(name), safe="-_.~"), quote(unquote_plus(value), safe="-_.~")))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _canonical_headers(headers: dict[str, list[str]], signed_names: list[str]) -> str:
    # Values are trimmed with inner whitespace runs collapsed; repeated headers are joined with ",".
    lines = []
    for name in signed_names:
        values = headers.get(name, ())
        if len(values) == 1:  # nearly always
            lines.append(f"{name}:{' '.join(values[0].split())}")
        else:
            lines.append(f"{name}:" + ",".join(" ".join(value.split()) for value in values))
    return "\n".join(lines)


@functools.lru_cache(maxsize=256)  # four HMACs, the same for every request of a key on one day
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, TERMINATOR):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key
