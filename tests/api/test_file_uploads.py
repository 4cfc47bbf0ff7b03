"""FileUploadAnswer end to end: a worker uploads through the worker API (or a multipart externalSubmit),
the submission names the file, Assignment.Answer carries its size and key, and GetFileUploadURL (boto3)
gives a signed link that serves the bytes for 60 seconds of service time and then no more."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError

from kempelen.client import KempelenError
from helpers import EXTERNAL_QUESTION, QFA_NS, create_hit, error_of
from tests.site_helpers import signed_in

FORM_2005 = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd"
# MaxFileSizeInBytes before MinFileSizeInBytes, as the XSD orders them
QUESTION_FORM = (
    f'<QuestionForm xmlns="{FORM_2005}">'
    '<Question><QuestionIdentifier>photo</QuestionIdentifier><QuestionContent><Text>Your photo</Text>'
    '</QuestionContent><AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>20</MaxFileSizeInBytes>'
    '<MinFileSizeInBytes>10</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification></Question>'
    '<Question><QuestionIdentifier>caption</QuestionIdentifier><QuestionContent><Text>Caption</Text>'
    '</QuestionContent><AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question>'
    '</QuestionForm>')


def answer_document(*answers: str) -> str:
    return f'<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="{QFA_NS}">{"".join(answers)}' \
           "</QuestionFormAnswers>"


def file_part(question: str, size: int, key: str) -> str:
    return (f"<Answer><QuestionIdentifier>{question}</QuestionIdentifier><UploadedFileSizeInBytes>{size}"
            f"</UploadedFileSizeInBytes><UploadedFileKey>{key}</UploadedFileKey></Answer>")


def accepted(mturk, workforce, question: str = QUESTION_FORM):
    hit = create_hit(mturk, Question=question)
    worker = workforce.new()
    return worker, worker.accept(hit["HITId"])


def submitted_with_file(mturk, workforce, data: bytes = b"0123456789AB", **upload):
    """A worker's submitted assignment whose photo answer is `data`; (assignment, upload)."""
    worker, assignment = accepted(mturk, workforce)
    uploaded = worker.upload(assignment, "photo", data, **upload)
    worker.submit(assignment, {"photo": {"UploadedFileKey": uploaded["UploadedFileKey"]}})
    return assignment, uploaded


def refusal(call) -> KempelenError:
    with pytest.raises(KempelenError) as excinfo:
        call()
    return excinfo.value


def file_url(mturk, assignment: dict, question: str = "photo") -> str:
    return mturk.get_file_upload_url(AssignmentId=assignment["AssignmentId"],
                                     QuestionIdentifier=question)["FileUploadURL"]


def request_error(call) -> str:
    with pytest.raises(ClientError) as excinfo:
        call()
    code, message, turk_code = error_of(excinfo)
    assert code == "RequestError"
    return message.rsplit(" (", 1)[0]


# --- uploading ------------------------------------------------------------------------------------------


def test_upload_sizes_outside_the_bounds_are_refused_and_the_bounds_themselves_taken(mturk, workforce):
    worker, assignment = accepted(mturk, workforce)
    for size in (9, 21):
        refused = refusal(lambda: worker.upload(assignment, "photo", b"x" * size))
        assert (refused.status, refused.code) == (400, "AnswerInvalid")
        assert refused.message == (f"The file for question photo was refused: The file is {size} bytes; it must be "
                                   "between 10 and 20 bytes.")
        assert refused.details == [{"QuestionIdentifier": "photo", "Reason": refused.message.split(": ", 1)[1]}]
    smallest = worker.upload(assignment, "photo", b"s" * 10, "small.png", "image/png")
    largest = worker.upload(assignment, "photo", b"L" * 20)
    assert {key: smallest[key] for key in smallest if key != "UploadedFileKey"} == {
        "AssignmentId": assignment["AssignmentId"], "QuestionIdentifier": "photo",
        "UploadedFileSizeInBytes": 10, "FileName": "small.png", "ContentType": "image/png"}
    assert largest["UploadedFileSizeInBytes"] == 20
    assert smallest["UploadedFileKey"] != largest["UploadedFileKey"]


def test_uploads_only_for_file_questions_of_ones_own_accepted_assignment(mturk, workforce):
    worker, assignment = accepted(mturk, workforce)
    for question, why in (("caption", "it is a FreeTextAnswer question"),
                          ("nosuch", "the HIT has no question with this identifier")):
        refused = refusal(lambda: worker.upload(assignment, question, b"x" * 12))
        assert (refused.status, refused.code, refused.message) == (
            400, "NotAFileUploadQuestion", f"Question {question} takes no file upload: {why}.")
    refused = refusal(lambda: workforce.new().upload(assignment, "photo", b"x" * 12))
    assert (refused.status, refused.code) == (404, "AssignmentDoesNotExist")
    other, external = accepted(mturk, workforce, EXTERNAL_QUESTION)
    refused = refusal(lambda: other.upload(external, "photo", b"x" * 12))
    assert refused.message == ("Question photo takes no file upload: the HIT's Question is an ExternalQuestion, "
                               "whose own page takes care of files.")
    worker.submit(assignment, {"caption": "done"})
    refused = refusal(lambda: worker.upload(assignment, "photo", b"x" * 12))
    assert (refused.status, refused.code) == (409, "AssignmentNotActive")


def test_missing_file_part_is_explained(server, mturk, workforce):
    worker, assignment = accepted(mturk, workforce)
    response = httpx.post(f"{server.endpoint}/api/worker/assignments/{assignment['AssignmentId']}/files/photo",
                          data={"note": "no file"}, headers={"Authorization": f"Bearer {worker.token}"})
    assert response.status_code == 400
    assert response.json()["Error"]["Message"] == "Send the file as the multipart/form-data field named file."


# --- submitting -----------------------------------------------------------------------------------------


def test_the_answer_carries_the_size_and_key_of_the_named_file(mturk, workforce):
    worker, assignment = accepted(mturk, workforce)
    worker.upload(assignment, "photo", b"an earlier try")
    uploaded = worker.upload(assignment, "photo", b"0123456789AB")
    worker.submit(assignment, {"photo": {"UploadedFileKey": uploaded["UploadedFileKey"]}, "caption": "A cat"})
    answer = mturk.get_assignment(AssignmentId=assignment["AssignmentId"])["Assignment"]["Answer"]
    assert answer == answer_document(
        file_part("photo", 12, uploaded["UploadedFileKey"]),
        "<Answer><QuestionIdentifier>caption</QuestionIdentifier><FreeText>A cat</FreeText></Answer>")


def test_a_submission_may_name_only_a_file_uploaded_for_that_question_of_that_assignment(mturk, workforce):
    worker, assignment = accepted(mturk, workforce)
    elsewhere_worker, elsewhere = accepted(mturk, workforce)
    foreign = elsewhere_worker.upload(elsewhere, "photo", b"x" * 12)["UploadedFileKey"]
    own = worker.upload(assignment, "photo", b"x" * 12)["UploadedFileKey"]
    for answers in ({"photo": {"UploadedFileKey": foreign}}, {"photo": {"UploadedFileKey": "NOSUCHKEY"}},
                    {"caption": {"UploadedFileKey": own}}):
        question = next(iter(answers))
        refused = refusal(lambda: worker.submit(assignment, answers))
        assert (refused.code, refused.message) == ("AnswerInvalid", (
            f"The answer to {question} names no file uploaded for that question in this assignment: "
            f"{answers[question]['UploadedFileKey']!r}."))
    refused = refusal(lambda: worker.submit(assignment, {"photo": {"UploadedFileKey": own, "FreeText": "x"}}))
    assert refused.message == "The answer to photo is a file: UploadedFileKey goes alone."
    # a QuestionFormAnswers document must give the file's true size
    refused = refusal(lambda: worker.submit(assignment, answer_document(file_part("photo", 13, own))))
    assert refused.message == f"The answer to photo gives the wrong size for the uploaded file {own}."
    worker.submit(assignment, answer_document(file_part("photo", 12, own)))
    answer = mturk.get_assignment(AssignmentId=assignment["AssignmentId"])["Assignment"]["Answer"]
    assert answer == answer_document(file_part("photo", 12, own))


def test_multipart_external_submit_answers_a_file_question_by_its_field_name(server, mturk, workforce):
    worker, assignment = accepted(mturk, workforce)
    aid = assignment["AssignmentId"]
    browser, csrf = signed_in(server, worker.worker_id)  # a QuestionForm's answers come only from its worker
    response = browser.post("/mturk/externalSubmit", data={"assignmentId": aid, "caption": "Hi", "csrf_token": csrf},
                            files={"photo": ("cat.jpg", b"0123456789AB", "image/jpeg"),
                                   "ignored": ("other.txt", b"not a question", "text/plain")})
    assert response.status_code == 200, response.text
    answer = mturk.get_assignment(AssignmentId=aid)["Assignment"]["Answer"]
    key = answer.split("<UploadedFileKey>")[1].split("<")[0]
    assert answer == answer_document(
        "<Answer><QuestionIdentifier>caption</QuestionIdentifier><FreeText>Hi</FreeText></Answer>",
        file_part("photo", 12, key))
    served = httpx.get(file_url(mturk, assignment))
    assert (served.status_code, served.content, served.headers["content-type"]) == (200, b"0123456789AB",
                                                                                    "image/jpeg")


def test_multipart_external_submit_refuses_a_file_outside_the_bounds(server, mturk, workforce):
    worker, assignment = accepted(mturk, workforce)
    browser, csrf = signed_in(server, worker.worker_id)
    response = browser.post("/mturk/externalSubmit", data={"assignmentId": assignment["AssignmentId"],
                                                           "csrf_token": csrf},
                            files={"photo": ("big.bin", b"x" * 21, "application/octet-stream")})
    assert response.status_code == 400
    assert "The file is 21 bytes; it must be between 10 and 20 bytes." in response.text
    assert worker.assignment(assignment)["AssignmentStatus"] == "Accepted"


def test_a_question_form_is_not_submitted_through_external_submit_by_whoever_knows_the_assignment_id(
        server, mturk, workforce):
    worker, assignment = accepted(mturk, workforce)
    aid = assignment["AssignmentId"]
    other, other_csrf = signed_in(server, workforce.new().worker_id)
    own, own_csrf = signed_in(server, worker.worker_id)
    attempts = [
        httpx.post(f"{server.endpoint}/mturk/externalSubmit", data={"assignmentId": aid, "caption": "Hi"}),
        other.post("/mturk/externalSubmit", data={"assignmentId": aid, "caption": "Hi", "csrf_token": other_csrf}),
        own.post("/mturk/externalSubmit", data={"assignmentId": aid, "caption": "Hi"}),  # no CSRF token
        own.post("/mturk/externalSubmit", data={"assignmentId": aid, "caption": "Hi", "csrf_token": other_csrf}),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert "accepted only from the worker who holds the assignment" in response.text
    assert worker.assignment(assignment)["AssignmentStatus"] == "Accepted"


# --- GetFileUploadURL -----------------------------------------------------------------------------------


def test_the_link_serves_the_file_for_60_seconds_of_service_time(server, mturk, workforce, clock):
    assignment, _ = submitted_with_file(mturk, workforce, b"\x89PNG\r\n\x1a\n-data", filename='my "cat".png',
                                        content_type="image/png")
    url = file_url(mturk, assignment)
    assert url.startswith(f"{server.endpoint}/files/")
    served = httpx.get(url)
    assert served.status_code == 200
    assert served.content == b"\x89PNG\r\n\x1a\n-data"
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-disposition"] == \
        "attachment; filename=\"my _cat_.png\"; filename*=UTF-8''my%20%22cat%22.png"
    assert served.headers["x-content-type-options"] == "nosniff"
    clock.advance(59)
    assert httpx.get(url).status_code == 200
    clock.advance(2)
    expired = httpx.get(url)
    assert expired.status_code == 403 and b"-data" not in expired.content
    fresh = file_url(mturk, assignment)  # a new call gives a new minute
    assert fresh != url and httpx.get(fresh).content == b"\x89PNG\r\n\x1a\n-data"


def test_a_tampered_link_serves_nothing(server, mturk, workforce, clock):
    assignment, uploaded = submitted_with_file(mturk, workforce)
    other, _ = submitted_with_file(mturk, workforce, b"another file")
    url = urlsplit(file_url(mturk, assignment))
    query = dict(parse_qsl(url.query))
    signature, expires = query["Signature"], int(query["Expires"])
    base = f"{url.scheme}://{url.netloc}"
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    other_key = urlsplit(file_url(mturk, other)).path.rsplit("/", 1)[1]
    for path, params in ((url.path, {"Expires": expires, "Signature": flipped}),
                         (url.path, {"Expires": expires + 3_600_000, "Signature": signature}),
                         (f"/files/{other_key}", {"Expires": expires, "Signature": signature}),
                         (url.path, {}), (url.path, {"Expires": "soon", "Signature": signature})):
        response = httpx.get(f"{base}{path}?{urlencode(params)}")
        assert response.status_code == 403, (path, params)
        assert b"0123456789AB" not in response.content
    assert httpx.get(f"{base}{url.path}?{url.query}").content == b"0123456789AB"


def test_another_requester_is_told_the_assignment_does_not_exist(server, mturk, workforce):
    assignment, _ = submitted_with_file(mturk, workforce)
    stranger = server.client(server.create_requester())
    assert request_error(lambda: file_url(stranger, assignment)) == \
        f"Assignment {assignment['AssignmentId']} does not exist."


def test_no_link_without_a_submitted_file_for_a_file_question(mturk, workforce):
    worker, assignment = accepted(mturk, workforce)
    worker.upload(assignment, "photo", b"x" * 12)  # uploaded, but the submission does not name it
    worker.submit(assignment, {"caption": "no photo"})
    aid = assignment["AssignmentId"]
    for question, why in (("photo", "the worker did not answer it with a file"),
                          ("caption", "it is not a FileUploadAnswer question"),
                          ("nosuch", "the HIT has no such question")):
        assert request_error(lambda: file_url(mturk, assignment, question)) == \
            f"There is no uploaded file for question {question} of assignment {aid}: {why}."


def test_an_assignment_still_in_progress_does_not_exist_for_the_requester(mturk, workforce):
    worker, assignment = accepted(mturk, workforce)
    worker.upload(assignment, "photo", b"x" * 12)
    assert request_error(lambda: file_url(mturk, assignment)) == \
        f"Assignment {assignment['AssignmentId']} does not exist."
