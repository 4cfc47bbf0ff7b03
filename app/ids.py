"""Identifier formats, as MTurk minted them.

Entity ids (HITs, HIT types, assignments, qualification types) are 30 characters of [0-9A-Z] starting
with "3"; worker ids are "A" followed by uppercase letters and digits (14 characters in all).

`kempelen serve --seed S` (``seed(S)``) makes ids reproducible, so a rerun against a fresh server makes the
same ones: each kind of id comes from its own generator seeded with S, and an assignment's id is a keyed hash
of its HIT and worker (a worker takes a HIT at most once), so it does not depend on the order in which
concurrent accepts arrive. Secrets (secret access keys, tokens) stay random whatever the seed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import re
import secrets
import string
import threading

_ALPHABET = string.digits + string.ascii_uppercase
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"

ENTITY_ID = re.compile(r"^[A-Z0-9]+$")
WORKER_ID = re.compile(r"^A[A-Z0-9]+$")


class _SeededIds:
    """One `random.Random` per kind of id, seeded from the run's seed; guarded, as requests mint ids from
    several threads."""

    def __init__(self, seed: str, streams: dict | None = None):
        self.seed = seed
        self._lock = threading.Lock()
        self._streams: dict[str, random.Random] = {}
        for kind, state in (streams or {}).items():
            self._stream(kind).setstate(_tuple_state(state))

    def _stream(self, kind: str) -> random.Random:
        stream = self._streams.get(kind)
        if stream is None:
            stream = self._streams[kind] = random.Random(f"{self.seed}/{kind}")
        return stream

    def draw(self, kind: str, alphabet: str, length: int) -> str:
        with self._lock:
            stream = self._stream(kind)
            return "".join(stream.choice(alphabet) for _ in range(length))

    def keyed(self, alphabet: str, length: int, *parts: str) -> str:
        digest = hmac.new(self.seed.encode(), "\x1f".join(parts).encode(), hashlib.sha512).digest()
        number = int.from_bytes(digest, "big")
        chars = []
        for _ in range(length):
            number, index = divmod(number, len(alphabet))
            chars.append(alphabet[index])
        return "".join(chars)

    def state(self) -> dict:
        with self._lock:
            return {"seed": self.seed, "streams": {kind: _list_state(stream.getstate())
                                                    for kind, stream in self._streams.items()}}

    def restart(self, kinds: set[str] | None) -> None:
        with self._lock:
            for kind in list(self._streams):
                if kinds is None or kind in kinds:
                    del self._streams[kind]


def _list_state(state: tuple) -> list:
    version, internal, gauss = state
    return [version, list(internal), gauss]


def _tuple_state(state: list) -> tuple:
    version, internal, gauss = state
    return version, tuple(internal), gauss


_seeded: _SeededIds | None = None


def seed(value: str | int | None) -> None:
    """Reproducible ids from now on (None: random again, the default)."""
    global _seeded
    _seeded = None if value is None else _SeededIds(str(value))


def seeded() -> bool:
    return _seeded is not None


def generator_state() -> dict | None:
    """Where each seeded generator stands (None when ids are random): kept with a snapshot, so restoring it
    and rerunning makes the same ids again."""
    return _seeded.state() if _seeded is not None else None


def restore_generator_state(state: dict | None) -> None:
    global _seeded
    if state is not None:
        _seeded = _SeededIds(state["seed"], state["streams"])


def restart_generators(kinds: set[str] | None = None) -> None:
    """Start these kinds' seeded generators over (after a reset emptied the tables their ids live in)."""
    if _seeded is not None:
        _seeded.restart(kinds)


#: the generators a reset of activity (not accounts) may start over; see kempelen.store.reset
ACTIVITY_KINDS = frozenset({"entity"})


def _random(alphabet: str, length: int, kind: str) -> str:
    if _seeded is not None:
        return _seeded.draw(kind, alphabet, length)
    return _uniform(alphabet, length)


def _uniform(alphabet: str, length: int) -> str:
    """`length` characters drawn uniformly from `alphabet` (at most 256) by the OS's generator: random bytes,
    keeping those below the largest multiple of the alphabet's size, so every character is equally likely.
    One read of random bytes instead of a secrets.choice per character (a tenth of a CreateHIT's work)."""
    size = len(alphabet)
    limit = 256 - 256 % size
    drawn: list[str] = []
    while len(drawn) < length:
        drawn += [alphabet[byte % size] for byte in secrets.token_bytes(length + 8) if byte < limit]
    return "".join(drawn[:length])


# the version (4) and RFC 4122 variant bits of a UUID as a 128-bit integer
_UUID_CLEAR = ~((0xF << 76) | (0x3 << 62))
_UUID_SET = (0x4 << 76) | (0x2 << 62)
# Seeded from the OS once, and again in a forked child; a generator of its own, so that nothing seeding the
# module's (a test runner, say) makes two runs' request ids alike.
_REQUEST_IDS = random.Random()
os.register_at_fork(after_in_child=_REQUEST_IDS.seed)


def request_id() -> str:
    """A RequestId (x-amzn-RequestId): a random (version 4) UUID, as AWS sends. It names a request in logs
    and is no secret, so a Mersenne Twister draws it: a read of the OS's generator per request cost more
    than the rest of building it, and uuid.uuid4() with str() twice."""
    digits = "%032x" % (_REQUEST_IDS.getrandbits(128) & _UUID_CLEAR | _UUID_SET)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def entity_id() -> str:
    """A HITId, HITTypeId, HITGroupId or QualificationTypeId (and the ids of requests and review actions)."""
    return "3" + _random(_ALPHABET, 29, "entity")


def assignment_id(hit_id: str, worker_id: str) -> str:
    """An AssignmentId; under a seed, fixed by the HIT and the worker, whatever order accepts arrive in."""
    if _seeded is not None:
        return "3" + _seeded.keyed(_ALPHABET, 29, "assignment", hit_id, worker_id)
    return "3" + _random(_ALPHABET, 29, "assignment")


def worker_id() -> str:
    return "A" + _random(_ALPHABET, 13, "worker")


def access_key_id() -> str:
    return "AKIA" + _random(string.ascii_uppercase + "234567", 16, "access_key")


def secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))  # a secret: never seeded


def customer_id() -> str:
    """The requester's own MTurk customer id (shown as CustomerId in notification messages)."""
    return "A" + _random(_ALPHABET, 13, "customer")
