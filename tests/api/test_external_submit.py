"""The worker site's side of ExternalQuestion and HTMLQuestion HITs: the frame URL a page is loaded with,
the HTMLQuestion host (/dynamic/hit) and /mturk/externalSubmit, seen over raw HTTP by the page and
through boto3 by the requester."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError

from helpers import QFA_NS, QUESTION_FORM, create_hit, error_of

EXTERNAL_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd"
HTML_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
PREVIEW = "ASSIGNMENT_ID_NOT_AVAILABLE"
HTML_CONTENT = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><script src="https://s3.amazonaws.com/mturk-public/externalHIT_v1.js"></script>
</head><body><form name='mturk_form' method='post' id='mturk_form' action='https://www.mturk.com/mturk/externalSubmit'>
<input type='hidden' name='assignmentId' id='assignmentId' value=''>
<p>Caf\u00e9 &amp; cr\u00e8me &lt;b&gt;, \u6f22\u5b57 \U0001f600</p>   <textarea name='comment'>  </textarea>
<input type='submit' id='submitButton' value='Submit'></form><script>turkSetAssignmentID();</script></body></html>
"""


def external_question(url: str) -> str:
    url = url.replace("&", "&amp;")
    return (f'<ExternalQuestion xmlns="{EXTERNAL_NS}"><ExternalURL>{url}</ExternalURL>'
            "<FrameHeight>600</FrameHeight></ExternalQuestion>")


def html_question(content: str = HTML_CONTENT) -> str:
    return (f'<HTMLQuestion xmlns="{HTML_NS}"><HTMLContent><![CDATA[{content}]]></HTMLContent>'
            "<FrameHeight>0</FrameHeight></HTMLQuestion>")


def answer_document(*pairs: tuple[str, str]) -> str:
    """What Assignment.Answer holds for FreeText answers whose text is already escaped as MTurk escapes."""
    answers = "".join(f"<Answer><QuestionIdentifier>{name}</QuestionIdentifier><FreeText>{text}</FreeText>"
                      "</Answer>" for name, text in pairs)
    return f'<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="{QFA_NS}">{answers}' \
           "</QuestionFormAnswers>"


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.endpoint) as client:
        yield client


@pytest.fixture
def origin(server):
    """turkSubmitTo as a frame URL carries it: the server's origin, URL-encoded, no trailing slash."""
    assert not server.endpoint.endswith("/")
    return quote(server.endpoint, safe="")


def accepted(mturk, workforce, **hit):
    """A fresh HIT (ExternalQuestion unless told otherwise), a worker and that worker's accepted assignment."""
    created = create_hit(mturk, **hit)
    worker = workforce.new()
    return created, worker, worker.accept(created["HITId"])


def form_post(http, body: str, path: str = "/mturk/externalSubmit") -> httpx.Response:
    """A form post with the body exactly as given (field order and repeats under the test's control)."""
    return http.post(path, content=body.encode("ascii"),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})


def answer_of(mturk, assignment: dict) -> dict:
    return mturk.get_assignment(AssignmentId=assignment["AssignmentId"])["Assignment"]


def assert_nothing_kept(mturk, worker, assignment: dict, status: str = "Accepted") -> None:
    """The refused submission changed nothing: the requester cannot see the assignment and the worker
    still holds it as before."""
    with pytest.raises(ClientError) as excinfo:
        mturk.get_assignment(AssignmentId=assignment["AssignmentId"])
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.AssignmentDoesNotExist"
    mine = worker.assignment(assignment)
    assert (mine["AssignmentStatus"], mine["Answer"], mine["SubmitTime"]) == (status, None, None)


def assert_refused(response: httpx.Response, status: int, message: str | None = None) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert "Submission refused" in response.text and "submitted.js" not in response.text
    if message is not None:
        assert message in response.text


# --- frame URLs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("external_url", ["https://example.org/task?item=17&lang=en#step-2",
                                          "http://localhost:8000/task"])
def test_external_question_frame_urls(mturk, workforce, origin, external_url):
    hit, worker, assignment = accepted(mturk, workforce, Question=external_question(external_url))
    hit_id = hit["HITId"]
    base, hash_mark, fragment = external_url.partition("#")
    join = "&" if "?" in base else "?"
    expected = (f"{base}{join}assignmentId={assignment['AssignmentId']}&hitId={hit_id}"
                f"&workerId={worker.worker_id}&turkSubmitTo={origin}{hash_mark}{fragment}")
    assert assignment["FrameURL"] == expected
    assert worker.assignment(assignment)["FrameURL"] == expected
    assert assignment["FrameURL"].count("?") == 1
    # Another worker previewing the same HIT gets no assignment, no workerId and no turkSubmitTo.
    preview = workforce.new().preview(hit_id)
    assert preview["FrameURL"] == f"{base}{join}assignmentId={PREVIEW}&hitId={hit_id}{hash_mark}{fragment}"


def test_html_question_frame_urls_and_hosting(server, http, mturk, workforce, origin):
    hit, worker, assignment = accepted(mturk, workforce, Question=html_question())
    hit_id = hit["HITId"]
    host = f"{server.endpoint}/dynamic/hit"
    assert assignment["FrameURL"] == (f"{host}?assignmentId={assignment['AssignmentId']}&hitId={hit_id}"
                                      f"&workerId={worker.worker_id}&turkSubmitTo={origin}")
    preview = workforce.new().preview(hit_id)
    assert preview["FrameURL"] == f"{host}?assignmentId={PREVIEW}&hitId={hit_id}"
    # served with MTurk's helper script and submit address pointing at this server (app/web/hit_content.py)
    served = HTML_CONTENT.replace("https://s3.amazonaws.com/mturk-public/externalHIT_v1.js",
                                  "/static/mturk/externalHIT_v1.js").replace(
        "https://www.mturk.com/mturk/externalSubmit", f"{server.endpoint}/mturk/externalSubmit")
    for url in (assignment["FrameURL"], preview["FrameURL"]):
        page = httpx.get(url)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert page.text == served


def test_dynamic_hit_serves_only_html_questions(http, mturk):
    external = create_hit(mturk)
    question_form = create_hit(mturk, Question=QUESTION_FORM)
    for hit_id in ("3NOSUCHHIT0000000000000000000", external["HITId"], question_form["HITId"]):
        page = http.get("/dynamic/hit", params={"hitId": hit_id, "assignmentId": PREVIEW})
        assert page.status_code == 404 and hit_id in page.text
        assert "externalHIT_v1.js" not in page.text


# --- recording answers --------------------------------------------------------------------------------


def test_urlencoded_submission_is_recorded_byte_for_byte(http, mturk, workforce, server, clock):
    hit, worker, assignment = accepted(mturk, workforce)
    aid = assignment["AssignmentId"]
    body = (f"assignmentId={aid}&hitId={hit['HITId']}&workerId={worker.worker_id}"
            f"&turkSubmitTo={quote(server.endpoint, safe='')}&country=France&weather=Sunny+%26+warm"
            "&fruit=apple&colour=red&fruit=pear&comment=&note=%3Cb%3E+caf%C3%A9+%F0%9F%98%80%0D%0A+"
            "&fruit=plum&Submit=Submit")
    response = form_post(http, body)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "HIT submitted" in response.text
    assert f'data-assignment-id="{aid}"' in response.text and "/static/submitted.js" in response.text
    recorded = answer_of(mturk, assignment)
    assert recorded["Answer"] == (
        '<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="http://mechanicalturk.amazonaws.com/'
        'AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd">'
        "<Answer><QuestionIdentifier>country</QuestionIdentifier><FreeText>France</FreeText></Answer>"
        "<Answer><QuestionIdentifier>weather</QuestionIdentifier><FreeText>Sunny &amp; warm</FreeText></Answer>"
        "<Answer><QuestionIdentifier>fruit</QuestionIdentifier><FreeText>apple|pear|plum</FreeText></Answer>"
        "<Answer><QuestionIdentifier>colour</QuestionIdentifier><FreeText>red</FreeText></Answer>"
        "<Answer><QuestionIdentifier>comment</QuestionIdentifier><FreeText></FreeText></Answer>"
        # The carriage return as a reference, so that an XML parser gives it back instead of dropping it.
        "<Answer><QuestionIdentifier>note</QuestionIdentifier><FreeText>&lt;b&gt; caf&#233; &#128512;&#13;\n "
        "</FreeText></Answer>"
        "<Answer><QuestionIdentifier>Submit</QuestionIdentifier><FreeText>Submit</FreeText></Answer>"
        "</QuestionFormAnswers>")
    assert (recorded["AssignmentStatus"], recorded["WorkerId"], recorded["HITId"]) == \
        ("Submitted", worker.worker_id, hit["HITId"])
    assert recorded["SubmitTime"] == clock.now()
    assert worker.assignment(assignment)["AssignmentStatus"] == "Submitted"


def test_multipart_submission_ignores_file_parts(http, mturk, workforce):
    """A form with enctype="multipart/form-data", as a browser sends it: a chosen file, an unchosen one
    (``filename=""``), a repeated name and an empty field."""
    _, _, assignment = accepted(mturk, workforce)
    boundary = "----KempelenFormBoundary7MA4YWxkTrZu0gW"
    parts = [("assignmentId", None, assignment["AssignmentId"].encode()), ("tags", None, b"a"),
             ("photo", "photo.jpg", b"\xff\xd8\xff"), ("empty", None, b""), ("tags", None, b"b"),
             ("nothing_chosen", "", b""), ("comment", None, "Caf\u00e9 & more".encode())]
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + ("" if filename is None else f'; filename="{filename}"')
        kind = "" if filename is None else "Content-Type: application/octet-stream\r\n"
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n".encode() + value + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    response = http.post("/mturk/externalSubmit", content=body,
                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 200
    assert answer_of(mturk, assignment)["Answer"] == answer_document(
        ("tags", "a|b"), ("empty", ""), ("comment", "Caf&#233; &amp; more"))


def test_get_with_query_parameters_is_taken(http, mturk, workforce):
    _, _, assignment = accepted(mturk, workforce)
    response = http.get("/mturk/externalSubmit", params=[("assignmentId", assignment["AssignmentId"]),
                                                         ("answer", "yes"), ("answer", "no")])
    assert response.status_code == 200 and "submitted.js" in response.text
    assert answer_of(mturk, assignment)["Answer"] == answer_document(("answer", "yes|no"))


def test_a_form_with_only_the_assignment_id(http, mturk, workforce):
    """No answers at all: Answer is the empty string, since the schema would refuse an empty document."""
    _, _, assignment = accepted(mturk, workforce)
    assert form_post(http, f"assignmentId={assignment['AssignmentId']}").status_code == 200
    recorded = answer_of(mturk, assignment)
    assert (recorded["AssignmentStatus"], recorded.get("Answer")) == ("Submitted", "")


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_doubled_slash_from_blind_concatenation(server, mturk, workforce, method):
    """Pages that build turkSubmitTo + "/mturk/externalSubmit" from a value ending in "/" post here."""
    _, _, assignment = accepted(mturk, workforce)
    fields = {"assignmentId": assignment["AssignmentId"], "ok": "1"}
    url = server.endpoint + "//mturk/externalSubmit"
    if method == "POST":
        response = httpx.post(url, data=fields)
    else:
        response = httpx.get(url, params=fields)
    assert response.request.url.raw_path.startswith(b"//mturk/externalSubmit")
    assert response.status_code == 200
    assert answer_of(mturk, assignment)["Answer"] == answer_document(("ok", "1"))


def test_html_question_page_submits_to_turk_submit_to(mturk, workforce):
    """What externalHIT_v1.js does: read turkSubmitTo from the frame's URL and post the form there."""
    _, _, assignment = accepted(mturk, workforce, Question=html_question())
    frame = dict(parse_qsl(urlsplit(assignment["FrameURL"]).query))
    action = unquote(frame["turkSubmitTo"]) + "/mturk/externalSubmit"
    response = httpx.post(action, data={"assignmentId": frame["assignmentId"], "comment": "fine"})
    assert response.status_code == 200
    assert answer_of(mturk, assignment)["Answer"] == answer_document(("comment", "fine"))


# --- refusals keep nothing ----------------------------------------------------------------------------


def test_missing_or_preview_assignment_id(http, mturk, workforce):
    _, worker, assignment = accepted(mturk, workforce)
    assert_refused(form_post(http, "answer=yes"), 400, "no assignmentId")
    assert_refused(form_post(http, "assignmentId=&answer=yes"), 400)
    assert_refused(form_post(http, f"assignmentId={PREVIEW}&answer=yes"), 400,
                   "You must ACCEPT the HIT before you can submit the results.")
    assert_refused(http.get("/mturk/externalSubmit", params={"assignmentId": PREVIEW}), 400,
                   "You must ACCEPT the HIT before you can submit the results.")
    assert_nothing_kept(mturk, worker, assignment)


def test_unknown_assignment(http, mturk, workforce):
    _, worker, assignment = accepted(mturk, workforce)
    unknown = "3NOSUCHASSIGNMENT000000000000"
    assert_refused(form_post(http, f"assignmentId={unknown}&answer=yes"), 404, unknown)
    assert_nothing_kept(mturk, worker, assignment)


def test_fields_only_in_the_query_string_of_a_post(http, mturk, workforce):
    _, worker, assignment = accepted(mturk, workforce)
    response = http.post("/mturk/externalSubmit",
                         params={"assignmentId": assignment["AssignmentId"], "answer": "yes"})
    assert_refused(response, 400, "query string")
    assert_nothing_kept(mturk, worker, assignment)


def test_second_submission_is_refused_and_the_first_kept(http, mturk, workforce):
    _, worker, assignment = accepted(mturk, workforce)
    aid = assignment["AssignmentId"]
    assert form_post(http, f"assignmentId={aid}&answer=first").status_code == 200
    assert_refused(form_post(http, f"assignmentId={aid}&answer=second"), 409, "Submitted")
    assert answer_of(mturk, assignment)["Answer"] == answer_document(("answer", "first"))


def test_returned_assignment(http, mturk, workforce):
    _, worker, assignment = accepted(mturk, workforce)
    worker.return_(assignment)
    assert_refused(form_post(http, f"assignmentId={assignment['AssignmentId']}&answer=yes"), 409, "Returned")
    assert_nothing_kept(mturk, worker, assignment, status="Returned")


def test_past_the_deadline(http, mturk, workforce, clock):
    _, worker, assignment = accepted(mturk, workforce, AssignmentDurationInSeconds=60)
    clock.advance(61)
    assert_refused(form_post(http, f"assignmentId={assignment['AssignmentId']}&answer=yes"), 409,
                   "time allotted")
    assert_nothing_kept(mturk, worker, assignment, status="Abandoned")


def test_after_the_hit_expired_but_before_the_deadline(http, mturk, workforce, clock):
    hit, worker, assignment = accepted(mturk, workforce, LifetimeInSeconds=30, AssignmentDurationInSeconds=600,
                                       MaxAssignments=1)
    clock.advance(120)
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Unassignable"
    response = form_post(http, f"assignmentId={assignment['AssignmentId']}&answer=late")
    assert response.status_code == 200
    assert answer_of(mturk, assignment)["AssignmentStatus"] == "Submitted"
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"


# --- what the requester sees afterwards ---------------------------------------------------------------


def counts(mturk, hit_id: str) -> tuple[str, int, int, int]:
    hit = mturk.get_hit(HITId=hit_id)["HIT"]
    return (hit["HITStatus"], hit["NumberOfAssignmentsPending"], hit["NumberOfAssignmentsAvailable"],
            hit["NumberOfAssignmentsCompleted"])


def test_hit_counts_follow_submissions(http, mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=3)
    hit_id = hit["HITId"]
    first, second, third = workforce.new(), workforce.new(), workforce.new()
    a1, a2 = first.accept(hit_id), second.accept(hit_id)
    assert counts(mturk, hit_id) == ("Assignable", 2, 1, 0)
    form_post(http, f"assignmentId={a1['AssignmentId']}&answer=1")
    assert counts(mturk, hit_id) == ("Assignable", 1, 1, 0)  # Submitted is neither Pending nor Completed
    mturk.approve_assignment(AssignmentId=a1["AssignmentId"])
    assert counts(mturk, hit_id) == ("Assignable", 1, 1, 1)
    a3 = third.accept(hit_id)
    assert counts(mturk, hit_id) == ("Unassignable", 2, 0, 1)
    form_post(http, f"assignmentId={a2['AssignmentId']}&answer=2")
    form_post(http, f"assignmentId={a3['AssignmentId']}&answer=3")
    assert counts(mturk, hit_id) == ("Reviewable", 0, 0, 1)


def test_zero_auto_approval_delay_approves_at_submission(http, mturk, workforce, clock):
    hit, _, assignment = accepted(mturk, workforce, AutoApprovalDelayInSeconds=0, MaxAssignments=1)
    assert form_post(http, f"assignmentId={assignment['AssignmentId']}&answer=yes").status_code == 200
    recorded = answer_of(mturk, assignment)
    assert recorded["AssignmentStatus"] == "Approved"
    assert recorded["ApprovalTime"] == recorded["SubmitTime"] == clock.now()
    assert counts(mturk, hit["HITId"]) == ("Reviewable", 0, 0, 1)
