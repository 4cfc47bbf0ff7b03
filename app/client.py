"""A small client for Kempelen's own JSON routes (admin and worker API), shared by the `kempelen` command
and the pytest plugin. Standard library only, so it works wherever the package is installed.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from kempelen.config import DEVELOPMENT_ADMIN_TOKEN

DEFAULT_ENDPOINT = "http://127.0.0.1:8000"


class KempelenError(Exception):
    """The server refused: HTTP status, the worker API's Code (or None), and its message."""

    def __init__(self, status: int, code: str | None, message: str, details: list | None = None):
        super().__init__(f"{code}: {message}" if code else message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


class Unreachable(Exception):
    pass


def default_endpoint() -> str:
    return os.environ.get("KEMPELEN_ENDPOINT") or DEFAULT_ENDPOINT


def default_admin_token() -> str:
    return os.environ.get("KEMPELEN_ADMIN_TOKEN") or DEVELOPMENT_ADMIN_TOKEN


def _assignment_id(assignment: str | dict) -> str:
    return assignment["AssignmentId"] if isinstance(assignment, dict) else assignment


class KempelenClient:
    def __init__(self, endpoint: str | None = None, admin_token: str | None = None, timeout: float = 30.0):
        self.endpoint = (endpoint or default_endpoint()).rstrip("/")
        self.admin_token = admin_token or default_admin_token()
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, *, worker_id: str | None = None,
             query: dict | None = None) -> Any:
        """One JSON request with the admin token (acting for `worker_id` on worker routes)."""
        path, data, headers = self.prepare(path, body, worker_id=worker_id, query=query)
        request = urllib.request.Request(self.endpoint + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise _refusal(exc) from None
        except urllib.error.URLError as exc:
            raise Unreachable(f"cannot reach {self.endpoint}: {exc.reason}") from None

    def prepare(self, path: str, body: Any = None, *, worker_id: str | None = None,
                query: dict | None = None) -> tuple[str, bytes | None, dict[str, str]]:
        """The path with its query, the JSON body and the headers of one call (shared with other transports)."""
        headers = {"Authorization": f"Bearer {self.admin_token}", "Content-Type": "application/json"}
        if worker_id is not None:
            headers["X-Kempelen-Worker-Id"] = worker_id
        if query:
            path += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        return path, (json.dumps(body).encode() if body is not None else None), headers

    # --- admin ----------------------------------------------------------------------------------------

    def create_worker(self, worker_id: str | None = None, password: str | None = None) -> dict:
        body = {key: value for key, value in (("WorkerId", worker_id), ("Password", password)) if value is not None}
        return self.call("POST", "/api/workers", body)

    def get_worker(self, worker_id: str) -> dict:
        return self.call("GET", f"/api/workers/{urllib.parse.quote(worker_id)}")

    # the worker website's accounts
    def set_password(self, worker_id: str, password: str) -> dict:
        return self.call("POST", f"/api/workers/{urllib.parse.quote(worker_id)}/password", {"Password": password})

    def sign_in_link(self, worker_id: str) -> dict:
        return self.call("POST", f"/api/workers/{urllib.parse.quote(worker_id)}/sign-in-link")

    def create_invite(self) -> dict:
        return self.call("POST", "/api/worker-invites")

    def set_profile(self, worker_id: str, *, locale: dict | None = None, adult: bool | None = None,
                    masters: bool | None = None) -> dict:
        body = {key: value for key, value in (("Locale", locale), ("Adult", adult), ("Masters", masters))
                if value is not None}
        return self.call("POST", f"/api/workers/{urllib.parse.quote(worker_id)}/profile", body)

    def clock(self) -> dict:
        return self.call("GET", "/_kempelen/clock")

    def advance_clock(self, seconds: float) -> dict:
        return self.call("POST", "/_kempelen/clock", {"advance_seconds": seconds})

    def set_clock(self, when: str) -> dict:
        return self.call("POST", "/_kempelen/clock", {"set": when})

    # --- as a worker ----------------------------------------------------------------------------------

    def hits(self, worker_id: str, *, max_results: int | None = None, next_token: str | None = None,
             hit_type_id: str | None = None) -> dict:
        return self.call("GET", "/api/worker/hits", worker_id=worker_id,
                         query={"MaxResults": max_results, "NextToken": next_token, "HITTypeId": hit_type_id})

    def preview(self, worker_id: str, hit_id: str) -> dict:
        return self.call("GET", f"/api/worker/hits/{hit_id}", worker_id=worker_id)

    def accept(self, worker_id: str, hit_id: str) -> dict:
        return self.call("POST", f"/api/worker/hits/{hit_id}/accept", worker_id=worker_id)

    def accept_next(self, worker_id: str, hit_type_id: str) -> dict:
        return self.call("POST", f"/api/worker/hit-types/{hit_type_id}/accept", worker_id=worker_id)

    def submit(self, worker_id: str, assignment: str | dict, answers: dict | None = None, *,
               question_form_answers: str | None = None) -> dict:
        body = ({"QuestionFormAnswers": question_form_answers} if question_form_answers is not None
                else {"Answers": answers or {}})
        return self.call("POST", f"/api/worker/assignments/{_assignment_id(assignment)}/submit", body,
                         worker_id=worker_id)

    def return_assignment(self, worker_id: str, assignment: str | dict) -> dict:
        return self.call("POST", f"/api/worker/assignments/{_assignment_id(assignment)}/return",
                         worker_id=worker_id)

    def assignment(self, worker_id: str, assignment: str | dict) -> dict:
        return self.call("GET", f"/api/worker/assignments/{_assignment_id(assignment)}", worker_id=worker_id)

    def assignments(self, worker_id: str, *, max_results: int | None = None,
                    next_token: str | None = None) -> dict:
        return self.call("GET", "/api/worker/assignments", worker_id=worker_id,
                         query={"MaxResults": max_results, "NextToken": next_token})

    def me(self, worker_id: str) -> dict:
        return self.call("GET", "/api/worker", worker_id=worker_id)

    # --- qualifications, as a worker ------------------------------------------------------------------

    def qualification_types(self, worker_id: str, *, max_results: int | None = None,
                            next_token: str | None = None) -> dict:
        return self.call("GET", "/api/worker/qualification-types", worker_id=worker_id,
                         query={"MaxResults": max_results, "NextToken": next_token})

    def request_qualification(self, worker_id: str, qualification_type_id: str) -> dict:
        return self.call("POST", f"/api/worker/qualification-types/{qualification_type_id}/request",
                         worker_id=worker_id)

    def answer_test(self, worker_id: str, request: str | dict, answers: dict | None = None, *,
                    question_form_answers: str | None = None) -> dict:
        request_id = request["QualificationRequestId"] if isinstance(request, dict) else request
        body = ({"QuestionFormAnswers": question_form_answers} if question_form_answers is not None
                else {"Answers": answers or {}})
        return self.call("POST", f"/api/worker/qualification-requests/{request_id}/answers", body,
                         worker_id=worker_id)

    def qualifications(self, worker_id: str, *, max_results: int | None = None,
                       next_token: str | None = None) -> dict:
        return self.call("GET", "/api/worker/qualifications", worker_id=worker_id,
                         query={"MaxResults": max_results, "NextToken": next_token})

    def messages(self, worker_id: str, *, max_results: int | None = None, next_token: str | None = None) -> dict:
        return self.call("GET", "/api/worker/messages", worker_id=worker_id,
                         query={"MaxResults": max_results, "NextToken": next_token})

    # --- requester accounts (admin) -------------------------------------------------------------------

    def create_requester(self, name: str = "", mode: str = "sandbox", balance: str | None = None, *,
                         login: str | None = None, password: str | None = None) -> dict:
        """A new requester on the server: {"AccessKeyId", "SecretAccessKey"}; with `login` and `password`, also
        a person who signs in to the requester website for it (in the same transaction)."""
        body = {"name": name, "mode": mode, **({"balance": balance} if balance is not None else {}),
                **({"login": login, "password": password} if login else {})}
        return self.call("POST", "/_kempelen/requesters", body)

    def requesters(self) -> list[dict]:
        return self.call("GET", "/_kempelen/requesters")["Requesters"]

    def workers(self, *, max_results: int | None = None, next_token: str | None = None) -> dict:
        return self.call("GET", "/api/workers", query={"MaxResults": max_results, "NextToken": next_token})

    def reissue_token(self, worker_id: str) -> dict:
        """A new API token for the worker; its old token stops working."""
        return self.call("POST", f"/api/workers/{urllib.parse.quote(worker_id)}/token")

    def add_funds(self, access_key_id: str, amount: str, memo: str = "") -> dict:
        """Into a ledger-mode account ("25.00"; "-5.00" takes money out); returns the balance after."""
        return self.call("POST", f"/_kempelen/requesters/{urllib.parse.quote(access_key_id)}/funds",
                         {"amount": amount, "memo": memo})

    def statement(self, access_key_id: str) -> dict:
        """A ledger-mode account's movements of money (Lines, each with its running Balance) and totals."""
        return self.call("GET", f"/_kempelen/requesters/{urllib.parse.quote(access_key_id)}/statement")


    # --- file uploads, as a worker --------------------------------------------------------------------

    def upload(self, worker_id: str, assignment: str | dict, question_identifier: str, data: bytes,
               filename: str = "upload.bin", content_type: str = "application/octet-stream") -> dict:
        """Upload the file for a FileUploadAnswer question (multipart/form-data): returns the upload, whose
        UploadedFileKey the submission names."""
        boundary = "kempelen-" + uuid.uuid4().hex
        quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        path = (f"/api/worker/assignments/{_assignment_id(assignment)}/files/"
                f"{urllib.parse.quote(question_identifier, safe='')}")
        request = urllib.request.Request(self.endpoint + path, data=body, method="POST", headers={
            "Authorization": f"Bearer {self.admin_token}", "X-Kempelen-Worker-Id": worker_id,
            "Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise _refusal(exc) from None
        except urllib.error.URLError as exc:
            raise Unreachable(f"cannot reach {self.endpoint}: {exc.reason}") from None

def _refusal(exc: urllib.error.HTTPError) -> KempelenError:
    return refusal(exc.code, exc.read().decode(errors="replace"), exc.reason)


def refusal(status: int, raw: str, reason: str = "") -> KempelenError:
    """The KempelenError for a 4xx/5xx answer's body."""
    try:
        payload = json.loads(raw)
    except ValueError:
        return KempelenError(status, None, raw or reason)
    if isinstance(payload, dict) and isinstance(payload.get("Error"), dict):
        error = payload["Error"]
        return KempelenError(status, error.get("Code"), error.get("Message", ""), error.get("Details"))
    detail = payload.get("detail", raw) if isinstance(payload, dict) else raw
    return KempelenError(status, None, detail if isinstance(detail, str) else json.dumps(detail))
