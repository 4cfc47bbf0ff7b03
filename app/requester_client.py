"""A client for Kempelen's requester routes (``/_kempelen/requester``): projects, batches, results, review.
Requests are signed with the requester's keys (SigV4, as boto3 signs the Requester API), read from
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY unless given. Used by the `kempelen project|batch` commands.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from kempelen.client import KempelenError, Unreachable, _refusal, default_endpoint

SERVICE = "mturk-requester"
PREFIX = "/_kempelen/requester"


class MissingCredentials(Exception):
    pass


class RequesterClient:
    def __init__(self, endpoint: str | None = None, access_key_id: str | None = None,
                 secret_access_key: str | None = None, *, region: str | None = None, timeout: float = 120.0):
        self.endpoint = (endpoint or default_endpoint()).rstrip("/")
        access_key_id = access_key_id or os.environ.get("AWS_ACCESS_KEY_ID")
        secret_access_key = secret_access_key or os.environ.get("AWS_SECRET_ACCESS_KEY")
        if not access_key_id or not secret_access_key:
            raise MissingCredentials("The requester's keys are needed: set AWS_ACCESS_KEY_ID and "
                                     "AWS_SECRET_ACCESS_KEY (as for boto3 and the AWS CLI).")
        self._keys = (access_key_id, secret_access_key)
        self.region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.timeout = timeout

    def _open(self, method: str, path: str, body: Any = None, query: dict | None = None):
        url = self.endpoint + PREFIX + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = json.dumps(body).encode() if body is not None else b""
        # botocore on first use: every `kempelen` command builds the parser that names this module, and
        # importing botocore cost each of them (`kempelen serve` too) a fifth of a second
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        signable = AWSRequest(method=method, url=url, data=data, headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials(*self._keys), SERVICE, self.region).add_auth(signable)
        request = urllib.request.Request(url, data=data if method != "GET" else None, method=method,
                                         headers=dict(signable.headers.items()))
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            raise _refusal(exc) from None
        except urllib.error.URLError as exc:
            raise Unreachable(f"cannot reach {self.endpoint}: {exc.reason}") from None

    def call(self, method: str, path: str, body: Any = None, query: dict | None = None) -> Any:
        with self._open(method, path, body, query) as response:
            return json.loads(response.read() or b"null")

    # --- projects -------------------------------------------------------------------------------------

    def create_project(self, template: str, properties: dict) -> dict:
        return self.call("POST", "/projects", {"Template": template, "Properties": properties})

    def get_project(self, hit_layout_id: str) -> dict:
        return self.call("GET", f"/projects/{urllib.parse.quote(hit_layout_id)}")

    def update_project(self, hit_layout_id: str, *, template: str | None = None,
                       properties: dict | None = None) -> dict:
        body = {k: v for k, v in (("Template", template), ("Properties", properties)) if v is not None}
        return self.call("PATCH", f"/projects/{urllib.parse.quote(hit_layout_id)}", body)

    def project_hits(self, hit_layout_id: str) -> list[dict]:
        found, token = [], None
        while True:
            page = self.call("GET", f"/projects/{urllib.parse.quote(hit_layout_id)}/hits",
                             query={"NextToken": token, "MaxResults": 100})
            found += page["HITs"]
            token = page.get("NextToken")
            if not page["HITs"] or not token:
                return found

    # --- batches --------------------------------------------------------------------------------------

    def create_batch(self, hit_layout_id: str, csv_text: str, name: str | None = None) -> dict:
        body = {"HITLayoutId": hit_layout_id, "CSV": csv_text, **({"BatchName": name} if name else {})}
        return self.call("POST", "/batches", body)

    def get_batch(self, batch_id: int | str) -> dict:
        return self.call("GET", f"/batches/{batch_id}")

    def publish_batch(self, batch_id: int | str, *, limit: int = 100,
                      on_progress: Callable[[dict], None] | None = None) -> dict:
        """Publish every row, `limit` HITs per request, calling `on_progress` with the batch after each."""
        while True:
            batch = self.call("POST", f"/batches/{batch_id}/publish", query={"Limit": limit})
            if on_progress is not None:
                on_progress(batch)
            if batch["Status"] != "Publishing":
                return batch

    def batch_hit_ids(self, batch_id: int | str) -> list[str]:
        found, token = [], None
        while True:
            page = self.call("GET", f"/batches/{batch_id}/hits", query={"NextToken": token})
            found += page["HITIds"]
            token = page.get("NextToken")
            if not page["HITIds"] or not token:
                return found

    def cancel_batch(self, batch_id: int | str) -> dict:
        return self.call("POST", f"/batches/{batch_id}/cancel", {})

    def extend_batch(self, batch_id: int | str, *, seconds: int = 0, assignments: int = 0) -> dict:
        return self.call("POST", f"/batches/{batch_id}/extend",
                         {"AdditionalSeconds": seconds, "AdditionalAssignments": assignments})

    def batch_results(self, batch_id: int | str, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        """The results CSV's bytes, as they stream."""
        with self._open("GET", f"/batches/{batch_id}/results") as response:
            while chunk := response.read(chunk_size):
                yield chunk

    def hits_results(self, hit_ids: list[str], chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        with self._open("POST", "/results", {"HITIds": hit_ids}) as response:
            while chunk := response.read(chunk_size):
                yield chunk

    def review_batch(self, batch_id: int | str, csv_text: str) -> list[dict]:
        return self.call("POST", f"/batches/{batch_id}/review", {"CSV": csv_text})["Outcomes"]


__all__ = ["KempelenError", "MissingCredentials", "RequesterClient", "Unreachable"]
