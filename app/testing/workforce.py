"""Scripted workers for tests: ``worker = workforce.new()``, ``a = worker.accept(hit_id)``,
``worker.submit(a, {"q1": "cat"})``, ``worker.return_(a)``. Each call is one request to the worker API."""

from __future__ import annotations

from app.client import KempelenClient


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

    def set_profile(self, *, locale: dict | None = None, adult: bool | None = None,
                    masters: bool | None = None) -> dict:
        """As an admin: the worker's Locale ({"Country": "US", "Subdivision": "CA"}), Adult and Masters."""
        return self._client.set_profile(self.worker_id, locale=locale, adult=adult, masters=masters)


class Workforce:
    """Makes scripted workers on one server."""

    def __init__(self, endpoint: str, admin_token: str | None = None):
        self.client = KempelenClient(endpoint, admin_token)

    def new(self, worker_id: str | None = None) -> ScriptedWorker:
        created = self.client.create_worker(worker_id)
        return ScriptedWorker(self.client, created["WorkerId"], created["Token"])

    def get(self, worker_id: str) -> ScriptedWorker:
        return ScriptedWorker(self.client, worker_id)
