"""Scripted workers for tests: ``worker = workforce.new()``, ``a = worker.accept(hit_id)``,
``worker.submit(a, {"q1": "cat"})``, ``worker.return_(a)``. Each call is one request to the worker API."""

from __future__ import annotations

from kempelen.client import KempelenClient


class ScriptedWorker:
    def __init__(self, client: KempelenClient, worker_id: str, token: str | None = None):
        self._client = client
        self.worker_id = worker_id
        self.token = token  # the worker's own API token, for tests that call the worker API directly

    def __repr__(self) -> str:
        return f"ScriptedWorker({self.worker_id!r})"

    def hits(self, **filters) -> list[dict]:
        """Every Assignable HIT this worker may take (all pages)."""
        found, token = [], None
        while True:
            page = self._client.hits(self.worker_id, max_results=100, next_token=token, **filters)
            found += page["HITs"]
            token = page.get("NextToken")
            if not page["HITs"] or not token:
                return found

    def preview(self, hit_id: str) -> dict:
        return self._client.preview(self.worker_id, hit_id)

    def accept(self, hit_id: str) -> dict:
        """Accept the HIT; returns the assignment (AssignmentId, Deadline, FrameURL, ...)."""
        return self._client.accept(self.worker_id, hit_id)

    def accept_next(self, hit_type_id: str) -> dict:
        return self._client.accept_next(self.worker_id, hit_type_id)

    def submit(self, assignment: str | dict, answers: dict | str) -> dict:
        """Submit a dict of answers, or a QuestionFormAnswers XML string."""
        if isinstance(answers, str):
            return self._client.submit(self.worker_id, assignment, question_form_answers=answers)
        return self._client.submit(self.worker_id, assignment, answers)

    def return_(self, assignment: str | dict) -> dict:
        return self._client.return_assignment(self.worker_id, assignment)

    def assignment(self, assignment: str | dict) -> dict:
        return self._client.assignment(self.worker_id, assignment)

    def assignments(self) -> list[dict]:
        found, token = [], None
        while True:
            page = self._client.assignments(self.worker_id, max_results=100, next_token=token)
            found += page["Assignments"]
            token = page.get("NextToken")
            if not page["Assignments"] or not token:
                return found

    def statistics(self) -> dict:
        return self._client.me(self.worker_id)["Statistics"]

    def requestable_qualification_types(self) -> list[dict]:
        """Every qualification type this worker could request (all pages), with its own status on each."""
        return self._all_pages(self._client.qualification_types, "QualificationTypes")

    def request_qualification(self, qualification_type_id: str) -> dict:
        """Request a qualification: the request (Status Granted, TestStarted with its Test, or Pending)."""
        return self._client.request_qualification(self.worker_id, qualification_type_id)

    def answer_test(self, request: str | dict, answers: dict | str) -> dict:
        """Answer a TestStarted request's test: a dict of answers, or a QuestionFormAnswers XML string."""
        if isinstance(answers, str):
            return self._client.answer_test(self.worker_id, request, question_form_answers=answers)
        return self._client.answer_test(self.worker_id, request, answers)

    def qualifications(self) -> list[dict]:
        """This worker's qualifications (all pages)."""
        return self._all_pages(self._client.qualifications, "Qualifications")

    def messages(self) -> list[dict]:
        """This worker's inbox, oldest first (all pages)."""
        return self._all_pages(self._client.messages, "Messages")

    def _all_pages(self, fetch, member: str) -> list[dict]:
        found, token = [], None
        while True:
            page = fetch(self.worker_id, max_results=100, next_token=token)
            found += page[member]
            token = page.get("NextToken")
            if not page[member] or not token:
                return found

    def set_profile(self, *, locale: dict | None = None, adult: bool | None = None,
                    masters: bool | None = None) -> dict:
        """As an admin: the worker's Locale ({"Country": "US", "Subdivision": "CA"}), Adult and Masters."""
        return self._client.set_profile(self.worker_id, locale=locale, adult=adult, masters=masters)


    def upload(self, assignment: str | dict, question_identifier: str, data: bytes, filename: str = "upload.bin",
               content_type: str = "application/octet-stream") -> dict:
        """Upload a file for a FileUploadAnswer question; answer with
        ``worker.submit(a, {question_identifier: {"UploadedFileKey": upload["UploadedFileKey"]}})``."""
        return self._client.upload(self.worker_id, assignment, question_identifier, data, filename, content_type)

class Workforce:
    """Makes scripted workers on one server, one at a time (``new``) or as a simulated crowd (``crowd``)."""

    def __init__(self, endpoint: str, admin_token: str | None = None):
        self.client = KempelenClient(endpoint, admin_token)
        self.endpoint, self.admin_token = endpoint, admin_token

    def crowd(self, workers: int, policy=None, *, seed: int | str | None = None, **options):
        """A simulated workforce of `workers` on this server (kempelen.testing.crowd): ``crowd = workforce.crowd(
        200, policy=RandomAnswers(), seed=7)``, then ``summary = crowd.run(until_done=True)``. `policy` is an
        answer policy (kempelen.testing.policies) or a callable ``(task, rng) -> answers``; `options` are Crowd's
        (behaviour=Behaviour(...), clock, concurrency, hit_type_id, progress)."""
        from kempelen.testing.crowd import Crowd

        return Crowd(self.endpoint, workers, policy, seed=seed, admin_token=self.admin_token, **options)

    def new(self, worker_id: str | None = None) -> ScriptedWorker:
        created = self.client.create_worker(worker_id)
        return ScriptedWorker(self.client, created["WorkerId"], created["Token"])

    def get(self, worker_id: str) -> ScriptedWorker:
        return ScriptedWorker(self.client, worker_id)
