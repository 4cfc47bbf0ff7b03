"""The worker API: accounts, authentication, finding and previewing HITs, QuestionForm answers."""

from __future__ import annotations

import httpx
import pytest

from kempelen.testing import KempelenError
from helpers import QUESTION_FORM, answers_xml, create_hit


def refused(call) -> KempelenError:
    with pytest.raises(KempelenError) as excinfo:
        call()
    return excinfo.value


def test_worker_ids_random_and_chosen(workforce):
    worker = workforce.new()
    assert worker.worker_id.startswith("A") and len(worker.worker_id) == 14 and worker.worker_id.isalnum()
    chosen = workforce.new(f"ATEST{worker.worker_id[1:]}")
    assert chosen.worker_id == f"ATEST{worker.worker_id[1:]}"
    assert refused(lambda: workforce.new(chosen.worker_id)).code == "WorkerAlreadyExists"
    for bad in ("a123", "B123", "A12-3", "A" * 65, "A"):
        assert refused(lambda: workforce.new(bad)).code == "InvalidWorkerId"


def test_authentication(server, workforce):
    worker = workforce.new()
    with httpx.Client(base_url=server.endpoint) as http:
        me = http.get("/api/worker", headers={"Authorization": f"Bearer {worker.token}"})
        assert me.status_code == 200 and me.json()["WorkerId"] == worker.worker_id
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": worker.token}):
            response = http.get("/api/worker/hits", headers=headers)
            assert response.status_code == 401 and response.json()["Error"]["Code"] == "NotAuthorized"
        admin = {"Authorization": f"Bearer {server.admin_token}"}
        assert http.get("/api/worker", headers=admin).json()["Error"]["Code"] == "MissingWorkerId"
        unknown = http.get("/api/worker", headers={**admin, "X-Kempelen-Worker-Id": "ANOBODY"})
        assert unknown.status_code == 404 and unknown.json()["Error"]["Code"] == "WorkerDoesNotExist"
        # Creating workers needs the admin token, not a worker's.
        assert http.post("/api/workers", json={}, headers={"Authorization": f"Bearer {worker.token}"}
                         ).status_code == 401


def test_the_listing_shows_what_the_worker_may_take(mturk, workforce):
    worker, other = workforce.new(), workforce.new()
    open_hit = create_hit(mturk, MaxAssignments=1)
    taken = create_hit(mturk, MaxAssignments=2)
    full = create_hit(mturk, MaxAssignments=1)
    expired = create_hit(mturk)
    mturk.update_expiration_for_hit(HITId=expired["HITId"], ExpireAt=0)
    worker.accept(taken["HITId"])
    other.accept(full["HITId"])
    seen = {hit["HITId"]: hit for hit in worker.hits()}
    assert open_hit["HITId"] in seen
    assert not {taken["HITId"], full["HITId"], expired["HITId"]} & set(seen)
    assert taken["HITId"] in {hit["HITId"] for hit in other.hits()}
    listed = seen[open_hit["HITId"]]
    assert (listed["Reward"], listed["Title"], listed["NumberOfAssignmentsAvailable"], listed["HITStatus"]) == \
        ("0.50", "Label the picture", 1, "Assignable")
    only_type = worker.hits(hit_type_id=open_hit["HITTypeId"])
    assert {hit["HITTypeId"] for hit in only_type} == {open_hit["HITTypeId"]}


def test_listing_pages(server, mturk, workforce):
    worker = workforce.new()
    mine = {create_hit(mturk, Title="paged listing")["HITId"] for _ in range(5)}
    client = worker._client
    found, token = [], None
    while True:
        page = client.hits(worker.worker_id, max_results=2, next_token=token)
        found += [hit["HITId"] for hit in page["HITs"]]
        if not page["HITs"]:
            assert page["NextToken"] is None
            break
        token = page["NextToken"]
    assert mine <= set(found) and len(found) == len(set(found))
    assert refused(lambda: client.hits(worker.worker_id, next_token="garbage")).code == "InvalidNextToken"
    assert refused(lambda: client.hits(worker.worker_id, max_results=101)).code == "InvalidParameterValue"


def test_preview_shows_the_question(mturk, workforce):
    worker = workforce.new()
    hit = create_hit(mturk, Question=QUESTION_FORM)
    preview = worker.preview(hit["HITId"])
    assert preview["QuestionType"] == "QuestionForm" and preview["Question"] == QUESTION_FORM
    assert preview["FrameURL"] is None
    assert refused(lambda: worker.preview("3" + "Z" * 29)).code == "HITDoesNotExist"


def test_accept_next_by_hit_group(mturk, workforce):
    hit = create_hit(mturk, Title="by group")
    assignment = workforce.new().accept_next(hit["HITGroupId"])
    assert assignment["HITId"] == hit["HITId"] and assignment["HITGroupId"] == hit["HITGroupId"]
    assert refused(lambda: workforce.new().accept_next("3NOSUCHTYPE")).code == "NoHITAvailable"


def test_question_form_answers_are_checked_and_written_as_mturk_did(mturk, workforce):
    hit = create_hit(mturk, Question=QUESTION_FORM, MaxAssignments=2)
    worker = workforce.new()
    a = worker.accept(hit["HITId"])
    for answers, question, reason in (
            ({"age": "30", "fruits": ["apples"]}, "nextmove", "requires an answer"),
            ({"nextmove": "D4", "fruits": ["apples"]}, "nextmove", "Use A1..C3"),
            ({"nextmove": "A1", "age": "12", "fruits": ["apples"]}, "age", "18"),
            ({"nextmove": "A1", "fruits": {"SelectionIdentifiers": ["apples", "pears", "plums"],
                                            "OtherSelectionText": "quince"}}, "fruits", "at most 3"),
            ({"nextmove": "A1", "age": "old"}, "age", "number"),
            ({"nextmove": "A1", "fruits": ["kiwis"]}, "fruits", "kiwis"),
            ({"nextmove": "A1", "colour": "red"}, "colour", "no question")):
        error = refused(lambda: worker.submit(a, answers))
        assert error.code == "AnswerInvalid" and question in error.message, (answers, error.message)
        assert reason.lower() in error.message.lower(), (answers, error.message)
        assert error.details[0]["QuestionIdentifier"] == question
    assert worker.assignment(a)["AssignmentStatus"] == "Accepted"  # a refusal keeps nothing

    worker.submit(a, {"nextmove": "B2", "age": 41,
                      "fruits": {"SelectionIdentifiers": ["apples", "pears"], "OtherSelectionText": "quince"}})
    answer = mturk.get_assignment(AssignmentId=a["AssignmentId"])["Assignment"]["Answer"]
    assert answer == answers_xml(
        "<Answer><QuestionIdentifier>nextmove</QuestionIdentifier><FreeText>B2</FreeText></Answer>",
        "<Answer><QuestionIdentifier>age</QuestionIdentifier><FreeText>41</FreeText></Answer>",
        "<Answer><QuestionIdentifier>fruits</QuestionIdentifier><SelectionIdentifier>apples</SelectionIdentifier>"
        "<SelectionIdentifier>pears</SelectionIdentifier><OtherSelectionText>quince</OtherSelectionText></Answer>")


def test_answers_as_a_question_form_answers_document(mturk, workforce):
    hit = create_hit(mturk, Question=QUESTION_FORM)
    worker = workforce.new()
    a = worker.accept(hit["HITId"])
    document = answers_xml(
        "<Answer><QuestionIdentifier>nextmove</QuestionIdentifier><FreeText>C3</FreeText></Answer>",
        "<Answer><QuestionIdentifier>fruits</QuestionIdentifier><SelectionIdentifier>plums</SelectionIdentifier>"
        "</Answer>")
    assert refused(lambda: worker.submit(a, "<QuestionFormAnswers/>")).code == "AnswerInvalid"
    worker.submit(a, document.replace('encoding="ASCII"', 'encoding="UTF-8"'))
    assert mturk.get_assignment(AssignmentId=a["AssignmentId"])["Assignment"]["Answer"] == document


def test_the_workers_own_assignments(mturk, workforce):
    worker = workforce.new()
    hits = [create_hit(mturk) for _ in range(3)]
    kept = worker.accept(hits[0]["HITId"])
    worker.return_(worker.accept(hits[1]["HITId"]))
    worker.submit(worker.accept(hits[2]["HITId"]), {"x": "1"})
    mine = worker.assignments()
    assert [a["AssignmentStatus"] for a in mine] == ["Accepted", "Returned", "Submitted"]
    assert mine[0]["AssignmentId"] == kept["AssignmentId"] and mine[0]["FrameURL"]
    assert "FrameURL" not in mine[2]
    other = workforce.new()
    assert refused(lambda: other.assignment(kept)).code == "AssignmentDoesNotExist"
    assert refused(lambda: other.submit(kept, {"x": "1"})).code == "AssignmentDoesNotExist"
    stats = worker.statistics()
    assert (stats["NumberOfAssignmentsAccepted"], stats["NumberOfAssignmentsPending"],
            stats["NumberOfAssignmentsReturned"], stats["NumberOfAssignmentsSubmitted"]) == (3, 1, 1, 1)


def test_malformed_submissions(mturk, workforce, server):
    hit = create_hit(mturk)
    worker = workforce.new()
    a = worker.accept(hit["HITId"])
    with httpx.Client(base_url=server.endpoint, headers={
            "Authorization": f"Bearer {worker.token}"}) as http:
        path = f"/api/worker/assignments/{a['AssignmentId']}/submit"
        both = http.post(path, json={"Answers": {}, "QuestionFormAnswers": "<x/>"})
        assert both.status_code == 400 and both.json()["Error"]["Code"] == "AnswerInvalid"
        unknown = http.post(path, json={"Answer": {}})
        assert unknown.status_code == 400 and unknown.json()["Error"]["Code"] == "ValidationException"
        nested = http.post(path, json={"Answers": {"q": {"deep": 1}}})
        assert nested.status_code == 400
    assert worker.assignment(a)["AssignmentStatus"] == "Accepted"
