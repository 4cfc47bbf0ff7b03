"""The loop every fuzzer runs: send each case on one keep-alive connection, check the answer, compare the
database's fingerprint, count, and at the end print the counts and fail with every problem found."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from tests.fuzz.fingerprint import Fingerprinter
from tests.fuzz.report import FINGERPRINT_EVERY, ITERATIONS, Tally
from tests.fuzz.wire import Connection, Response

#: (case, response) -> why the answer is wrong, or None
Check = Callable[[object, Response], "str | None"]
#: (connection, case) -> the server's answer
Send = Callable[[Connection, object], Response]


class Run:
    def __init__(self, target, name: str):
        self.target = target
        self.tally = Tally(f"{name}-{target.kind}")
        self.fingerprint = Fingerprinter(target.url)
        self.connection = Connection("127.0.0.1", target.server.port)

    def _send(self, unit: str, case, send: Send, check: Check) -> Response | None:
        try:
            response = send(self.connection, case)
        except (ConnectionError, OSError) as exc:
            self.tally.fail(f"{unit} {case.kind} {case.notes}: connection: {exc!r}")
            return None
        problem = check(case, response) if response.status >= 400 or case.kind != "extreme_valid" else None
        self.tally.add(unit, case.kind if case.kind != "extreme_valid" else
                       ("taken" if response.status < 400 else "refused"), response.status)
        if problem:
            self.tally.fail(f"{unit} {case.kind} {case.notes}: {problem}")
        return response

    def refusals(self, unit: str, make_case: Callable[[], object], send: Send, check: Check) -> None:
        """ITERATIONS cases that must all be refused; the database compared every FINGERPRINT_EVERY."""
        expected = self.fingerprint()
        for number in range(1, ITERATIONS + 1):
            self._send(unit, make_case(), send, check)
            if number % FINGERPRINT_EVERY == 0 or number == ITERATIONS:
                self.tally.fingerprints += 1
                if self.fingerprint() != expected:
                    self.tally.fail(f"{unit}: the database changed within requests up to #{number}")
                    expected = self.fingerprint()

    def takes_or_refuses(self, unit: str, count: int, make_case: Callable[[], object], send: Send,
                         check: Check) -> None:
        """Cases the server may take; each refused one is checked and must leave the database as it was."""
        for _ in range(count):
            case = make_case()
            before = self.fingerprint()
            self.tally.fingerprints += 1
            response = self._send(unit, case, send, check)
            if response is not None and response.status >= 400 and self.fingerprint() != before:
                self.tally.fail(f"{unit} {case.notes}: refused, yet the database changed")


@contextlib.contextmanager
def fuzzing(target, name: str, capsys) -> Iterator[Run]:
    run = Run(target, name)
    started = time.monotonic()
    try:
        yield run
    finally:
        run.connection.close()
        run.fingerprint.close()
    with capsys.disabled():
        print("\n" + run.tally.write(time.monotonic() - started))
    assert not run.tally.failures, "\n".join(run.tally.failures)
    log = target.server.log()
    assert "Traceback" not in log, log[-3000:]
