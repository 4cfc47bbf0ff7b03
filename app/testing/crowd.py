"""A simulated workforce: many workers driven through the real worker API (and externalSubmit), on the
server's clock, reproducibly.

How time works. Every worker's life is a list of events on the *server's* clock: it arrives, looks for a HIT,
accepts it, works on it for a while (a log-normal work time), then submits, returns, or abandons it (walks
away and lets the Deadline pass), pauses, and looks again. The crowd keeps one queue of these events and
moves from one instant to the next:
- ``drive`` (the default on a server with a manual clock): the crowd advances the server's clock to the
  next instant itself (``POST /_kempelen/clock``), so an hour of work takes as long as its requests do, and
  deadlines pass (the server marks abandoned assignments) exactly when the simulation says;
- ``follow`` (manual clock): the crowd waits for someone else (a test, ``kempelen clock advance``) to move the
  clock, and acts on whatever has come due;
- ``real`` (a server on the system clock): the crowd waits in real time.
Event times are rounded up to ``resolution`` seconds: every event of one instant is planned first, one after
another in (time, worker) order, then sent together on ``concurrency`` connections, then their results are
read back in the same order. Only the sending is concurrent.

Why a rerun is the same. Each worker's choices and answers come from a ``random.Random`` seeded by the crowd's
seed, the worker and the HIT; worker ids are derived from the seed; a worker picks its HIT from the crowd's
own account of free slots (planned in order, so two workers never race for one slot) and accepts that HIT by
id. With the server's ids seeded too (``kempelen serve --seed``: an AssignmentId is then a keyed hash of its HIT
and worker), a rerun against a fresh server gives the same assignments with the same ids and answers. Other
clients accepting the same HITs at the same time make the crowd's account wrong; refusals are then counted
(``refused``) and the worker looks elsewhere, and the run is no longer reproducible.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import random
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from kempelen.client import KempelenError
from kempelen.testing.transport import KeepAliveClient
from kempelen.testing.policies import AnswerPolicy, Task, as_policy

EXTERNAL_SUBMIT_PATH = "/mturk/externalSubmit"
_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class Behaviour:
    """How the simulated workers behave; times are seconds of the server's clock."""
    work_seconds: float = 60.0      # median time spent on an assignment (log-normal)
    work_spread: float = 0.5        # sigma of the log-normal: 0 makes every work time the median
    think_seconds: float = 5.0      # mean pause between assignments (exponential)
    arrival_seconds: float = 30.0   # workers arrive at random over this window
    return_rate: float = 0.05       # share of accepted assignments given back
    abandon_rate: float = 0.02      # share left to run past their Deadline
    tasks_per_visit: float = 5.0    # mean assignments a worker does before leaving (geometric); not with until_done
    resolution: float = 1.0         # event times are rounded up to this; one instant's events are sent together

    def check(self) -> None:
        for name in ("work_seconds", "think_seconds", "arrival_seconds", "tasks_per_visit"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")
        if not 0 <= self.return_rate + self.abandon_rate <= 1:
            raise ValueError("return_rate + abandon_rate is a share from 0 to 1")
        if self.resolution <= 0:
            raise ValueError("resolution must be above 0")


@dataclass
class Outcome:
    """One assignment the crowd worked on."""
    AssignmentId: str
    HITId: str
    HITTypeId: str
    WorkerId: str
    Outcome: str                      # Submitted, Returned, Abandoned, or Accepted (run ended first)
    Answers: dict[str, Any] | None = None
    Error: str | None = None          # why a submission was refused, if it was


@dataclass
class Summary:
    workers: int = 0
    accepted: int = 0
    submitted: int = 0
    returned: int = 0
    abandoned: int = 0
    refused: Counter = field(default_factory=Counter)          # refusals by the worker API's Code
    per_hit_type: dict[str, dict] = field(default_factory=dict)
    assignments: list[Outcome] = field(default_factory=list)
    requests: int = 0
    simulated_seconds: float = 0.0
    wall_seconds: float = 0.0
    target: int = 0                   # assignments the crowd expects to finish (for a progress bar)

    def _count(self, hit_type_id: str, title: str, what: str) -> None:
        setattr(self, what, getattr(self, what) + 1)
        per = self.per_hit_type.setdefault(hit_type_id, {"Title": title, "accepted": 0, "submitted": 0,
                                                         "returned": 0, "abandoned": 0})
        per[what] += 1

    @property
    def finished(self) -> int:
        return self.submitted + self.returned + self.abandoned

    def as_dict(self) -> dict:
        return {"workers": self.workers, "accepted": self.accepted, "submitted": self.submitted,
                "returned": self.returned, "abandoned": self.abandoned, "refused": dict(self.refused),
                "per_hit_type": self.per_hit_type, "requests": self.requests,
                "simulated_seconds": round(self.simulated_seconds, 3), "wall_seconds": round(self.wall_seconds, 3)}


@dataclass
class _Hit:
    hit_id: str
    hit_type_id: str
    title: str
    free: int                      # slots free, by the crowd's own account
    expiration: datetime
    duration: int                  # AssignmentDurationInSeconds
    order: int                     # discovery order (the listing's oldest-first order)
    taken: int = 0                 # the crowd's assignments of this HIT so far


@dataclass
class _Worker:
    index: int
    worker_id: str
    rng: random.Random
    taken: set[str] = field(default_factory=set)   # HITs accepted or refused: never tried again
    visits_left: int | None = None
    listed: bool = False


@dataclass(order=True)
class _Event:
    time: float
    worker: int
    seq: int
    kind: str = field(compare=False)            # arrive, look, finish, free
    data: Any = field(compare=False, default=None)


class Crowd:
    """``Crowd(endpoint, 200, policy=RandomAnswers(), seed=7).run()``; see the module's docstring."""

    def __init__(self, endpoint: str, workers: int, policy: Any = None, *, seed: int | str | None = None,
                 admin_token: str | None = None, behaviour: Behaviour | None = None, clock: str = "auto",
                 concurrency: int = 8, hit_type_id: str | None = None,
                 progress: Callable[[Summary], None] | None = None):
        from kempelen.testing.policies import RandomAnswers

        if workers < 1:
            raise ValueError("a crowd has at least one worker")
        if clock not in ("auto", "drive", "follow", "real"):
            raise ValueError("clock is auto, drive, follow or real")
        self.client = KeepAliveClient(endpoint, admin_token)
        self.endpoint = self.client.endpoint
        self.size = workers
        self.policy: AnswerPolicy = as_policy(policy) if policy is not None else RandomAnswers()
        self.seed = str(seed) if seed is not None else None
        self.behaviour = behaviour or Behaviour()
        self.behaviour.check()
        self.clock_mode = clock
        self.concurrency = max(1, concurrency)
        self.hit_type_id = hit_type_id
        self.progress = progress
        self.workers: list[_Worker] = []
        self._annotations: dict[str, str | None] = {}

    # --- the run -------------------------------------------------------------------------------------------

    def run(self, *, until_done: bool = False, max_assignments: int | None = None) -> Summary:
        """Let the crowd work: until every worker has left (each after a visit of a few assignments), or with
        `until_done` until no worker can find anything more to do. `max_assignments` caps the accepts."""
        started = time.monotonic()
        self.summary = Summary(workers=self.size)
        self._until_done, self._cap = until_done, max_assignments
        self._hits: dict[str, _Hit] = {}
        self._queue: list[_Event] = []
        self._seq = 0
        self._pending = 0                      # accepts planned in this instant, not yet answered
        self._capacity = 0                     # slots of the HITs in sight when they were found
        self._outcomes: dict[str, Outcome] = {}
        self._held: dict[str, float] = {}      # assignment -> when its slot frees, for assignments in progress
        clock = self.client.clock()
        mode = self.clock_mode
        if mode == "auto":
            mode = "drive" if clock["mode"] == "manual" else "real"
        if mode in ("drive", "follow") and clock["mode"] != "manual":
            raise ValueError(f"clock {mode!r} needs a server on a manual clock (kempelen serve --clock manual)")
        self._mode = mode
        self._t0 = datetime.fromisoformat(clock["now"])
        self._m0 = time.monotonic()
        self._now = 0.0
        self.workers = self._enlist()
        for worker in self.workers:
            arrival = worker.rng.uniform(0, self.behaviour.arrival_seconds) if self.size > 1 else 0.0
            self._push(arrival, worker.index, "arrive")
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="kempelen-crowd") as pool:
            self._pool = pool
            while self._queue:
                self._step()
        self.summary.simulated_seconds = self._now
        self.summary.wall_seconds = time.monotonic() - started
        return self.summary

    def _enlist(self) -> list[_Worker]:
        master = random.Random(self.seed) if self.seed is not None else random.Random()
        workers = []
        for index in range(self.size):
            worker_id = self._worker_id(index) if self.seed is not None else None
            try:
                created = self.client.create_worker(worker_id)
                worker_id = created["WorkerId"]
            except KempelenError as exc:
                if exc.code != "WorkerAlreadyExists":  # a rerun on the same server: the same worker again
                    raise
            self.summary.requests += 1
            rng = random.Random(f"{self.seed}/worker/{index}" if self.seed is not None else master.random())
            visits = None if self._until_done else max(1, math.ceil(rng.expovariate(
                1 / max(self.behaviour.tasks_per_visit, 1e-9))) if self.behaviour.tasks_per_visit else 1)
            workers.append(_Worker(index, worker_id, rng, visits_left=visits))
        return workers

    def _worker_id(self, index: int) -> str:
        digest = int.from_bytes(hashlib.sha256(f"kempelen-crowd/{self.seed}/{index}".encode()).digest(), "big")
        chars = []
        for _ in range(13):
            digest, at = divmod(digest, len(_ID_ALPHABET))
            chars.append(_ID_ALPHABET[at])
        return "A" + "".join(chars)

    def _push(self, at: float, worker: int, kind: str, data: Any = None) -> None:
        step = self.behaviour.resolution
        at = math.ceil(round(at / step, 9)) * step  # onto the grid, so one instant's events go out together
        self._seq += 1
        heapq.heappush(self._queue, _Event(max(at, self._now), worker, self._seq, kind, data))

    def _step(self) -> None:
        at = self._queue[0].time
        self._wait_until(at)
        batch = []
        while self._queue and self._queue[0].time <= at:
            batch.append(heapq.heappop(self._queue))
        plans = [self._plan(event) for event in batch]
        work = [(event, plan) for event, plan in zip(batch, plans) if plan is not None]
        results = list(self._pool.map(lambda item: self._execute(*item), work))
        if self._mode == "real":  # real time went on while the requests ran: follow-ups count from now
            self._now = max(self._now, time.monotonic() - self._m0)
        for (event, plan), result in zip(work, results):
            self._settle(event, plan, result)
        self.summary.simulated_seconds = self._now
        # what there is to finish: every slot in sight, plus one more accept for each slot given back
        target = self._capacity + self.summary.returned + self.summary.abandoned
        self.summary.target = max(self.summary.finished, min(target, self._cap) if self._cap is not None else target)
        if self.progress is not None:
            self.progress(self.summary)

    def _wait_until(self, at: float) -> None:
        if at <= self._now:
            return
        if self._mode == "drive":
            self.client.advance_clock(at - self._now)
            self.summary.requests += 1
        elif self._mode == "follow":
            while (datetime.fromisoformat(self.client.clock()["now"]) - self._t0).total_seconds() < at:
                time.sleep(0.2)  # someone else moves the server's clock; look again shortly
        else:
            delay = self._m0 + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # the server runs on real time: so does its crowd
        self._now = at

    # --- planning (sequential, in order) ---------------------------------------------------------------------

    def _plan(self, event: _Event) -> Any:
        worker = self.workers[event.worker] if event.worker >= 0 else None
        if event.kind == "arrive":
            return ("list",)
        if event.kind == "look":
            hit = self._choose(worker)
            if hit is None:
                self._idle(worker, event)
                return None
            hit.free -= 1
            hit.taken += 1
            self._pending += 1
            worker.taken.add(hit.hit_id)
            return ("accept", hit, hit.taken - 1)
        if event.kind == "finish":
            action, assignment, hit, ordinal = event.data
            if action == "submit":
                task = Task(hit.hit_id, hit.hit_type_id, assignment["AssignmentId"], worker.worker_id,
                            assignment.get("QuestionType", "QuestionForm"), assignment.get("Question", ""),
                            ordinal, lambda hit_id=hit.hit_id: self._annotation(hit_id))
                rng = self._answer_rng(worker, hit)
                try:
                    answers = self.policy.answers(task, rng)
                except LookupError as exc:  # the policy has no answer for this HIT: give it back
                    return ("return", assignment, hit, str(exc))
                return ("submit", assignment, hit, task, answers)
            return (action, assignment, hit, None)
        if event.kind == "free":  # an abandoned assignment's Deadline has passed: its slot is free again
            hit, assignment_id = event.data
            hit.free += 1
            self._held.pop(assignment_id, None)
            return None
        raise AssertionError(event.kind)

    def _answer_rng(self, worker: _Worker, hit: _Hit) -> random.Random:
        if self.seed is None:
            return random.Random(worker.rng.random())
        return random.Random(f"{self.seed}/answers/{worker.worker_id}/{hit.hit_id}")

    def _choose(self, worker: _Worker) -> _Hit | None:
        if self._cap is not None and self.summary.accepted + self._pending >= self._cap:
            return None
        now = self._t0 + timedelta(seconds=self._now)
        open_ = [h for h in self._hits.values()
                 if h.free > 0 and h.hit_id not in worker.taken and h.expiration > now]
        if not open_:
            return None
        # a HIT type at random, then its oldest open HIT: how a person picks a group and takes the next task
        types = sorted({h.hit_type_id for h in open_}, key=lambda t: min(h.order for h in open_ if h.hit_type_id == t))
        chosen = worker.rng.choice(types)
        return min((h for h in open_ if h.hit_type_id == chosen), key=lambda h: h.order)

    def _idle(self, worker: _Worker, event: _Event) -> None:
        """Nothing to take now: leave, or (until_done) look again once a held slot may have come free."""
        if not self._until_done or (self._cap is not None and self.summary.accepted >= self._cap):
            return
        frees = [when for when in self._held.values() if when > self._now]
        if frees:
            self._push(min(frees) + self.behaviour.resolution, worker.index, "look")

    def _annotation(self, hit_id: str) -> str | None:
        if hit_id not in self._annotations:
            facts = self.client.call("GET", f"/_kempelen/hits/{urllib.parse.quote(hit_id)}")
            self._annotations[hit_id] = facts.get("RequesterAnnotation")
        return self._annotations[hit_id]

    # --- sending (concurrent) ----------------------------------------------------------------------------------

    def _execute(self, event: _Event, plan: tuple) -> Any:
        worker = self.workers[event.worker]
        try:
            if plan[0] == "list":
                found, token, requests = [], None, 0
                while True:
                    page = self.client.hits(worker.worker_id, max_results=100, next_token=token,
                                            hit_type_id=self.hit_type_id)
                    requests += 1
                    found += page["HITs"]
                    token = page.get("NextToken")
                    if not page["HITs"] or not token:
                        return ("ok", found, requests)
            if plan[0] == "accept":
                return ("ok", self.client.accept(worker.worker_id, plan[1].hit_id), 1)
            if plan[0] == "return":
                return ("ok", self.client.return_assignment(worker.worker_id, plan[1]), 1)
            if plan[0] == "abandon":
                return ("ok", None, 0)
            if plan[0] == "submit":
                return ("ok",) + self._submit(worker, plan[1], plan[3], plan[4])
        except KempelenError as exc:
            return ("refused", exc, 1)
        raise AssertionError(plan[0])

    def _submit(self, worker: _Worker, assignment: dict, task: Task, answers: dict) -> tuple[Any, int]:
        if task.question_type != "QuestionForm":
            return self._external_submit(assignment["AssignmentId"], answers), 1
        requests, sent = 0, {}
        for name, value in answers.items():
            if isinstance(value, dict) and "File" in value:
                upload = self.client.upload(worker.worker_id, assignment, name, value["File"],
                                            value.get("FileName", "answer.bin"))
                requests += 1
                value = {"UploadedFileKey": upload["UploadedFileKey"]}
            sent[name] = value
        return self.client.submit(worker.worker_id, assignment, sent), requests + 1

    def _external_submit(self, assignment_id: str, answers: dict) -> dict:
        """What an ExternalQuestion/HTMLQuestion page does: a form POST to externalSubmit."""
        fields = [("assignmentId", assignment_id)]
        for name, value in answers.items():
            for item in (value if isinstance(value, list) else [value]):
                fields.append((name, item if isinstance(item, str) else json.dumps(item)))
        status, raw = self.client.send("POST", EXTERNAL_SUBMIT_PATH, urllib.parse.urlencode(fields).encode(),
                                       {"Content-Type": "application/x-www-form-urlencoded"})
        if status >= 400:
            page = raw.decode(errors="replace")
            message = page.split("<p>", 1)[-1].split("</p>", 1)[0] if "<p>" in page else page[:200]
            raise KempelenError(status, "ExternalSubmitRefused", message)
        return {"AssignmentStatus": "Submitted"}

    # --- reading results back (sequential, in order) ------------------------------------------------------------

    def _settle(self, event: _Event, plan: tuple, result: tuple) -> None:
        worker = self.workers[event.worker]
        status, value, requests = result
        self.summary.requests += requests
        kind = plan[0]
        if kind == "list":
            worker.listed = True
            if status == "ok":
                self._discover(value)
            self._push(self._now, worker.index, "look")
            return
        if kind == "accept":
            hit, ordinal = plan[1], plan[2]
            self._pending -= 1
            if status != "ok":
                self.summary.refused[value.code or f"HTTP {value.status}"] += 1
                if value.code in ("HITNotAvailable", "HITDoesNotExist"):
                    hit.free = 0  # full, expired or gone: the crowd's account was wrong
                else:
                    hit.free += 1  # this worker may not take it; others may
                self._push(self._now + self._think(worker), worker.index, "look")
                return
            self._accepted(worker, hit, value, ordinal)
            return
        action, assignment, hit = plan[0], plan[1], plan[2]
        outcome = self._outcomes[assignment["AssignmentId"]]
        if action == "abandon":
            outcome.Outcome = "Abandoned"
            self.summary._count(hit.hit_type_id, hit.title, "abandoned")
        elif status != "ok":
            self.summary.refused[value.code or f"HTTP {value.status}"] += 1
            outcome.Error = f"{value.code}: {value.message}"
            # still Accepted on the server: its slot comes free when the Deadline passes
            deadline = (datetime.fromisoformat(assignment["Deadline"]) - self._t0).total_seconds()
            self._push(deadline + self.behaviour.resolution, -1, "free", (hit, assignment["AssignmentId"]))
            self._held[assignment["AssignmentId"]] = deadline + self.behaviour.resolution
        elif action == "return":
            outcome.Outcome = "Returned"
            if len(plan) > 3 and plan[3]:
                outcome.Error = plan[3]
            self.summary._count(hit.hit_type_id, hit.title, "returned")
            hit.free += 1
            self._held.pop(assignment["AssignmentId"], None)
        else:
            outcome.Outcome, outcome.Answers = "Submitted", _printable(plan[4])
            self.summary._count(hit.hit_type_id, hit.title, "submitted")
            self._held.pop(assignment["AssignmentId"], None)
        if worker.visits_left is not None:
            worker.visits_left -= 1
            if worker.visits_left <= 0:
                return  # the worker's visit is over
        self._push(self._now + self._think(worker), worker.index, "look")

    def _discover(self, listed: list[dict]) -> None:
        for view in listed:
            if view["HITId"] in self._hits:
                continue
            self._hits[view["HITId"]] = _Hit(
                view["HITId"], view["HITTypeId"], view["Title"], view["NumberOfAssignmentsAvailable"],
                datetime.fromisoformat(view["Expiration"]), view["AssignmentDurationInSeconds"], len(self._hits))
        self._capacity = sum(h.free + h.taken for h in self._hits.values())

    def _accepted(self, worker: _Worker, hit: _Hit, assignment: dict, ordinal: int) -> None:
        self.summary._count(hit.hit_type_id, hit.title, "accepted")
        outcome = Outcome(assignment["AssignmentId"], hit.hit_id, hit.hit_type_id, worker.worker_id, "Accepted")
        self.summary.assignments.append(outcome)
        self._outcomes[outcome.AssignmentId] = outcome
        b, rng = self.behaviour, worker.rng
        work = b.work_seconds * math.exp(rng.gauss(0, b.work_spread)) if b.work_seconds else 0.0
        deadline = (datetime.fromisoformat(assignment["Deadline"]) - self._t0).total_seconds()
        # the work counts from the server's own instant of accepting: under a clock someone else moves
        # (follow), that can be later than the moment the crowd planned the accept for
        accepted_at = assignment.get("AcceptTime")
        start = max(self._now, (datetime.fromisoformat(accepted_at) - self._t0).total_seconds()
                    if accepted_at else self._now)
        fate = rng.random()
        if fate < b.return_rate:
            self._push(start + work * rng.uniform(0.1, 0.6), worker.index, "finish",
                       ("return", assignment, hit, ordinal))
            self._held[assignment["AssignmentId"]] = start + work
        elif fate < b.return_rate + b.abandon_rate:
            # the worker walks away; the server abandons the assignment at its Deadline and frees the slot
            self._push(self._now, worker.index, "finish", ("abandon", assignment, hit, ordinal))
            self._push(deadline + b.resolution, -1, "free", (hit, assignment["AssignmentId"]))
            self._held[assignment["AssignmentId"]] = deadline + b.resolution
        else:
            # work that would run past the Deadline is cut short: a simulated worker always submits in time
            finish = min(start + work, max(start, deadline - 2 * b.resolution))
            self._push(finish, worker.index, "finish", ("submit", assignment, hit, ordinal))
            self._held[assignment["AssignmentId"]] = finish

    def _think(self, worker: _Worker) -> float:
        mean = self.behaviour.think_seconds
        return worker.rng.expovariate(1 / mean) if mean else 0.0


def _printable(answers: dict) -> dict:
    return {name: ({"File": f"{len(value['File'])} bytes"} if isinstance(value, dict) and "File" in value else value)
            for name, value in answers.items()}
