"""`kempelen requester ...` (ledger accounts) and `kempelen worker profile | qualification ...`, run as a user
runs them against a live server; the requester's side is boto3."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

from kempelen.domain.qualifications import LOCALE
from tests.api.helpers import create_hit
from tests.commands import kempelen as run_kempelen

TEST = (
    '<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/'
    'QuestionForm.xsd">'
    '<Question><QuestionIdentifier>bird</QuestionIdentifier><IsRequired>true</IsRequired>'
    '<QuestionContent><Text>Which is a bird?</Text></QuestionContent><AnswerSpecification><SelectionAnswer>'
    '<StyleSuggestion>radiobutton</StyleSuggestion><Selections>'
    '<Selection><SelectionIdentifier>bat</SelectionIdentifier><Text>Bat</Text></Selection>'
    '<Selection><SelectionIdentifier>robin</SelectionIdentifier><Text>Robin</Text></Selection>'
    '</Selections></SelectionAnswer></AnswerSpecification></Question>'
    '</QuestionForm>')
ANSWER_KEY = (
    '<AnswerKey xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/AnswerKey.xsd">'
    '<Question><QuestionIdentifier>bird</QuestionIdentifier>'
    '<AnswerOption><SelectionIdentifier>robin</SelectionIdentifier><AnswerScore>10</AnswerScore></AnswerOption>'
    '<AnswerOption><SelectionIdentifier>bat</SelectionIdentifier><AnswerScore>3</AnswerScore></AnswerOption>'
    '</Question></AnswerKey>')


def kempelen(server, *args: str) -> subprocess.CompletedProcess:
    return run_kempelen(*args, env={"KEMPELEN_ENDPOINT": server.endpoint})


def ok(server, *args: str) -> str:
    result = kempelen(server, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(server, *args: str) -> list[str]:
    """The stderr lines of a command the server refused (exit 1)."""
    result = kempelen(server, *args)
    assert (result.returncode, result.stdout) == (1, ""), (result.stdout, result.stderr)
    return result.stderr.splitlines()


def misused(server, *args: str) -> str:
    """The usage error of a command refused before it reached anything (exit 2)."""
    result = kempelen(server, *args)
    assert (result.returncode, result.stdout) == (2, ""), (result.stdout, result.stderr)
    return result.stderr.splitlines()[-1]


def create_requester(server, *options: str) -> dict:
    """`kempelen requester create` straight into the running server's database."""
    return json.loads(ok(server, "requester", "create", "--json", "--database-url", server.database_url,
                         *options))


def new_worker(server) -> str:
    return ok(server, "worker", "create").splitlines()[0]


def create_type(mturk, **params) -> str:
    return mturk.create_qualification_type(Name=f"Birds-{uuid.uuid4().hex[:8]}", Description="Tell birds apart.",
                                           QualificationTypeStatus="Active", **params
                                           )["QualificationType"]["QualificationTypeId"]


def row_of(table: str, first_column: str) -> list[str]:
    [row] = [line.split() for line in table.splitlines() if line.startswith(first_column + " ")]
    return row


# --- requesters ---------------------------------------------------------------------------------------


def test_help_lists_the_new_commands():
    for group, commands in (("requester", ("create", "fund", "statement")),
                            ("worker", ("profile", "qualification-types", "request-qualification", "answer-test",
                                        "qualifications", "messages"))):
        shown = subprocess.run([sys.executable, "-m", "kempelen.cli", group, "--help"], capture_output=True, text=True)
        assert shown.returncode == 0
        for command in commands:
            assert re.search(rf"^\s+{command}\b", shown.stdout, re.MULTILINE), command


def test_a_ledger_requesters_funds_charges_and_statement(server, clock, workforce):
    keys = create_requester(server, "--mode", "ledger", "--balance", "100.00", "--name", "lab")
    mturk = server.client(keys)
    assert mturk.get_account_balance()["AvailableBalance"] == "100.00"
    # The command dates the opening balance by the wall clock; the server's manual clock is put after it so
    # the statement's order (and running balance) is the order things were done in.
    behind = (datetime.now(timezone.utc) - server.now()).total_seconds()
    if behind > -60:
        clock.advance(behind + 60)

    funded = ok(server, "requester", "fund", keys["AccessKeyId"], "25.00", "--memo", "top up")
    assert funded == "AvailableBalance: 125.00\nOnHoldBalance: 0.00\n"
    clock.advance(1)
    hit = create_hit(mturk, Reward="0.50", MaxAssignments=1)
    worker = workforce.new()
    assignment = worker.accept(hit["HITId"])
    worker.submit(assignment, {"x": "1"})
    clock.advance(1)
    mturk.approve_assignment(AssignmentId=assignment["AssignmentId"])  # 0.50 + 0.10 fee
    clock.advance(1)
    assert ok(server, "requester", "fund", keys["AccessKeyId"], "-4.40") == \
        "AvailableBalance: 120.00\nOnHoldBalance: 0.00\n"
    create_hit(mturk, Reward="1.00", MaxAssignments=2)  # 2 x (1.00 + 0.20) held

    shown = ok(server, "requester", "statement", keys["AccessKeyId"])
    table, totals = shown.split("\n\n")
    lines = table.splitlines()
    assert lines[0].split() == ["Time", "(UTC)", "Kind", "Amount", "Balance", "Memo"]
    assert [line.split()[2:6] for line in lines[1:]] == [
        ["Funds", "100.00", "100.00", "opening"], ["Funds", "25.00", "125.00", "top"],
        ["Approval", "-0.60", "124.40", "Assignment"], ["Funds", "-4.40", "120.00"]]
    assert f"Assignment {assignment['AssignmentId']} of HIT {hit['HITId']}" in lines[3]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", lines[1][:19])
    assert lines[4].rstrip().endswith("120.00")  # amounts are right-aligned, the memo is empty
    assert totals == "AvailableBalance: 117.60\nOnHoldBalance: 2.40\n"
    assert mturk.get_account_balance()["AvailableBalance"] == "117.60"

    as_json = json.loads(ok(server, "requester", "statement", keys["AccessKeyId"], "--json"))
    assert (as_json["AvailableBalance"], as_json["OnHoldBalance"], as_json["Funds"], as_json["Charged"]) == \
        ("117.60", "2.40", "120.60", "0.60")
    assert [(line["Kind"], line["Amount"], line["Balance"], line["Memo"]) for line in as_json["Lines"]][:2] == \
        [("Funds", "100.00", "100.00", "opening balance"), ("Funds", "25.00", "125.00", "top up")]


def test_a_new_ledger_requester_without_funds(server):
    keys = create_requester(server, "--mode", "ledger")
    assert server.client(keys).get_account_balance()["AvailableBalance"] == "0.00"
    assert ok(server, "requester", "statement", keys["AccessKeyId"]) == (
        f"No money has moved in {keys['AccessKeyId']}'s account.\n\nAvailableBalance: 0.00\nOnHoldBalance: 0.00\n")


def test_create_refuses_a_balance_without_the_ledger(server):
    assert misused(server, "requester", "create", "--balance", "5.00", "--database-url", server.database_url) == \
        "kempelen requester create: error: --balance needs --mode ledger (a sandbox requester always has 10000.00)"
    assert "invalid choice: 'bank'" in misused(server, "requester", "create", "--mode", "bank")
    assert "got '5.001'" in misused(server, "requester", "create", "--mode", "ledger", "--balance", "5.001")
    # The default is still a sandbox requester.
    keys = create_requester(server)
    assert server.client(keys).get_account_balance()["AvailableBalance"] == "10000.00"


def test_fund_and_statement_refusals(server):
    sandbox = server.create_requester()
    for command in (("fund", sandbox["AccessKeyId"], "5.00"), ("statement", sandbox["AccessKeyId"])):
        [line] = refused(server, "requester", *command)
        assert line == (f"kempelen: RequesterInSandboxMode: Requester {sandbox['AccessKeyId']} is in sandbox "
                        "mode: its balance is always 10000.00 and nothing is charged.")
        [line] = refused(server, "requester", command[0], "AKIANOSUCHREQUESTER0", *command[2:])
        assert line == "kempelen: RequesterDoesNotExist: No active requester AKIANOSUCHREQUESTER0."

    ledger = server.create_requester(mode="ledger", balance="1.00")
    for amount in ("1.234", "ten", "-5.001"):
        assert "AMOUNT: expected an amount in dollars such as 25.00" in \
            misused(server, "requester", "fund", ledger["AccessKeyId"], amount), amount
    [line] = refused(server, "requester", "fund", ledger["AccessKeyId"], "1.00", "--admin-token", "wrong")
    assert line.startswith("kempelen: NotAuthorized: A valid admin token is required")
    assert ok(server, "requester", "fund", ledger["AccessKeyId"], "0.5") == \
        "AvailableBalance: 1.50\nOnHoldBalance: 0.00\n"  # nothing above went through


# --- a worker's profile -------------------------------------------------------------------------------


def test_worker_profile_shows_and_sets_the_locale_adult_and_masters(server, mturk):
    worker = new_worker(server)
    assert ok(server, "worker", "profile", "--worker", worker) == \
        f"WorkerId: {worker}\nCountry: US\nAdult: no\nMasters: no\n"
    hit = create_hit(mturk, QualificationRequirements=[{
        "QualificationTypeId": LOCALE, "Comparator": "EqualTo",
        "LocaleValues": [{"Country": "US", "Subdivision": "CA"}], "ActionsGuarded": "Accept"}])
    [line] = refused(server, "worker", "accept", "--worker", worker, "--hit", hit["HITId"])
    assert line.startswith("kempelen: QualificationRequirementNotMet: ")

    assert ok(server, "worker", "profile", "--worker", worker, "--country", "US", "--subdivision", "CA",
              "--adult", "--masters") == f"WorkerId: {worker}\nCountry: US\nSubdivision: CA\nAdult: yes\nMasters: yes\n"
    ok(server, "worker", "accept", "--worker", worker, "--hit", hit["HITId"])  # now in California

    # A subdivision alone keeps the country; a country alone replaces the whole locale.
    assert "Country: US\nSubdivision: NY\n" in ok(server, "worker", "profile", "--worker", worker,
                                                  "--subdivision", "NY")
    assert json.loads(ok(server, "worker", "profile", "--worker", worker, "--country", "DE", "--no-masters",
                         "--json")) == {"WorkerId": worker, "Locale": {"Country": "DE"}, "Adult": True,
                                        "Masters": False}

    assert refused(server, "worker", "profile", "--worker", worker, "--country", "USA") == [
        "kempelen: InvalidParameterValue: Country 'USA' is not an ISO 3166-1 alpha-2 code such as US or DE."]
    assert refused(server, "worker", "profile", "--worker", worker, "--subdivision", "BY") == [
        "kempelen: InvalidParameterValue: A Subdivision can be set only for the Country US, as on MTurk."]
    assert refused(server, "worker", "profile", "--worker", "ANOSUCHWORKER1", "--adult") == [
        "kempelen: WorkerDoesNotExist: Worker ANOSUCHWORKER1 does not exist."]
    assert ok(server, "worker", "profile", "--worker", worker) == \
        f"WorkerId: {worker}\nCountry: DE\nAdult: yes\nMasters: no\n"  # the refusals changed nothing


# --- qualifications, as a worker ----------------------------------------------------------------------


def test_take_a_qualification_test(server, mturk, tmp_path):
    type_id = create_type(mturk, Test=TEST, TestDurationInSeconds=600, AnswerKey=ANSWER_KEY)
    worker = new_worker(server)
    listed = ok(server, "worker", "qualification-types", "--worker", worker)
    assert listed.splitlines()[0].split() == ["QualificationTypeId", "Name", "Test", "Request", "Score",
                                              "RequestableAt", "(UTC)"]
    row = row_of(listed, type_id)
    assert row[2:5] == ["yes", "-", "-"] and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", " ".join(row[5:]))

    started = ok(server, "worker", "request-qualification", "--worker", worker, "--type", type_id).splitlines()
    assert started[0] == "TestStarted"
    request_id = started[1].removeprefix("QualificationRequestId: ")
    assert re.fullmatch(r"[0-9A-Z]{30}", request_id) and started[2].startswith("TestDeadline: ")
    assert started[3:] == [TEST]
    assert row_of(ok(server, "worker", "qualification-types", "--worker", worker), type_id)[3:] == \
        ["TestStarted", "-", "-"]
    [line] = refused(server, "worker", "request-qualification", "--worker", worker, "--type", type_id)
    assert line.startswith(f"kempelen: QualificationRequestInProgress: You already have a request for this "
                           f"qualification ({request_id})")

    lines = refused(server, "worker", "answer-test", "--worker", worker, "--request", request_id,
                    "--answer", "bird=crow")
    assert lines[0].startswith("kempelen: AnswerInvalid: ") and lines[1].startswith("  bird: ")
    assert ok(server, "worker", "answer-test", "--worker", worker, "--request", request_id,
              "--answer", "bird=robin") == "Granted\nIntegerValue: 10\n"
    [line] = refused(server, "worker", "answer-test", "--worker", worker, "--request", request_id,
                     "--answer", "bird=bat")
    assert line.startswith("kempelen: QualificationTestNotActive: ")

    mine = ok(server, "worker", "qualifications", "--worker", worker)
    assert mine.splitlines()[0].split() == ["QualificationTypeId", "Name", "Status", "IntegerValue", "GrantTime",
                                            "(UTC)"]
    assert row_of(mine, type_id)[-4:-2] == ["Granted", "10"]
    # No RetryDelayInSeconds: one request per worker, ever.
    assert row_of(ok(server, "worker", "qualification-types", "--worker", worker), type_id)[3:] == \
        ["Granted", "10", "never"]

    # Another worker answers from a JSON file; a bat scores 3.
    other = new_worker(server)
    started = json.loads(ok(server, "worker", "request-qualification", "--worker", other, "--type", type_id,
                            "--json"))
    assert started["Status"] == "TestStarted" and started["Test"] == TEST
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"bird": ["bat"]}))
    assert ok(server, "worker", "answer-test", "--worker", other, "--request",
              started["QualificationRequestId"], "--answers-file", str(answers)) == "Granted\nIntegerValue: 3\n"
    [line] = refused(server, "worker", "answer-test", "--worker", other, "--request", request_id,
                     "--answer", "bird=robin")  # the first worker's request is not this one's
    assert line == f"kempelen: QualificationRequestDoesNotExist: QualificationRequest {request_id} does not exist."


def test_a_request_reviewed_by_the_owner_and_the_inbox(server, mturk):
    type_id = create_type(mturk, RetryDelayInSeconds=3600)
    worker = new_worker(server)
    assert ok(server, "worker", "messages", "--worker", worker) == f"{worker} has no messages.\n"
    assert ok(server, "worker", "qualifications", "--worker", worker) == f"{worker} has no qualifications.\n"

    assert ok(server, "worker", "request-qualification", "--worker", worker, "--type", type_id) == "Pending\n"
    assert row_of(ok(server, "worker", "qualification-types", "--worker", worker), type_id)[3:] == \
        ["Pending", "-", "-"]
    [request] = mturk.list_qualification_requests(QualificationTypeId=type_id)["QualificationRequests"]
    mturk.reject_qualification_request(QualificationRequestId=request["QualificationRequestId"],
                                       Reason="Watch birds for a year first.")
    row = row_of(ok(server, "worker", "qualification-types", "--worker", worker), type_id)
    assert row[3:5] == ["Rejected", "-"]
    assert datetime.strptime(" ".join(row[5:]), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc) == \
        server.now().replace(microsecond=0) + timedelta(hours=1)  # RetryDelayInSeconds after the request

    inbox = ok(server, "worker", "messages", "--worker", worker)
    header, subject, *body = inbox.splitlines()
    assert re.fullmatch(r"From: \S+   Sent: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", header)
    assert subject.startswith("Subject: ") and "rejected" in subject.lower()
    assert "Watch birds for a year first." in "\n".join(body)
    [message] = json.loads(ok(server, "worker", "messages", "--worker", worker, "--json"))["Messages"]
    assert header.startswith(f"From: {message['RequesterId']}   ")

    granted = create_type(mturk, AutoGranted=True, AutoGrantedValue=5)
    assert ok(server, "worker", "request-qualification", "--worker", worker, "--type", granted) == \
        "Granted\nIntegerValue: 5\n"
    [line] = refused(server, "worker", "request-qualification", "--worker", worker, "--type", "3NOSUCHTYPE")
    assert line == "kempelen: QualificationTypeDoesNotExist: QualificationType 3NOSUCHTYPE does not exist."
