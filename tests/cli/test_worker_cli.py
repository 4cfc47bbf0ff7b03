"""`kempelen worker ...` as a person or a shell script runs it, against a live server; HITs come from boto3."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import uuid

import httpx

from tests.api.helpers import QUESTION_FORM, answers_xml, create_hit
from tests.commands import kempelen as run_kempelen


def kempelen(server, *args: str, stdin: str | None = None,
             env: dict | None = None) -> subprocess.CompletedProcess:
    """The command as a subprocess, pointed at `server` the way a user would: KEMPELEN_ENDPOINT."""
    return run_kempelen(*args, stdin=stdin, env={"KEMPELEN_ENDPOINT": server.endpoint, **(env or {})})


def ok(server, *args: str, stdin: str | None = None) -> str:
    result = kempelen(server, *args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(server, *args: str) -> list[str]:
    """The stderr lines of a command the server refused."""
    result = kempelen(server, *args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    return result.stderr.splitlines()


def new_worker(server) -> str:
    return ok(server, "worker", "create").splitlines()[0]


def accept(server, worker: str, hit: dict) -> str:
    return ok(server, "worker", "accept", "--worker", worker, "--hit", hit["HITId"]).strip()


def answer_of(mturk, assignment_id: str) -> str:
    return mturk.get_assignment(AssignmentId=assignment_id)["Assignment"]["Answer"]


def free_text(name: str, text: str) -> str:
    return f"<Answer><QuestionIdentifier>{name}</QuestionIdentifier><FreeText>{text}</FreeText></Answer>"


def test_help_lists_the_commands():
    top = subprocess.run([sys.executable, "-m", "kempelen.cli", "--help"], capture_output=True, text=True)
    assert top.returncode == 0 and "worker" in top.stdout
    worker = subprocess.run([sys.executable, "-m", "kempelen.cli", "worker", "--help"], capture_output=True, text=True)
    assert worker.returncode == 0
    for command in ("create", "hits", "preview", "accept", "submit", "return", "assignments", "show"):
        assert re.search(rf"^\s+{command}\b", worker.stdout, re.MULTILINE), command


def test_create_a_random_worker_and_use_its_token(server):
    lines = ok(server, "worker", "create").splitlines()
    assert len(lines) == 2 and re.fullmatch(r"A[A-Z0-9]{12,}", lines[0])
    name, token = lines[1].split("=", 1)
    assert name == "KEMPELEN_WORKER_TOKEN"
    me = httpx.get(f"{server.endpoint}/api/worker", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["WorkerId"] == lines[0]


def test_create_a_chosen_worker_id_once(server):
    chosen = "A" + uuid.uuid4().hex.upper()
    created = json.loads(ok(server, "worker", "create", "--worker-id", chosen, "--json"))
    assert set(created) == {"WorkerId", "Token"} and created["WorkerId"] == chosen
    assert refused(server, "worker", "create", "--worker-id", chosen) == [
        f"kempelen: WorkerAlreadyExists: Worker {chosen} already exists."]
    [invalid] = refused(server, "worker", "create", "--worker-id", "bob")
    assert invalid.startswith("kempelen: InvalidWorkerId: The WorkerId 'bob' is not valid")


def test_hits_lists_what_the_worker_may_take(server, mturk):
    title = f"Sort the socks {uuid.uuid4().hex[:6]}"
    hit = create_hit(mturk, Title=title, Reward="0.07", MaxAssignments=2)
    worker = new_worker(server)
    table = ok(server, "worker", "hits", "--worker", worker, "--hit-type", hit["HITTypeId"]).splitlines()
    assert table[0].split() == ["HITId", "Reward", "Title", "Available"]
    assert table[1].split() == [hit["HITId"], "0.07", *title.split(), "2"]
    assert len(table) == 2
    listed = json.loads(ok(server, "worker", "hits", "--worker", worker, "--hit-type", hit["HITTypeId"], "--json"))
    assert [h["HITId"] for h in listed["HITs"]] == [hit["HITId"]]
    everything = ok(server, "worker", "hits", "--worker", worker)
    assert hit["HITId"] in everything

    accept(server, worker, hit)  # a HIT the worker has taken is no longer one it may take
    assert ok(server, "worker", "hits", "--worker", worker, "--hit-type", hit["HITTypeId"]) == \
        f"No HITs are available to {worker}.\n"


def test_preview(server, mturk):
    hit = create_hit(mturk)
    worker = new_worker(server)
    shown = ok(server, "worker", "preview", "--worker", worker, "--hit", hit["HITId"])
    assert f"HITId: {hit['HITId']}" in shown and "QuestionType: ExternalQuestion" in shown
    assert "assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE" in shown
    previewed = json.loads(ok(server, "worker", "preview", "--worker", worker, "--hit", hit["HITId"], "--json"))
    assert previewed["HITId"] == hit["HITId"] and previewed["Question"] == hit["Question"]
    [line] = refused(server, "worker", "preview", "--worker", worker, "--hit", "3NOSUCHHIT0000000000")
    assert line == "kempelen: HITDoesNotExist: Hit 3NOSUCHHIT0000000000 does not exist."


def test_accept_by_hit_then_by_hit_type(server, mturk):
    first = create_hit(mturk, Title=f"Count birds {uuid.uuid4().hex[:6]}")
    second = mturk.create_hit_with_hit_type(HITTypeId=first["HITTypeId"], Question=first["Question"],
                                            LifetimeInSeconds=3600, MaxAssignments=1)["HIT"]
    worker = new_worker(server)
    by_hit = accept(server, worker, first)
    assert re.fullmatch(r"[0-9A-Z]{30}", by_hit)

    by_type = json.loads(ok(server, "worker", "accept", "--worker", worker, "--hit-type", first["HITTypeId"],
                            "--json"))
    assert by_type["HITId"] == second["HITId"] and by_type["AssignmentStatus"] == "Accepted"
    assert f"assignmentId={by_type['AssignmentId']}" in by_type["FrameURL"]

    [twice] = refused(server, "worker", "accept", "--worker", worker, "--hit", first["HITId"])
    assert twice.startswith(f"kempelen: HITAlreadyTaken: You have already worked on Hit {first['HITId']}")
    [none_left] = refused(server, "worker", "accept", "--worker", worker, "--hit-type", first["HITTypeId"])
    assert none_left.startswith("kempelen: NoHITAvailable: ")


def test_submit_answers_to_an_external_question(server, mturk):
    hit = create_hit(mturk)
    worker = new_worker(server)
    assignment = accept(server, worker, hit)
    status = ok(server, "worker", "submit", "--worker", worker, "--assignment", assignment,
                "--answer", "colour=red", "--answer", "note=x=1 & y<2", "--answer", "colour=blue")
    assert status == "Submitted\n"
    assert answer_of(mturk, assignment) == answers_xml(free_text("colour", "red|blue"),
                                                       free_text("note", "x=1 &amp; y&lt;2"))


def test_submit_a_question_form_with_repeated_selections(server, mturk):
    hit = create_hit(mturk, Question=QUESTION_FORM)
    worker = new_worker(server)
    assignment = accept(server, worker, hit)
    ok(server, "worker", "submit", "--worker", worker, "--assignment", assignment,
       "--answer", "nextmove=B2", "--answer", "fruits=apples", "--answer", "fruits=plums")
    assert answer_of(mturk, assignment) == answers_xml(
        free_text("nextmove", "B2"),
        "<Answer><QuestionIdentifier>fruits</QuestionIdentifier><SelectionIdentifier>apples</SelectionIdentifier>"
        "<SelectionIdentifier>plums</SelectionIdentifier></Answer>")


def test_submit_an_answers_file_in_json_and_in_xml(server, mturk, tmp_path):
    hits = [create_hit(mturk, Question=QUESTION_FORM) for _ in range(3)]
    worker = new_worker(server)
    as_json, as_xml, from_stdin = (accept(server, worker, hit) for hit in hits)

    json_file = tmp_path / "answers.json"
    json_file.write_text('  {"nextmove": "A1", "age": 33,\n'
                         ' "fruits": {"SelectionIdentifiers": ["pears"], "OtherSelectionText": "quince"}}')
    ok(server, "worker", "submit", "--worker", worker, "--assignment", as_json, "--answers-file", str(json_file))
    assert answer_of(mturk, as_json) == answers_xml(
        free_text("nextmove", "A1"), free_text("age", "33"),
        "<Answer><QuestionIdentifier>fruits</QuestionIdentifier><SelectionIdentifier>pears</SelectionIdentifier>"
        "<OtherSelectionText>quince</OtherSelectionText></Answer>")

    document = answers_xml(free_text("nextmove", "C3"),
                           "<Answer><QuestionIdentifier>fruits</QuestionIdentifier>"
                           "<SelectionIdentifier>plums</SelectionIdentifier></Answer>")
    xml_file = tmp_path / "answers.xml"
    xml_file.write_text("\n  " + document)
    ok(server, "worker", "submit", "--worker", worker, "--assignment", as_xml, "--answers-file", str(xml_file))
    assert answer_of(mturk, as_xml) == document

    ok(server, "worker", "submit", "--worker", worker, "--assignment", from_stdin, "--answers-file", "-",
       stdin='{"nextmove": "B3", "fruits": "apples"}')
    assert answer_of(mturk, from_stdin) == answers_xml(
        free_text("nextmove", "B3"),
        "<Answer><QuestionIdentifier>fruits</QuestionIdentifier><SelectionIdentifier>apples</SelectionIdentifier>"
        "</Answer>")


def test_an_answer_breaking_its_specification_is_refused_naming_the_question(server, mturk):
    hit = create_hit(mturk, Question=QUESTION_FORM)
    worker = new_worker(server)
    assignment = accept(server, worker, hit)
    lines = refused(server, "worker", "submit", "--worker", worker, "--assignment", assignment,
                    "--answer", "fruits=apples", "--answer", "age=12")
    assert lines[0].startswith("kempelen: AnswerInvalid: The answer to question age was refused: ")
    assert [line.split(":")[0] for line in lines[1:]] == ["  age", "  nextmove"]
    assert lines[2] == "  nextmove: This question requires an answer."
    # Nothing was recorded: the worker can still submit a correct answer.
    assert ok(server, "worker", "submit", "--worker", worker, "--assignment", assignment,
              "--answer", "nextmove=A2", "--answer", "fruits=apples") == "Submitted\n"


def test_return_then_submitting_is_refused(server, mturk):
    hit = create_hit(mturk)
    worker = new_worker(server)
    assignment = accept(server, worker, hit)
    assert ok(server, "worker", "return", "--worker", worker, "--assignment", assignment) == "Returned\n"
    [line] = refused(server, "worker", "submit", "--worker", worker, "--assignment", assignment,
                     "--answer", "colour=red")
    assert line.startswith(f"kempelen: AssignmentNotActive: Assignment {assignment} can no longer be worked on: "
                           "it is Returned.")
    [again] = refused(server, "worker", "return", "--worker", worker, "--assignment", assignment)
    assert again.startswith("kempelen: AssignmentNotActive: ")


def test_assignments_and_show(server, mturk):
    title = f"Weigh the cat {uuid.uuid4().hex[:6]}"
    submitted_hit, returned_hit = create_hit(mturk, Title=title), create_hit(mturk, Title=title)
    worker = new_worker(server)
    assert ok(server, "worker", "assignments", "--worker", worker) == f"{worker} has no assignments.\n"
    submitted, returned = accept(server, worker, submitted_hit), accept(server, worker, returned_hit)
    ok(server, "worker", "submit", "--worker", worker, "--assignment", submitted, "--answer", "colour=red")
    ok(server, "worker", "return", "--worker", worker, "--assignment", returned)

    table = ok(server, "worker", "assignments", "--worker", worker).splitlines()
    assert table[0].split() == ["AssignmentId", "HITId", "Status", "Reward", "Title"]
    assert sorted(row.split()[:4] for row in table[1:]) == sorted([
        [submitted, submitted_hit["HITId"], "Submitted", "0.50"],
        [returned, returned_hit["HITId"], "Returned", "0.50"]])
    listed = json.loads(ok(server, "worker", "assignments", "--worker", worker, "--json"))
    assert {a["AssignmentId"]: a["AssignmentStatus"] for a in listed["Assignments"]} == {
        submitted: "Submitted", returned: "Returned"}

    shown = ok(server, "worker", "show", "--worker", worker).splitlines()
    assert shown[0] == f"WorkerId: {worker}"
    assert "  NumberOfAssignmentsSubmitted: 1" in shown and "  NumberOfAssignmentsReturned: 1" in shown
    [missing] = refused(server, "worker", "show", "--worker", "ANOSUCHWORKER")
    assert missing.startswith("kempelen: ") and "ANOSUCHWORKER" in missing


def test_a_wrong_admin_token_is_refused(server):
    [line] = refused(server, "worker", "create", "--admin-token", "not-the-token")
    assert line.startswith("kempelen: NotAuthorized: ")


def test_an_unreachable_endpoint(server):
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    for args in (["worker", "show", "--worker", "AX", "--endpoint", endpoint],
                 ["worker", "hits", "--worker", "AX"]):
        result = kempelen(server, *args, env={"KEMPELEN_ENDPOINT": endpoint})
        assert result.returncode == 1
        assert result.stderr.startswith(f"kempelen: cannot reach {endpoint}: ")


def test_bad_usage_exits_2(server, tmp_path):
    not_answers = tmp_path / "answers.txt"
    not_answers.write_text("colour: red")
    for args in (["worker", "accept", "--worker", "AX"],
                 ["worker", "accept", "--worker", "AX", "--hit", "H", "--hit-type", "T"],
                 ["worker", "submit", "--worker", "AX", "--assignment", "A"],
                 ["worker", "submit", "--worker", "AX", "--assignment", "A", "--answer", "no-equals-sign"],
                 ["worker", "submit", "--worker", "AX", "--assignment", "A", "--answers-file", str(not_answers)],
                 ["worker", "hits"]):
        result = kempelen(server, *args)
        assert result.returncode == 2, args
        assert "usage: kempelen worker" in result.stderr
