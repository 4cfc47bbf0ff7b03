"""Races settled by the database: concurrent accepts never exceed MaxAssignments."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from kempelen.testing import KempelenError
from helpers import create_hit


def test_200_concurrent_accepts_on_10_assignments(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=10)
    workers = [workforce.new() for _ in range(200)]
    start = Barrier(len(workers))

    def accept(worker):
        start.wait()  # release every request at once
        try:
            return worker.accept(hit["HITId"])["AssignmentId"]
        except KempelenError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        outcomes = list(pool.map(accept, workers))
    accepted = [o for o in outcomes if o.startswith("3")]
    assert len(accepted) == 10 and len(set(accepted)) == 10
    assert set(outcomes) - set(accepted) == {"HITNotAvailable"}
    got = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert (got["HITStatus"], got["NumberOfAssignmentsPending"], got["NumberOfAssignmentsAvailable"]) == \
        ("Unassignable", 10, 0)


def test_concurrent_accepts_by_one_worker_take_one_slot(mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=5)
    worker = workforce.new()
    start = Barrier(20)

    def accept(_):
        start.wait()
        try:
            return worker.accept(hit["HITId"])["AssignmentId"]
        except KempelenError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(accept, range(20)))
    assert sum(o.startswith("3") for o in outcomes) == 1
    assert set(o for o in outcomes if not o.startswith("3")) == {"HITAlreadyTaken"}
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["NumberOfAssignmentsAvailable"] == 4


def test_concurrent_accept_next_fills_a_hit_type_exactly(mturk, workforce):
    first = create_hit(mturk, MaxAssignments=3)
    second = create_hit(mturk, MaxAssignments=3)  # same properties: same HIT type
    assert first["HITTypeId"] == second["HITTypeId"]
    workers = [workforce.new() for _ in range(12)]
    start = Barrier(len(workers))

    def accept(worker):
        start.wait()
        try:
            return worker.accept_next(first["HITTypeId"])["HITId"]
        except KempelenError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        outcomes = list(pool.map(accept, workers))
    assert sorted(outcomes) == sorted([first["HITId"]] * 3 + [second["HITId"]] * 3 + ["NoHITAvailable"] * 6)
