"""Ledger-mode accounts: holds, charges and fees through a HIT's whole life, bonuses, insufficient funds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from helpers import create_hit, error_of


@pytest.fixture
def ledger(server):
    """A requester in ledger mode with $10.00, and its client."""
    credentials = server.create_requester(mode="ledger", balance="10.00")
    return server.client(credentials), credentials


def balance(mturk) -> tuple[str, str]:
    response = mturk.get_account_balance()
    return response["AvailableBalance"], response["OnHoldBalance"]


def test_sandbox_requesters_always_have_10000(mturk):
    create_hit(mturk, MaxAssignments=100)
    response = mturk.get_account_balance()
    assert response["AvailableBalance"] == "10000.00" and "OnHoldBalance" not in response


def test_a_hits_life_in_the_ledger(server, ledger, workforce, clock):
    mturk, credentials = ledger
    assert balance(mturk) == ("10.00", "0.00")
    hit = create_hit(mturk, Reward="0.50", MaxAssignments=3, AutoApprovalDelayInSeconds=86400)
    # 3 x (0.50 + 20% fee 0.10) held
    assert balance(mturk) == ("8.20", "1.80")

    a, b, c = workforce.new(), workforce.new(), workforce.new()
    assignment_a = a.accept(hit["HITId"])
    a.submit(assignment_a, {"x": "1"})
    assignment_b = b.accept(hit["HITId"])
    b.submit(assignment_b, {"x": "2"})
    c.return_(c.accept(hit["HITId"]))
    assert balance(mturk) == ("8.20", "1.80")  # two submitted, one free slot: all still held

    mturk.approve_assignment(AssignmentId=assignment_a["AssignmentId"])
    assert balance(mturk) == ("8.20", "1.20")  # 0.60 charged
    mturk.reject_assignment(AssignmentId=assignment_b["AssignmentId"], RequesterFeedback="no")
    assert balance(mturk) == ("8.80", "0.60")  # rejected work costs nothing
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    assert balance(mturk) == ("9.40", "0.00")  # the unused slot is released at expiry

    clock.advance(1)  # the statement is in time order
    mturk.send_bonus(WorkerId=a.worker_id, BonusAmount="1.00", AssignmentId=assignment_a["AssignmentId"],
                     Reason="Great work")
    assert balance(mturk) == ("8.20", "0.00")  # 1.00 + 20% fee
    mturk.send_bonus(WorkerId=a.worker_id, BonusAmount="0.03", AssignmentId=assignment_a["AssignmentId"],
                     Reason="A little more")
    assert balance(mturk) == ("8.16", "0.00")  # the $0.01 minimum fee

    # An overturned rejection is paid then.
    clock.advance(1)
    mturk.approve_assignment(AssignmentId=assignment_b["AssignmentId"], OverrideRejection=True)
    assert balance(mturk) == ("7.56", "0.00")
    assert a.statistics() and a._client.me(a.worker_id)["Earnings"] == {
        "Rewards": "0.50", "Bonuses": "1.03", "Total": "1.53"}

    statement = server.admin("GET", f"/_kempelen/requesters/{credentials['AccessKeyId']}/statement")
    assert [(line["Kind"], line["Amount"]) for line in statement["Lines"]] == [
        ("Funds", "10.00"), ("Approval", "-0.60"), ("Bonus", "-1.20"), ("Bonus", "-0.04"), ("Approval", "-0.60")]
    assert statement["Lines"][-1]["Balance"] == "7.56" and statement["AvailableBalance"] == "7.56"


def test_abandonment_and_auto_approval(ledger, workforce, clock):
    mturk, _ = ledger
    hit = create_hit(mturk, Reward="1.00", MaxAssignments=1, AssignmentDurationInSeconds=60,
                     LifetimeInSeconds=3600, AutoApprovalDelayInSeconds=600)
    worker = workforce.new()
    worker.accept(hit["HITId"])
    clock.advance(61)  # abandoned: the slot is free again, still held while the HIT is open
    assert balance(mturk) == ("8.80", "1.20")
    assignment = workforce.new().accept(hit["HITId"])
    workforce.get(assignment["WorkerId"]).submit(assignment, {"x": "1"})
    clock.advance(600)  # auto-approved: charged
    assert balance(mturk) == ("8.80", "0.00")


def test_fees_for_large_batches_and_masters(ledger):
    mturk, _ = ledger
    create_hit(mturk, Reward="0.25", MaxAssignments=10)  # 40%: 10 x 0.35
    assert balance(mturk) == ("6.50", "3.50")
    create_hit(mturk, Reward="1.00", MaxAssignments=2, QualificationRequirements=[
        {"QualificationTypeId": "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6", "Comparator": "Exists"}])  # 25%: 2 x 1.25
    assert balance(mturk) == ("4.00", "6.00")


def test_insufficient_funds_change_nothing(server, workforce):
    mturk = server.client(server.create_requester(mode="ledger", balance="1.00"))
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        create_hit(mturk, Reward="0.50", MaxAssignments=2)  # 1.20 > 1.00
    message, code = error_of(excinfo)[1:]
    assert code == "AWS.MechanicalTurk.InsufficientFunds"
    assert message.startswith("This Requester has insufficient funds in their account to complete this transaction.")
    assert mturk.list_hits()["HITs"] == [] and balance(mturk) == ("1.00", "0.00")

    hit = create_hit(mturk, Reward="0.50", MaxAssignments=1)
    assert balance(mturk) == ("0.40", "0.60")
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=1)
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.InsufficientFunds"
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["MaxAssignments"] == 1
    worker = workforce.new()
    assignment = worker.accept(hit["HITId"])
    worker.submit(assignment, {"x": "1"})
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.send_bonus(WorkerId=worker.worker_id, BonusAmount="0.40", AssignmentId=assignment["AssignmentId"],
                         Reason="more than is left")  # 0.40 + 0.08
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.InsufficientFunds"
    assert mturk.list_bonus_payments(AssignmentId=assignment["AssignmentId"])["BonusPayments"] == []


def test_concurrent_spending_cannot_overdraw(server):
    credentials = server.create_requester(mode="ledger", balance="3.00")
    clients = [server.client(credentials) for _ in range(8)]
    start = Barrier(len(clients))

    def create(client):
        start.wait()
        try:
            create_hit(client, Reward="0.50", MaxAssignments=1)  # 0.60 each: only 5 fit
            return "created"
        except client.exceptions.RequestError as exc:
            return exc.response["TurkErrorCode"]

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        outcomes = list(pool.map(create, clients))
    assert outcomes.count("created") == 5
    assert set(outcomes) == {"created", "AWS.MechanicalTurk.InsufficientFunds"}
    assert balance(clients[0]) == ("0.00", "3.00")


def test_funds_and_statement_admin_routes(server):
    credentials = server.create_requester(mode="ledger", balance="5.00")
    result = server.admin("POST", f"/_kempelen/requesters/{credentials['AccessKeyId']}/funds",
                          {"amount": "2.50", "memo": "top-up"})
    assert result["AvailableBalance"] == "7.50"
    mturk = server.client(credentials)
    assert balance(mturk) == ("7.50", "0.00")
