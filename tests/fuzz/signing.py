"""A small SigV4 signer for the JSON 1.1 wire, written from the published algorithm so that the tests do not
sign with the server's own code (and so that a fuzzer can sign thousands of requests cheaply)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone
from urllib.parse import quote, unquote_plus

TARGET_PREFIX = "MTurkRequesterServiceV20170117."
CONTENT_TYPE = "application/x-amz-json-1.1"
SERVICE = "mturk-requester"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class Signer:
    def __init__(self, access_key_id: str, secret: str, host: str, region: str = "us-east-1"):
        self.access_key_id, self.secret, self.host, self.region = access_key_id, secret, host, region
        self._keys: dict[str, bytes] = {}

    def _key(self, day: str) -> bytes:
        if day not in self._keys:
            key = _hmac(f"AWS4{self.secret}".encode(), day)
            for part in (self.region, SERVICE, "aws4_request"):
                key = _hmac(key, part)
            self._keys[day] = key
        return self._keys[day]

    def headers(self, target: str | None, body: bytes, *, content_type: str = CONTENT_TYPE,
                signed: tuple[str, ...] = ("content-type", "host", "x-amz-date", "x-amz-target"),
                now: datetime | None = None, method: str = "POST", path: str = "/") -> dict[str, str]:
        """The request headers, Authorization included. `target` is the whole X-Amz-Target value (None: no
        such header); `signed` names the headers to sign (only those present are signed); `path` is the
        request target as sent (percent-encoded, with its query string)."""
        stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
        headers = {"host": self.host, "x-amz-date": stamp, "content-type": content_type}
        if target is not None:
            headers["x-amz-target"] = target
        names = sorted(name for name in signed if name in headers)
        raw_path, _, query = path.partition("?")
        canonical = "\n".join([
            method, _canonical_uri(raw_path), _canonical_query(query),
            "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in names),
            ";".join(names), hashlib.sha256(body).hexdigest()])
        scope = f"{stamp[:8]}/{self.region}/{SERVICE}/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        signature = hmac.new(self._key(stamp[:8]), to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access_key_id}/{scope}, "
                                    f"SignedHeaders={';'.join(names)}, Signature={signature}")
        return headers


def _canonical_uri(path: str) -> str:
    # non-S3 services: dot and empty segments dropped, then the path as sent is percent-encoded once more
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    normalized = "/" + "/".join(segments) + ("/" if segments and path.endswith("/") else "")
    return quote(normalized, safe="/~")


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = sorted((quote(unquote_plus(name), safe="-_.~"), quote(unquote_plus(value), safe="-_.~"))
                   for name, _, value in (item.partition("=") for item in query.split("&")))
    return "&".join(f"{name}={value}" for name, value in pairs)
