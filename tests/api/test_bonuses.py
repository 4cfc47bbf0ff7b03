"""SendBonus, ListBonusPayments and NotifyWorkers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from helpers import create_hit, error_of


def submitted(mturk, workforce, **hit):
    created = create_hit(mturk, **hit)
    worker = workforce.new()
    assignment = worker.accept(created["HITId"])
    worker.submit(assignment, {"x": "1"})
    return created, worker, assignment["AssignmentId"]


def test_bonus_rules(mturk, workforce):
    hit, worker, assignment_id = submitted(mturk, workforce)
    other = workforce.new()
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.send_bonus(WorkerId=other.worker_id, BonusAmount="1.00", AssignmentId=assignment_id, Reason="x")
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.InvalidParameterValue"
    in_progress = workforce.new().accept(create_hit(mturk)["HITId"])
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.send_bonus(WorkerId=in_progress["WorkerId"], BonusAmount="1.00",
                         AssignmentId=in_progress["AssignmentId"], Reason="x")
    assert error_of(excinfo)[1].startswith(f"Assignment {in_progress['AssignmentId']} does not exist.")
    with pytest.raises(mturk.exceptions.ClientError) as excinfo:
        mturk.send_bonus(WorkerId=worker.worker_id, BonusAmount="1.001", AssignmentId=assignment_id, Reason="x")
    assert error_of(excinfo)[0] == "ValidationException"
    mturk.reject_assignment(AssignmentId=assignment_id, RequesterFeedback="no")
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.send_bonus(WorkerId=worker.worker_id, BonusAmount="1.00", AssignmentId=assignment_id, Reason="x")
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.InvalidAssignmentState"


def test_bonuses_are_listed_by_hit_and_by_assignment(mturk, workforce):
    hit, worker, assignment_id = submitted(mturk, workforce, MaxAssignments=2)
    mturk.approve_assignment(AssignmentId=assignment_id)
    for amount in ("0.10", "0.20", "0.30"):
        mturk.send_bonus(WorkerId=worker.worker_id, BonusAmount=amount, AssignmentId=assignment_id,
                         Reason=f"bonus {amount}")
    pages, token = [], None
    while True:
        page = mturk.list_bonus_payments(HITId=hit["HITId"], MaxResults=2, **({"NextToken": token} if token else {}))
        pages.append([b["BonusAmount"] for b in page["BonusPayments"]])
        if not page["BonusPayments"]:
            assert "NextToken" not in page
            break
        token = page["NextToken"]
    assert pages == [["0.10", "0.20"], ["0.30"], []]
    by_assignment = mturk.list_bonus_payments(AssignmentId=assignment_id)["BonusPayments"]
    assert by_assignment[0]["WorkerId"] == worker.worker_id and by_assignment[0]["Reason"] == "bonus 0.10"
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.list_bonus_payments()
    assert error_of(excinfo)[2] == "AWS.MissingParameters"


def test_a_repeated_token_pays_once_even_under_concurrent_retries(server, workforce):
    credentials = server.create_requester(mode="ledger", balance="10.00")
    clients = [server.client(credentials) for _ in range(10)]
    hit, worker, assignment_id = submitted(clients[0], workforce, Reward="0.10")
    start = Barrier(len(clients))

    def pay(client):
        start.wait()
        try:
            client.send_bonus(WorkerId=worker.worker_id, BonusAmount="1.00", AssignmentId=assignment_id,
                              Reason="thanks", UniqueRequestToken="bonus-once")
            return "paid"
        except client.exceptions.RequestError as exc:
            return exc.response["Error"]["Message"]

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        outcomes = list(pool.map(pay, clients))
    assert outcomes.count("paid") == 1
    refusals = [o for o in outcomes if o != "paid"]
    assert all(o.startswith('The idempotency token "bonus-once" has already been processed.') for o in refusals)
    assert len(clients[0].list_bonus_payments(AssignmentId=assignment_id)["BonusPayments"]) == 1
    # 10.00 - held 3 x 0.12 (one submitted assignment, two free slots) - 1.20 for one bonus with its fee
    assert clients[0].get_account_balance()["AvailableBalance"] == "8.44"


def test_notify_workers(mturk, workforce):
    hit, worker, assignment_id = submitted(mturk, workforce)
    stranger = workforce.new()
    mturk.approve_assignment(AssignmentId=assignment_id)
    result = mturk.notify_workers(Subject="Thanks", MessageText="More HITs tomorrow.",
                                  WorkerIds=[worker.worker_id, stranger.worker_id, "ANOSUCHWORKER"])
    failures = {f["WorkerId"]: f for f in result["NotifyWorkersFailureStatuses"]}
    assert set(failures) == {stranger.worker_id, "ANOSUCHWORKER"}
    assert failures[stranger.worker_id]["NotifyWorkersFailureCode"] == "HardFailure"
    inbox = worker._client.call("GET", "/api/worker/messages", worker_id=worker.worker_id)
    assert [(m["Subject"], m["Body"]) for m in inbox["Messages"]][-1] == ("Thanks", "More HITs tomorrow.")
    with pytest.raises(mturk.exceptions.RequestError):
        mturk.notify_workers(Subject="x" * 201, MessageText="m", WorkerIds=[worker.worker_id])
    with pytest.raises(mturk.exceptions.RequestError):
        mturk.notify_workers(Subject="s", MessageText="m", WorkerIds=[f"A{i:013d}" for i in range(101)])
