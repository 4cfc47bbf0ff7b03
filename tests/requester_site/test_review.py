"""Review on the requester site over raw HTTP (the pages' rules, on both databases): answers shown readably
(QuestionForm answers, crowd-form taskAnswers unpacked, uploaded files through GetFileUploadURL), the Manage
page's filters and keyset pages, approve all, results of selected API-made HITs, batch cancel and extend,
and a qualification test previewed as workers see it."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid

import pytest

from tests.requester_site.helpers import Site, signed_in_member, notice, problem

FORM = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd"
HTML = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
UPLOAD_FORM = (
    f'<QuestionForm xmlns="{FORM}">'
    '<Question><QuestionIdentifier>photo</QuestionIdentifier><QuestionContent><Text>Your photo</Text>'
    '</QuestionContent><AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>100</MaxFileSizeInBytes>'
    '<MinFileSizeInBytes>1</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification></Question>'
    '<Question><QuestionIdentifier>caption</QuestionIdentifier><QuestionContent><Text>Caption</Text>'
    '</QuestionContent><AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question>'
    '</QuestionForm>')
CROWD = (f'<HTMLQuestion xmlns="{HTML}"><HTMLContent><![CDATA[<crowd-form><crowd-input name="note"></crowd-input>'
         '</crowd-form>]]></HTMLContent><FrameHeight>0</FrameHeight></HTMLQuestion>')
PLAIN = (f'<HTMLQuestion xmlns="{HTML}"><HTMLContent><![CDATA[<p><input name="a"></p>]]></HTMLContent>'
         '<FrameHeight>0</FrameHeight></HTMLQuestion>')


@pytest.fixture
def site(server, credentials) -> Site:
    return signed_in_member(server, credentials)


def hit(mturk, question: str = PLAIN, **extra) -> dict:
    return mturk.create_hit(Title=extra.pop("Title", "A HIT"), Description="d", Reward="0.10",
                            MaxAssignments=extra.pop("MaxAssignments", 1),
                            AssignmentDurationInSeconds=600, LifetimeInSeconds=3600, Question=question,
                            **extra)["HIT"]


def test_answers_are_shown_readably_and_files_download(site, mturk, workforce):
    worker = workforce.new()
    form_hit, crowd_hit = hit(mturk, UPLOAD_FORM), hit(mturk, CROWD)
    taken = worker.accept(form_hit["HITId"])
    key = worker.upload(taken, "photo", b"PNG bytes", "p.png", "image/png")["UploadedFileKey"]
    worker.submit(taken, {"photo": {"UploadedFileKey": key}, "caption": "A <b>cat</b>"})
    crowd = worker.accept(crowd_hit["HITId"])
    worker.submit(crowd, {"taskAnswers": json.dumps([{"note": "fine", "sentiment": {"label": "Positive"},
                                                      "agree": {"on": True}}])})

    page = site.get(f"/requester/hits/{form_hit['HITId']}").text
    shown = dict(re.findall(r'<th scope="row">([^<]+)</th><td>\s*<span class="answer-text">([^<]*)</span>', page))
    assert shown == {"caption": "A &lt;b&gt;cat&lt;/b&gt;"}  # text, escaped
    link = re.search(r'href="(/requester/assignments/\w+/files/photo)"', page).group(1)
    download = site.get(link)
    assert download.status_code == 200 and download.content == b"PNG bytes"
    assert download.headers["content-disposition"] == 'attachment; filename="p.png"'

    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td>\s*<span class="answer-text">([^<]*)</span>',
                           site.get(f"/requester/hits/{crowd_hit['HITId']}").text))
    assert rows == {"agree.on": "true", "note": "fine", "sentiment.label": "Positive"}


def test_manage_filters_and_keyset_pages(site, mturk, workforce):
    tag = uuid.uuid4().hex[:6]
    made = [hit(mturk, RequesterAnnotation=f"{tag};{n}") for n in range(53)]
    other = hit(mturk, Title="Another type", RequesterAnnotation="other")
    first = site.get("/requester/manage", params={"annotation": tag})
    ids = re.findall(r'name="hit_id" value="(\w+)"', first.text)
    assert ids == [h["HITId"] for h in reversed(made)][:50]  # newest first
    following = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    rest = re.findall(r'name="hit_id" value="(\w+)"', site.get(following).text)
    assert rest == [h["HITId"] for h in reversed(made)][50:]
    by_type = site.get("/requester/manage", params={"hit_type": other["HITTypeId"]}).text
    assert re.findall(r'name="hit_id" value="(\w+)"', by_type) == [other["HITId"]]

    worker = workforce.new()
    worker.submit(worker.accept(made[0]["HITId"]), {"a": "x"})
    reviewable = site.get("/requester/manage", params={"status": "Reviewable", "annotation": tag}).text
    assert re.findall(r'name="hit_id" value="(\w+)"', reviewable) == [made[0]["HITId"]]
    assert site.get("/requester/manage", params={"status": "Assignable", "annotation": tag}).text.count(
        'name="hit_id"') == 50


def test_a_hits_page_shows_its_assignments_a_page_at_a_time(site, mturk, workforce):
    hit_ = hit(mturk, MaxAssignments=53)
    taken = []
    for _ in range(53):
        worker = workforce.new()
        taken.append(worker.accept(hit_["HITId"])["AssignmentId"])
        worker.submit(taken[-1], {"a": "x"})
    for assignment_id in taken[:3]:
        mturk.approve_assignment(AssignmentId=assignment_id)
    shown = re.compile(r"Assignment <code>(\w+)</code>")

    first = site.get(f"/requester/hits/{hit_['HITId']}").text
    assert "50 submitted" in first  # counted, not read off the page
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = site.get(following).text
    assert len(shown.findall(first)) == 50 and len(shown.findall(second)) == 3
    assert sorted(shown.findall(first) + shown.findall(second)) == sorted(taken)
    assert 'rel="next"' not in second and 'rel="prev"' in second
    assert f'name="next" value="{following}#a-' in second.replace("&amp;", "&")  # reviewing returns here
    approved = site.get(f"/requester/hits/{hit_['HITId']}", params={"status": "Approved"}).text
    assert sorted(shown.findall(approved)) == sorted(taken[:3]) and 'rel="next"' not in approved


def test_approve_all_and_the_results_of_selected_hits(server, site, mturk, workforce):
    hits = [hit(mturk, RequesterAnnotation=f"api-{n}") for n in range(3)]
    worker = workforce.new()
    done = [worker.accept(h["HITId"]) for h in hits]
    for assignment in done:
        worker.submit(assignment, {"a": "yes"})
    approved = site.post("/requester/review/approve-all", {"next": "/requester/manage", "feedback": "Thanks"})
    assert notice(approved) == "Approved 3 assignments."
    for assignment in done:
        found = mturk.get_assignment(AssignmentId=assignment["AssignmentId"])["Assignment"]
        assert (found["AssignmentStatus"], found["RequesterFeedback"]) == ("Approved", "Thanks")

    results = site.get("/requester/results.csv", params=[("hit_id", hits[0]["HITId"]), ("hit_id", hits[2]["HITId"])])
    rows = list(csv.DictReader(io.StringIO(results.text, newline="")))
    assert [(r["HITId"], r["AssignmentStatus"], r["Answer.a"]) for r in rows] == [
        (hits[0]["HITId"], "Approved", "yes"), (hits[2]["HITId"], "Approved", "yes")]
    stranger = server.client(server.create_requester())
    theirs = hit(stranger)
    refused = site.get("/requester/results.csv", params={"hit_id": theirs["HITId"]})
    assert problem(refused).startswith(f"Hit {theirs['HITId']} does not exist.")


def test_a_batch_is_extended_and_cancelled_through_the_api_operations(server, site, mturk):
    project = site.post("/requester/projects/new", {
        "title": "Label", "description": "d", "reward": "0.10", "max_assignments": "1", "duration_value": "10",
        "duration_unit": "minutes", "lifetime_value": "1", "lifetime_unit": "hours", "auto_approval_value": "1",
        "auto_approval_unit": "days", "template": "<p>${word}</p><input name='label'>"})
    layout = re.search(r"/projects/(\w+)$", str(project.url)).group(1)
    batch = site.post(f"/requester/projects/{layout}/batches/new", files={"csv": ("w.csv", b"word\nsun\nmoon\n")})
    where = str(batch.url.path)
    site.post(f"{where}/publish")
    hits = mturk.list_hits()["HITs"]
    before = {h["HITId"]: h["Expiration"] for h in hits}
    extended = site.post(f"{where}/extend", {"hours": "2", "assignments": ""})
    assert notice(extended) == "Every HIT of the batch has been extended."
    for h in mturk.list_hits()["HITs"]:
        assert (h["Expiration"] - before[h["HITId"]]).total_seconds() == 7200
    refused = site.post(f"{where}/extend", {"hours": "", "assignments": "20"})  # MTurk's 10-assignment rule
    assert problem(refused) and all(h["MaxAssignments"] == 1 for h in mturk.list_hits()["HITs"])
    cancelled = site.post(f"{where}/cancel")
    assert notice(cancelled).startswith("Batch cancelled")
    now = server.now()
    assert all(h["Expiration"] <= now for h in mturk.list_hits()["HITs"])


def test_a_qualification_test_is_previewed_as_workers_see_it(site, mturk):
    test = (f'<QuestionForm xmlns="{FORM}"><Question><QuestionIdentifier>capital</QuestionIdentifier>'
            '<QuestionContent><Text>What is the capital of Hungary?</Text></QuestionContent>'
            '<AnswerSpecification><SelectionAnswer><Selections><Selection><SelectionIdentifier>Budapest'
            '</SelectionIdentifier><Text>Budapest</Text></Selection><Selection><SelectionIdentifier>Vienna'
            '</SelectionIdentifier><Text>Vienna</Text></Selection></Selections></SelectionAnswer>'
            '</AnswerSpecification></Question></QuestionForm>')
    key = ('<AnswerKey xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/'
           'AnswerKey.xsd"><Question><QuestionIdentifier>capital</QuestionIdentifier><AnswerOption>'
           '<SelectionIdentifier>Budapest</SelectionIdentifier><AnswerScore>100</AnswerScore></AnswerOption>'
           '</Question></AnswerKey>')
    created = site.post("/requester/qualification-types/new", {
        "name": f"Geography {uuid.uuid4().hex[:6]}", "description": "Capitals", "status": "Active",
        "test": test, "test_duration": "600", "answer_key": key})
    assert notice(created).startswith("Created the qualification type")
    page = created.text
    assert '<fieldset disabled class="question-form test-preview">' in page
    assert "What is the capital of Hungary?" in page and "&lt;AnswerKey" in page
    type_id = re.search(r"/qualification-types/(\w+)$", str(created.url)).group(1)
    assert mturk.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]["Test"] == test


def test_editing_a_project_and_a_qualification_type_and_the_bonuses_page(site, mturk, workforce):
    created = site.post("/requester/projects/new", {
        "project_name": "Words", "title": "Label a word", "description": "d", "reward": "0.10",
        "max_assignments": "1", "duration_value": "10", "duration_unit": "minutes", "lifetime_value": "1",
        "lifetime_unit": "days", "auto_approval_value": "1", "auto_approval_unit": "days", "masters": "yes",
        "approval_value": "95", "approval_comparator": "GreaterThanOrEqualTo", "locales": "US, CA",
        "locale_comparator": "In", "template": "<p>${word}</p><input name='label'>"})
    layout = re.search(r"/projects/(\w+)$", str(created.url)).group(1)
    form = site.get(f"/requester/projects/{layout}/edit").text
    assert 'value="Label a word"' in form and 'name="masters" value="yes" checked' in form
    assert 'value="US, CA"' in form and 'value="95"' in form  # the requirements come back into the form
    edited = site.post(f"/requester/projects/{layout}/edit", {
        "title": "Label one word", "description": "d", "reward": "0.20", "max_assignments": "2",
        "duration_value": "10", "duration_unit": "minutes", "lifetime_value": "1", "lifetime_unit": "days",
        "auto_approval_value": "1", "auto_approval_unit": "days", "masters": "no",
        "template": "<p>${word} ${hint}</p><input name='label'>"})
    assert notice(edited).startswith("Project saved.")
    made = mturk.create_hit(HITLayoutId=layout, HITLayoutParameters=[{"Name": "word", "Value": "sun"},
                                                                     {"Name": "hint", "Value": "sky"}],
                            Title="t", Description="d", Reward="0.10", MaxAssignments=1,
                            AssignmentDurationInSeconds=60, LifetimeInSeconds=600)["HIT"]
    assert "sun sky" in made["Question"]
    refused = site.post(f"/requester/projects/{layout}/edit", {"title": "x", "description": "d", "reward": "abc",
                                                              "template": "<p>no fields</p>"})
    assert refused.status_code == 400 and problem(refused)

    name = f"Skill {uuid.uuid4().hex[:6]}"
    created_type = site.post("/requester/qualification-types/new", {"name": name, "description": "v1"})
    type_id = re.search(r"/qualification-types/(\w+)$", str(created_type.url)).group(1)
    site.post(f"/requester/qualification-types/{type_id}", {"description": "v2", "status": "Inactive"})
    found = mturk.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]
    assert (found["Description"], found["QualificationTypeStatus"]) == ("v2", "Inactive")

    worker = workforce.new()
    hit_ = hit(mturk)
    taken = worker.accept(hit_["HITId"])
    worker.submit(taken, {"a": "x"})
    page = site.get(f"/requester/hits/{hit_['HITId']}").text
    token = re.search(r'name="token" value="([\w-]+)"', page).group(1)
    for _ in range(2):  # the same form posted twice pays once (its UniqueRequestToken)
        site.post(f"/requester/assignments/{taken['AssignmentId']}/bonus",
                  {"amount": "1.50", "reason": "Great", "token": token, "next": "/requester/bonuses"})
    assert len(mturk.list_bonus_payments(AssignmentId=taken["AssignmentId"])["BonusPayments"]) == 1
    bonuses = site.get("/requester/bonuses").text
    assert worker.worker_id in bonuses and "$1.50" in bonuses and "Great" in bonuses


def test_a_project_or_batch_that_is_not_the_members_is_a_page_saying_so(site):
    missing = site.get("/requester/projects/3NOSUCHLAYOUT0000000000000000")
    assert missing.status_code == 404 and "<html" in missing.text
    assert problem(missing) == "HITLayout 3NOSUCHLAYOUT0000000000000000 does not exist."
    assert site.get("/requester/batches/999999").status_code == 404
    assert site.get("/requester/projects/3NOSUCHLAYOUT0000000000000000/batches/new").status_code == 404


def test_a_page_address_edited_by_hand_is_refused_with_a_page(site):
    """A preview frame's row that is not a number: a page saying so, not the API's JSON envelope."""
    page = site.get("/requester/batches/1/frame/first")
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "This address was not understood" in page.text and "<code>path.index</code>" in page.text
    assert 'href="/requester/"' in page.text
