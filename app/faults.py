"""Faults on demand: make the server misbehave the way MTurk did under load, so client code's retries are
tested before they meet a real outage. Off by default; nothing here runs until a rule is set.

A rule names a kind of fault, the operations it applies to (Requester API operation names such as
``CreateHIT``; for ``duplicate-notification`` the EventTypes such as ``AssignmentSubmitted``; absent or
``["*"]``: all), and the share of matching requests it hits:

- ``throttle``: answered ``400 {"__type": "com.amazon.coral.availability#ThrottlingException",
  "message": "Rate exceeded"}``, the Coral envelope botocore's retry handlers class as throttling;
- ``service-fault``: answered MTurk's ``500 ServiceFault`` (``AWS.ServiceUnavailable``), a transient error;
- ``latency``: the request waits ``latency_ms`` before it is handled (the server's other requests do not);
- ``duplicate-notification``: a delivered notification is sent a second time (SQS and SNS are at least once).

Throttled and faulted requests never reach their operation: nothing changes. Which requests are hit is
deterministic by default: a rule with share 0.25 hits every fourth matching request (the shares add up and a
request is hit each time the sum passes a whole number), so a test knows what its client will see. With
``seed`` the choice is random instead, reproducibly. ``count`` stops a rule after that many hits.

Rules live in the server process: set them with ``KEMPELEN_FAULTS`` (a JSON list of rules) for every process,
or through ``PUT /_kempelen/faults`` for the process that answers it.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field

from kempelen import errors

KINDS = ("throttle", "service-fault", "latency", "duplicate-notification")
ERROR_KINDS = {"throttle", "service-fault"}


@dataclass
class FaultRule:
    kind: str
    operations: frozenset[str] | None = None  # None: every operation (or event type)
    share: float = 1.0
    latency_ms: int = 0
    count: int | None = None
    seed: int | None = None
    hits: int = 0
    seen: int = 0
    _sum: float = 0.0
    _random: random.Random | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, raw: dict) -> FaultRule:
        if not isinstance(raw, dict):
            raise ValueError("each fault rule is a JSON object")
        unknown = set(raw) - {"kind", "operations", "share", "latency_ms", "count", "seed"}
        if unknown:
            raise ValueError(f"unknown member(s) in a fault rule: {', '.join(sorted(unknown))}")
        kind = raw.get("kind")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        operations = raw.get("operations")
        if operations is not None:
            if isinstance(operations, str):
                operations = [operations]
            if not isinstance(operations, list) or not all(isinstance(o, str) and o for o in operations):
                raise ValueError("operations is a list of operation (or EventType) names")
            operations = None if "*" in operations else frozenset(operations)
        share = raw.get("share", 1.0)
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise ValueError("share is a number from 0 to 1")
        latency_ms = raw.get("latency_ms", 0)
        if isinstance(latency_ms, bool) or not isinstance(latency_ms, int) or not 0 <= latency_ms <= 60_000:
            raise ValueError("latency_ms is a whole number of milliseconds from 0 to 60000")
        if kind == "latency" and not latency_ms:
            raise ValueError("a latency rule needs latency_ms")
        count = raw.get("count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise ValueError("count is a whole number from 1")
        seed = raw.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError("seed is a whole number")
        return cls(kind, operations, float(share), latency_ms, count, seed,
                   _random=random.Random(seed) if seed is not None else None)

    def applies_to(self, name: str | None) -> bool:
        return self.operations is None or name in self.operations

    def fires(self) -> bool:
        """Whether this matching request is hit (call under the Faults lock)."""
        if self.count is not None and self.hits >= self.count:
            return False
        self.seen += 1
        if self._random is not None:
            hit = self._random.random() < self.share
        else:
            self._sum += self.share
            hit = self._sum >= 1 - 1e-9
            if hit:
                self._sum -= 1
        self.hits += hit
        return hit

    def describe(self) -> dict:
        view = {"kind": self.kind, "operations": sorted(self.operations) if self.operations else ["*"],
                "share": self.share, "hits": self.hits, "seen": self.seen}
        for name in ("latency_ms", "count", "seed"):
            if getattr(self, name):
                view[name] = getattr(self, name)
        return view


@dataclass(frozen=True)
class Injection:
    """What a request gets: a delay first, then (maybe) an error instead of its operation."""
    delay_seconds: float
    error: errors.ServiceError | None


class Faults:
    def __init__(self, rules: list[dict] | None = None):
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        #: the one thing an ordinary request reads: False unless some rule is set
        self.active = False
        if rules:
            self.set(rules)

    @classmethod
    def from_setting(cls, text: str | None) -> Faults:
        if not text:
            return cls()
        try:
            rules = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"KEMPELEN_FAULTS is not JSON: {exc}") from None
        return cls(rules if isinstance(rules, list) else [rules])

    def set(self, rules: list[dict]) -> list[dict]:
        """Replace every rule (ValueError names the first bad one, and nothing changes)."""
        if not isinstance(rules, list):
            raise ValueError("the fault rules are a JSON list")
        parsed = [FaultRule.parse(rule) for rule in rules]
        with self._lock:
            self._rules = parsed
            self.active = bool(parsed)
        return self.describe()

    def clear(self) -> None:
        self.set([])

    def describe(self) -> list[dict]:
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def for_request(self, operation: str | None) -> Injection | None:
        """The injection for one Requester API request, or None to handle it normally."""
        delay, error = 0.0, None
        with self._lock:
            for rule in self._rules:
                if rule.kind == "duplicate-notification" or not rule.applies_to(operation):
                    continue
                if rule.kind == "latency":
                    if rule.fires():
                        delay += rule.latency_ms / 1000
                elif error is None and rule.fires():
                    error = errors.throttling() if rule.kind == "throttle" else errors.ServiceFault()
        return Injection(delay, error) if delay or error else None

    def duplicate(self, event_type: str) -> bool:
        """Whether a notification just delivered is to be sent once more."""
        with self._lock:
            return any(rule.fires() for rule in self._rules
                       if rule.kind == "duplicate-notification" and rule.applies_to(event_type))
