"""The worker website in a real browser (Debian's chromium through Playwright), as a person uses it, with
boto3 checking what the requester sees."""

from __future__ import annotations

import html
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from conftest import shoot, sign_up

QF_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd"
HTML_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
EXTERNAL_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd"

QUESTION_FORM = (
    f'<QuestionForm xmlns="{QF_NS}">'
    "<Overview><Title>Tic-tac-toe</Title><Text>Pick the winning move for X.</Text></Overview>"
    "<Question><QuestionIdentifier>nextmove</QuestionIdentifier><DisplayName>Next move</DisplayName>"
    "<IsRequired>true</IsRequired><QuestionContent><Text>Which square wins? (A1 to C3)</Text></QuestionContent>"
    "<AnswerSpecification><FreeTextAnswer><Constraints><Length minLength=\"2\" maxLength=\"2\"/>"
    '<AnswerFormatRegex regex="^[A-C][1-3]$" errorText="Use a square from A1 to C3."/></Constraints>'
    "</FreeTextAnswer></AnswerSpecification></Question>"
    "<Question><QuestionIdentifier>confidence</QuestionIdentifier><QuestionContent><Text>How sure are you?</Text>"
    "</QuestionContent><AnswerSpecification><SelectionAnswer><StyleSuggestion>radiobutton</StyleSuggestion>"
    "<Selections><Selection><SelectionIdentifier>sure</SelectionIdentifier><Text>Sure</Text></Selection>"
    "<Selection><SelectionIdentifier>guess</SelectionIdentifier><Text>A guess</Text></Selection></Selections>"
    "</SelectionAnswer></AnswerSpecification></Question>"
    "</QuestionForm>")

HIT = dict(Description="Say which square wins the game.", Reward="0.25", AssignmentDurationInSeconds=1800,
           LifetimeInSeconds=86400, Keywords="game, puzzle")


def create_hit(mturk, title: str, question: str, **extra) -> dict:
    return mturk.create_hit(Title=title, Question=question, MaxAssignments=extra.pop("MaxAssignments", 2),
                            **{**HIT, **extra})["HIT"]


def answers_of(mturk, hit_id: str) -> list[dict]:
    return mturk.list_assignments_for_hit(HITId=hit_id, AssignmentStatuses=["Submitted", "Approved"])["Assignments"]


def accept_group(page, group_id: str) -> None:
    page.goto(f"/projects/{group_id}/tasks")
    page.get_by_role("button", name="Accept & Work").first.click()
    page.wait_for_url(re.compile(r"/tasks/.+\?assignment_id="))


def set_auto_accept(page, on: bool) -> None:
    page.goto("/dashboard")
    box = page.get_by_label(re.compile("accept the next HIT in its group automatically"))
    if box.is_checked() != on:
        box.set_checked(on)
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(r"notice=auto-accept"))


# --- accounts ------------------------------------------------------------------------------------------


def test_sign_up_then_sign_out_and_in_again(page):
    page.goto("/")
    page.wait_for_url(re.compile(r"/signin"))
    shoot(page, "signin", phone=True)
    page.get_by_role("link", name="Create a worker account").click()
    shoot(page, "signup")
    worker_id = sign_up(page)
    assert re.fullmatch(r"A[A-Z0-9]+", worker_id)
    shoot(page, "dashboard-new")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin"))
    page.goto("/dashboard")  # signed out: the page sends us to sign in, and back after
    page.wait_for_url(re.compile(r"/signin\?next=/dashboard"))
    page.get_by_label("WorkerId").fill(worker_id)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "The WorkerId or the password is not right."
    assert page.get_by_label("WorkerId").input_value() == worker_id
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    assert worker_id in page.locator("main").inner_text()


def test_a_bad_sign_up_is_explained_next_to_its_field(page):
    page.goto("/signup")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Create account").click()
    field = page.locator(".field.has-error")
    assert "at least 8 characters" in field.inner_text()
    assert field.locator("input").get_attribute("aria-invalid") == "true"


# --- a QuestionForm HIT, from the list to the requester's ListAssignmentsForHIT -------------------------


def test_find_preview_accept_and_answer_a_question_form(page, mturk):
    hit = create_hit(mturk, "Tic-tac-toe winning move", QUESTION_FORM)
    create_hit(mturk, "Transcribe a receipt", QUESTION_FORM, Reward="1.10", Keywords="text")
    sign_up(page)
    set_auto_accept(page, False)
    page.goto("/projects")
    page.get_by_label("Search").fill("tic-tac-toe")
    page.get_by_role("button", name="Show").click()
    groups = page.locator(".group")
    assert groups.count() == 1 and "Tic-tac-toe winning move" in groups.first.inner_text()
    assert "Acme Research Lab" in groups.first.inner_text() and "$0.25" in groups.first.inner_text()
    page.goto("/projects?sort=reward")
    assert page.locator(".group h2").first.inner_text() == "Transcribe a receipt"
    shoot(page, "hit-groups", phone=True)

    page.goto("/projects?q=tic-tac-toe")
    page.get_by_role("link", name="Preview").first.click()
    page.wait_for_url(re.compile(rf"/projects/{hit['HITGroupId']}/tasks$"))
    assert page.locator("fieldset[disabled]").count() == 1  # a preview cannot be answered
    shoot(page, "preview", phone=True)
    page.get_by_role("button", name="Accept & Work").click()
    page.wait_for_url(re.compile(r"/tasks/.+\?assignment_id="))
    assert page.locator(".timer").inner_text() in ("30:00", "29:59", "30 minutes")

    move = page.locator("input[name=nextmove]")
    move.fill("Z9")
    page.get_by_role("radio", name="Sure").check()
    page.get_by_role("button", name="Submit").click()
    assert page.get_by_role("alert").first.is_visible()
    move = page.locator("input[name=nextmove]")
    assert move.input_value() == "Z9"  # what the worker typed is kept
    assert move.get_attribute("aria-invalid") == "true"
    error_id = move.get_attribute("aria-describedby").split()[-1]
    assert "Use a square from A1 to C3." in page.locator(f"[id='{error_id}']").inner_text()
    assert page.get_by_role("radio", name="Sure").is_checked()
    shoot(page, "task-refused")
    assert answers_of(mturk, hit["HITId"]) == []

    move.fill("B2")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/projects\?notice=submitted"))
    assert "HIT submitted" in page.get_by_role("status").inner_text()
    [assignment] = answers_of(mturk, hit["HITId"])
    assert assignment["AssignmentStatus"] == "Submitted"
    answer = assignment["Answer"]
    assert "<QuestionIdentifier>nextmove</QuestionIdentifier><FreeText>B2</FreeText>" in answer
    assert "<QuestionIdentifier>confidence</QuestionIdentifier><SelectionIdentifier>sure</SelectionIdentifier>" in answer

    page.goto("/tasks")
    row = page.locator(f"tr[data-assignment-id='{assignment['AssignmentId']}']")
    assert "Submitted" in row.inner_text() and "$0.25" in row.inner_text()


def test_task_page_and_my_hits_with_reward_and_bonus(page, mturk, site):
    hit = create_hit(mturk, "Rate a sentence", QUESTION_FORM, MaxAssignments=3)
    worker_id = sign_up(page)
    set_auto_accept(page, True)
    accept_group(page, hit["HITGroupId"])
    shoot(page, "task", phone=True)
    page.locator("input[name=nextmove]").fill("A1")
    page.get_by_role("button", name="Submit").click()
    # auto-accept: the next HIT of the group... there is none this worker may take (one HIT), so the list
    page.wait_for_url(re.compile(r"/projects\?notice=submitted"))
    [assignment] = answers_of(mturk, hit["HITId"])
    mturk.approve_assignment(AssignmentId=assignment["AssignmentId"])
    mturk.send_bonus(WorkerId=worker_id, BonusAmount="0.40", AssignmentId=assignment["AssignmentId"],
                     Reason="Careful work", UniqueRequestToken="bonus-1")
    mturk.notify_workers(Subject="New HITs tomorrow", MessageText="We publish 200 more tomorrow at 9.",
                         WorkerIds=[worker_id])
    page.goto("/tasks")
    row = page.locator(f"tr[data-assignment-id='{assignment['AssignmentId']}']")
    assert "Approved" in row.inner_text() and "$0.40" in row.inner_text()
    shoot(page, "my-hits", phone=True)
    page.goto("/dashboard")
    text = page.locator("main").inner_text()
    assert "$0.65" in text and "Rewards $0.25" in text and "Bonuses $0.40" in text
    shoot(page, "dashboard", phone=True)
    page.goto("/messages")
    assert "We publish 200 more tomorrow at 9." in page.locator("main").inner_text()
    shoot(page, "messages")


def test_auto_accept_moves_on_to_the_next_hit_of_the_group(page, mturk):
    first = create_hit(mturk, "Count the birds", QUESTION_FORM)
    create_hit(mturk, "Count the birds", QUESTION_FORM)
    sign_up(page)
    set_auto_accept(page, True)
    page.goto(f"/projects/{first['HITGroupId']}/tasks")
    previewed = page.locator("input[name=hit_id]").get_attribute("value")
    page.get_by_role("link", name="Skip", exact=True).click()  # the group's other HIT
    assert page.locator("input[name=hit_id]").get_attribute("value") not in ("", previewed)
    accept_group(page, first["HITGroupId"])
    url = page.url
    page.locator("input[name=nextmove]").fill("C3")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"notice=submitted"))
    assert page.url != url and "/tasks/" in page.url  # a new task page: the group's other HIT
    assert "HIT submitted" in page.get_by_role("status").inner_text()


def test_return_gives_the_hit_back(page, mturk):
    hit = create_hit(mturk, "Find the typo", QUESTION_FORM, MaxAssignments=1)
    sign_up(page)
    accept_group(page, hit["HITGroupId"])
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["NumberOfAssignmentsPending"] == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Return").click()
    page.wait_for_url(re.compile(r"/projects\?notice=returned"))
    state = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert (state["NumberOfAssignmentsPending"], state["NumberOfAssignmentsAvailable"]) == (0, 1)
    page.goto("/tasks")
    assert "Returned" in page.locator("tbody tr").first.inner_text()


# --- ExternalQuestion and HTMLQuestion: requester pages in frames ----------------------------------------


EXTERNAL_PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Survey</title></head><body>
<form id="mturk_form" method="post"><input type="hidden" name="assignmentId" id="assignmentId">
<label>Favourite colour <input name="colour" id="colour"></label>
<button type="submit" id="submitButton">Submit survey</button></form>
<script>
var p = new URLSearchParams(location.search);
document.getElementById("assignmentId").value = p.get("assignmentId");
document.getElementById("mturk_form").action = p.get("turkSubmitTo") + "/mturk/externalSubmit";
if (p.get("assignmentId") === "ASSIGNMENT_ID_NOT_AVAILABLE") {
  document.getElementById("submitButton").disabled = true;
  document.body.insertAdjacentHTML("beforeend", "<p id=preview>Accept the HIT first</p>");
}
</script></body></html>"""


@pytest.fixture(scope="module")
def external_site():
    """A requester's own survey site on another origin (localhost, not 127.0.0.1)."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(EXTERNAL_PAGE)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/survey"
    server.shutdown()


def test_external_question_submits_through_external_submit_inside_the_frame(page, mturk, external_site):
    question = (f'<ExternalQuestion xmlns="{EXTERNAL_NS}"><ExternalURL>{external_site}?study=7</ExternalURL>'
                "<FrameHeight>400</FrameHeight></ExternalQuestion>")
    hit = create_hit(mturk, "Colour survey", question)
    worker_id = sign_up(page)
    set_auto_accept(page, False)
    page.goto(f"/mturk/preview?groupId={hit['HITGroupId']}")  # the link boto3 scripts print
    page.wait_for_url(re.compile(rf"/projects/{hit['HITGroupId']}/tasks$"))
    frame = page.frame_locator("iframe.work-frame")
    assert frame.locator("#preview").inner_text() == "Accept the HIT first"
    src = page.locator("iframe.work-frame").get_attribute("src")
    assert src == f"{external_site}?study=7&assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId={hit['HITId']}"
    page.get_by_role("button", name="Accept & Work").click()
    page.wait_for_url(re.compile(r"assignment_id="))
    iframe = page.locator("iframe.work-frame")
    assert iframe.get_attribute("height") == "400"
    assert f"workerId={worker_id}" in iframe.get_attribute("src")
    shoot(page, "task-external")
    frame.locator("#colour").fill("teal")
    frame.locator("#submitButton").click()
    page.wait_for_url(re.compile(r"/projects\?notice=submitted"))  # back on the site, auto-accept off
    [assignment] = answers_of(mturk, hit["HITId"])
    assert "<QuestionIdentifier>colour</QuestionIdentifier><FreeText>teal</FreeText>" in assignment["Answer"]
    assert assignment["WorkerId"] == worker_id


PROBE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<form id="mturk_form" method="post"><input type="hidden" name="assignmentId" id="assignmentId">
<input type="hidden" name="probe" id="probe"><button type="submit" id="submitButton">Send</button></form>
<script>
var p = new URLSearchParams(location.search), results = [];
document.getElementById("assignmentId").value = p.get("assignmentId");
document.getElementById("mturk_form").action = p.get("turkSubmitTo") + "/mturk/externalSubmit";
try { results.push("cookie=" + JSON.stringify(document.cookie)); } catch (e) { results.push("cookie:" + e.name); }
function probe(name, url) {
  return fetch(url, {credentials: "include"}).then(function (r) { return r.text(); })
    .then(function (text) { results.push(name + "=read:" + text.slice(0, 300)); },
          function (e) { results.push(name + ":" + e.name); });
}
Promise.all([probe("api", p.get("turkSubmitTo") + "/api/worker"),
             probe("page", p.get("turkSubmitTo") + "/dashboard")]).then(function () {
  document.getElementById("probe").value = results.join(" | ");
  document.body.setAttribute("data-probed", "yes");
});
</script></body></html>"""


def test_html_question_script_cannot_read_the_site_cookies_or_act_as_the_worker(page, mturk, site):
    question = (f'<HTMLQuestion xmlns="{HTML_NS}"><HTMLContent><![CDATA[{PROBE}]]></HTMLContent>'
                "<FrameHeight>0</FrameHeight></HTMLQuestion>")
    hit = create_hit(mturk, "Probe", question)
    worker_id = sign_up(page)
    set_auto_accept(page, False)
    accept_group(page, hit["HITGroupId"])
    iframe = page.locator("iframe.work-frame")
    assert "allow-same-origin" not in iframe.get_attribute("sandbox")
    frame = page.frame_locator("iframe.work-frame")
    frame.locator("body[data-probed=yes]").wait_for(state="attached")
    frame.locator("#submitButton").click()
    page.wait_for_url(re.compile(r"/projects\?notice=submitted"))
    [assignment] = answers_of(mturk, hit["HITId"])
    probe = re.search(r"<QuestionIdentifier>probe</QuestionIdentifier><FreeText>(.*?)</FreeText>",
                      assignment["Answer"]).group(1)
    assert "cookie:SecurityError" in probe  # a sandboxed, opaque origin has no cookies to read
    assert "api:TypeError" in probe and "page:TypeError" in probe  # CORS: nothing read back
    assert worker_id not in probe and "kempelen_session" not in probe
    # the content itself, opened directly, is sandboxed by its own CSP
    content = httpx.get(f"{site.endpoint}/dynamic/hit", params={"hitId": hit["HITId"]})
    assert content.headers["content-security-policy"].startswith("sandbox allow-scripts")


# --- qualifications ------------------------------------------------------------------------------------


TEST_FORM = (f'<QuestionForm xmlns="{QF_NS}"><Question><QuestionIdentifier>capital</QuestionIdentifier>'
             "<IsRequired>true</IsRequired>"
             "<QuestionContent><Text>The capital of France?</Text></QuestionContent><AnswerSpecification>"
             "<SelectionAnswer><StyleSuggestion>radiobutton</StyleSuggestion><Selections>"
             "<Selection><SelectionIdentifier>paris</SelectionIdentifier><Text>Paris</Text></Selection>"
             "<Selection><SelectionIdentifier>lyon</SelectionIdentifier><Text>Lyon</Text></Selection>"
             "</Selections></SelectionAnswer></AnswerSpecification></Question></QuestionForm>")
ANSWER_KEY = ('<AnswerKey xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/'
              'AnswerKey.xsd"><Question><QuestionIdentifier>capital</QuestionIdentifier><AnswerOption>'
              "<SelectionIdentifier>paris</SelectionIdentifier><AnswerScore>90</AnswerScore></AnswerOption>"
              "</Question></AnswerKey>")


def test_not_qualified_explained_then_qualification_test_taken_in_the_browser(page, mturk):
    qualification = mturk.create_qualification_type(
        Name="Geography basics", Description="Know your capitals.", QualificationTypeStatus="Active",
        Test=TEST_FORM, AnswerKey=ANSWER_KEY, TestDurationInSeconds=600)["QualificationType"]
    type_id = qualification["QualificationTypeId"]
    hit = create_hit(mturk, "Label capitals on a map", QUESTION_FORM, QualificationRequirements=[
        {"QualificationTypeId": type_id, "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [80],
         "ActionsGuarded": "Accept"}])
    worker_id = sign_up(page)
    page.goto("/projects?q=capitals")
    group = page.locator(".group").first
    assert group.get_by_role("button", name="Accept & Work").count() == 0
    group.get_by_text("You are not qualified").click()
    why = group.locator(".unmet").inner_text()
    assert f"You do not meet the QualificationRequirement on Geography basics ({type_id})" in why
    assert "GreaterThanOrEqualTo 80; you do not have this qualification." in why
    shoot(page, "not-qualified")
    page.goto(f"/projects/{hit['HITGroupId']}/tasks")  # may preview, not accept
    assert page.get_by_role("button", name="Accept & Work").count() == 0
    assert "Geography basics" in page.locator(".unmet").inner_text()
    page.goto("/projects?q=capitals&qualified=on")
    assert page.locator(".group").count() == 0

    page.goto("/qualifications/requestable")
    offer = page.locator(f"[data-qualification-type-id='{type_id}']")
    offer.get_by_role("button", name="Take the test").click()
    page.wait_for_url(re.compile(r"/qualifications/requests/.+/test"))
    shoot(page, "qualification-test")
    page.get_by_role("button", name="Submit the test").click()  # nothing chosen: refused, shown by the question
    assert page.locator(".has-error, [aria-invalid=true]").count() >= 1
    page.get_by_role("radio", name="Paris").check()
    page.get_by_role("button", name="Submit the test").click()
    assert page.locator(".score").inner_text() == "90"
    score = mturk.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker_id)["Qualification"]
    assert score["IntegerValue"] == 90
    page.goto("/qualifications")
    assert "Geography basics" in page.locator("main").inner_text()
    shoot(page, "qualifications")
    page.goto("/projects?q=capitals&qualified=on")
    assert page.locator(".group").count() == 1


def test_a_group_guarded_for_preview_says_which_requirement_is_unmet(page, mturk):
    hit = create_hit(mturk, "Masters only", QUESTION_FORM, QualificationRequirements=[
        {"QualificationTypeId": "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6", "Comparator": "Exists",
         "ActionsGuarded": "PreviewAndAccept"}])
    sign_up(page)
    response = page.goto(f"/projects/{hit['HITGroupId']}/tasks")
    assert response.status == 403
    assert "You are not qualified for this HIT group" in page.locator("h1").inner_text()
    assert "Masters" in page.locator(".unmet").inner_text()


# --- links and CSRF ------------------------------------------------------------------------------------


def test_accept_random_link_asks_then_accepts(page, mturk):
    hit = create_hit(mturk, "Sort the photos", QUESTION_FORM)
    sign_up(page)
    page.goto(f"/projects/{hit['HITGroupId']}/tasks/accept_random")
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["NumberOfAssignmentsPending"] == 0  # a GET accepts nothing
    page.get_by_role("button", name="Accept & Work").click()
    page.wait_for_url(re.compile(r"assignment_id="))
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["NumberOfAssignmentsPending"] == 1


def test_a_post_without_the_csrf_token_is_refused(page, mturk, site, browser_context):
    hit = create_hit(mturk, "Guarded form", QUESTION_FORM)
    sign_up(page)
    page.goto("/projects")
    status = page.evaluate(f"""() => fetch("/projects/{hit['HITGroupId']}/tasks/accept_random",
        {{method: "POST", headers: {{"Content-Type": "application/x-www-form-urlencoded"}}, body: ""}})
        .then(r => r.status)""")
    assert status == 403
    cookies = {c["name"]: c["value"] for c in browser_context.cookies()}
    refused = httpx.post(f"{site.endpoint}/projects/{hit['HITGroupId']}/tasks/accept_random",
                         cookies={"kempelen_session": cookies["kempelen_session"]},
                         data={"csrf_token": "forged"})
    assert refused.status_code == 403 and "This form was refused" in refused.text
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["NumberOfAssignmentsPending"] == 0


CROWD_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script src="https://assets.crowd.aws/crowd-html-elements.js"></script></head><body>
<crowd-form>
  <crowd-classifier name="sentiment" categories="['positive', 'negative']" header="How does it sound?">
    <classification-target>What a lovely day.</classification-target>
  </crowd-classifier>
  <crowd-input name="comment" label="Anything to add?"></crowd-input>
</crowd-form></body></html>"""


def test_an_html_question_built_with_crowd_form_submits_offline(page, mturk, browser_context, site):
    refused = []
    allowed = site.endpoint.split("//", 1)[1]

    def offline(route, request):  # nothing may leave the server: MTurk's hosts do not exist here
        if request.url.split("//", 1)[-1].startswith(allowed) or request.url.startswith(("data:", "about:")):
            route.continue_()
        else:
            refused.append(request.url)
            route.abort()

    browser_context.route("**/*", offline)
    question = (f'<HTMLQuestion xmlns="{HTML_NS}"><HTMLContent><![CDATA[{CROWD_PAGE}]]></HTMLContent>'
                "<FrameHeight>500</FrameHeight></HTMLQuestion>")
    hit = create_hit(mturk, "Sentiment of a sentence", question)
    sign_up(page)
    set_auto_accept(page, False)
    accept_group(page, hit["HITGroupId"])
    frame = page.frame_locator("iframe.work-frame")
    frame.get_by_text("positive", exact=True).click()
    frame.locator("crowd-input input").fill("sunny")
    shoot(page, "task-crowd")
    frame.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/projects\?notice=submitted"))
    [assignment] = answers_of(mturk, hit["HITId"])
    task_answers = re.search(r"<QuestionIdentifier>taskAnswers</QuestionIdentifier><FreeText>(.*?)</FreeText>",
                             assignment["Answer"]).group(1)
    assert json.loads(html.unescape(task_answers)) == [{"comment": "sunny", "sentiment": {"label": "positive"}}]
    assert refused == []
