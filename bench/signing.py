"""Pre-signed MTurk requests as raw HTTP/1.1 bytes, so the load generator only writes and reads.

Signed with botocore's own SigV4Auth and the development credentials (app/config.py). A signature stays
valid for 15 minutes (the server's skew window), so a pool is signed just before each measurement and its
requests are reused; the same body repeated is fine for GetHIT, ListHITs and CreateHIT (no
UniqueRequestToken).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY

TARGET_PREFIX = "MTurkRequesterServiceV20170117."
CONTENT_TYPE = "application/x-amz-json-1.1"
SERVICE = "mturk-requester"
REGION = "us-east-1"
USER_AGENT = "kempelen-bench/1"

_CREDENTIALS = Credentials(DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY)


@dataclass(frozen=True)
class SignedCall:
    operation: str
    headers: tuple[tuple[str, str], ...]  # everything but Host and Content-Length
    body: bytes

    def raw(self, host_header: str) -> bytes:
        """The whole request as it goes on the wire (keep-alive, HTTP/1.1)."""
        lines = [f"POST / HTTP/1.1", f"Host: {host_header}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


def sign(endpoint: str, operation: str, params: dict) -> SignedCall:
    """One request, signed now for `endpoint` (e.g. http://127.0.0.1:8123) the way boto3 signs it."""
    body = json.dumps(params, separators=(",", ":")).encode()
    request = AWSRequest(method="POST", url=endpoint.rstrip("/") + "/", data=body, headers={
        "Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + operation, "User-Agent": USER_AGENT})
    SigV4Auth(_CREDENTIALS, SERVICE, REGION).add_auth(request)
    skip = {"host", "content-length"}
    headers = tuple((name, value) for name, value in request.headers.items() if name.lower() not in skip)
    return SignedCall(operation, headers, body)


def pool(endpoint: str, operation: str, params_list: list[dict], size: int) -> list[SignedCall]:
    """`size` signed requests cycling over `params_list`."""
    if not params_list:
        raise ValueError("no request parameters")
    return [sign(endpoint, operation, params_list[i % len(params_list)]) for i in range(size)]
