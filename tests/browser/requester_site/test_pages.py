"""The rest of the site in Chromium: requester HTML kept in its sandbox, qualification types and requests,
a worker's page (scores, block, message), the account and the Developer page; keyboard use."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from kempelen.requester_client import RequesterClient

from tests.browser.requester_site.conftest import sign_in

HOSTILE = """<p id="cookie">?</p><p id="api">?</p><p id="parent">?</p>
<p><input name="answer"> ${word}</p>
<script>
  var say = function (id, text) { document.getElementById(id).textContent = text; };
  try { say("cookie", "cookie:" + document.cookie); } catch (e) { say("cookie", "cookie:blocked"); }
  try {
    fetch("/requester/developer", {credentials: "include"})
      .then(function (r) { return r.text(); })
      .then(function (t) { say("api", "api:" + (t.indexOf("AKIA") >= 0 ? "read" : "empty")); })
      .catch(function () { say("api", "api:blocked"); });
  } catch (e) { say("api", "api:blocked"); }
  try { say("parent", "parent:" + window.parent.document.title); } catch (e) { say("parent", "parent:blocked"); }
</script>"""

QUESTION = ("<HTMLQuestion xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/"
            "HTMLQuestion.xsd\"><HTMLContent><![CDATA[<p><input name=\"a\"></p>]]></HTMLContent>"
            "<FrameHeight>0</FrameHeight></HTMLQuestion>")


def test_requester_html_cannot_act_as_the_member(live, account, page):
    sign_in(page, live, account)
    page.goto(f"{live.endpoint}/requester/projects/new")
    page.get_by_label("Title", exact=True).fill("Sandbox check")
    page.get_by_label("Description").fill("d")
    page.locator("#f-template").fill(HOSTILE)
    page.get_by_role("button", name="Save and preview").click()
    frame = page.frame_locator("iframe.hit-frame")
    expect(frame.locator("#cookie")).to_have_text("cookie:blocked")
    expect(frame.locator("#api")).to_have_text("api:blocked")
    expect(frame.locator("#parent")).to_have_text("parent:blocked")
    # Opened on its own, the frame's URL is still sandboxed (the CSP says so, not only the iframe).
    src = page.locator("iframe.hit-frame").get_attribute("src")
    response = page.goto(live.endpoint + src)
    assert "sandbox allow-scripts allow-forms" in response.headers["content-security-policy"]
    expect(page.locator("#cookie")).to_have_text("cookie:blocked")
    expect(page.locator("#api")).to_have_text("api:blocked")


def test_a_crowd_form_layout_previews_with_the_local_crowd_elements(live, account, page):
    # The sentiment starter loads https://assets.crowd.aws/crowd-html-elements.js: the preview frame must get
    # the server's copy (a wrong path once left the classifier unrendered: its categories were not shown).
    sign_in(page, live, account)
    page.goto(f"{live.endpoint}/requester/projects/new?start=sentiment")
    page.get_by_label("Title", exact=True).fill("Crowd preview")
    page.get_by_label("Description").fill("d")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.frame_locator("iframe.hit-frame").get_by_text("Negative", exact=True)).to_be_visible()


def test_a_huge_answer_scrolls_in_its_cell(live, account, page):
    # A 300,000-character free-text answer once made the HIT page some 200,000 pixels tall.
    mturk = live.client(account)
    hit = mturk.create_hit(Title="Long answer", Description="d", Reward="0.10", MaxAssignments=1,
                           AssignmentDurationInSeconds=600, LifetimeInSeconds=3600, Question=QUESTION)["HIT"]
    worker = live.workforce().new()
    worker.submit(worker.accept(hit["HITId"]), {"a": "cat " * 75_000})
    sign_in(page, live, account)
    page.goto(f"{live.endpoint}/requester/hits/{hit['HITId']}")
    expect(page.locator(".answer-text")).to_contain_text("cat cat")
    assert page.evaluate("document.documentElement.scrollHeight") < 3000


def test_numbers_too_large_or_odd_for_the_database_are_refused_not_500s(live, account, page):
    sign_in(page, live, account)
    for query in ("batch=99999999999999999999", "before=99999999999999999999", "before=%C2%B2"):
        assert page.goto(f"{live.endpoint}/requester/manage?{query}").status == 200, query
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    requester = RequesterClient(live.endpoint, account["AccessKeyId"], account["SecretAccessKey"])
    layout = requester.create_project("<input name='a'> ${word}", {
        "Title": "t", "Description": "d", "Reward": "0.10", "AssignmentDurationInSeconds": 600,
        "LifetimeInSeconds": 3600})["HITLayoutId"]
    batch_id = requester.create_batch(layout, "word\nhello\n")["BatchId"]
    posts = {"/requester/review/approve-all": {"batch": "99999999999999999999"},
             f"/requester/batches/{batch_id}/extend": {"hours": "1e400"}}
    for path, fields in posts.items():
        response = page.request.post(live.endpoint + path, form={"csrf_token": token, **fields}, max_redirects=0)
        assert response.status == 303, (path, response.status)
        page.goto(live.endpoint + response.headers["location"])
        expect(page.locator("[role=alert], p.problem, p.notice").first).to_contain_text(
            "nothing was approved" if "approve" in path else "Add hours must be a number of hours")


def test_qualification_types_requests_and_a_workers_page(live, account, page, shots):
    mturk = live.client(account)
    page.goto(f"{live.endpoint}/requester/signin")
    shots("signin", phone=False)
    sign_in(page, live, account)

    # Create a type on the site; a worker asks for it through the worker API; approve it with a score.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Qualifications").click()
    page.get_by_role("link", name="Create a qualification type").click()
    page.get_by_label("Name").fill("Careful reader")
    page.get_by_label("Description").fill("Reads every review to the end.")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("p.notice")).to_have_text("Created the qualification type Careful reader.")
    type_id = re.search(r"/qualification-types/(\w+)$", page.url).group(1)
    worker = live.workforce().new()
    worker.request_qualification(type_id)
    page.reload()
    request = page.locator("article.assignment", has_text=worker.worker_id)
    request.get_by_label("Score").fill("80")
    request.get_by_role("button", name="Approve").click()
    expect(page.locator("p.notice")).to_contain_text("Request approved")
    expect(page.locator("#holders-h + div")).to_contain_text(worker.worker_id)
    shots("qualification-type")
    scores = mturk.list_workers_with_qualification_type(QualificationTypeId=type_id)["Qualifications"]
    assert [(q["WorkerId"], q["IntegerValue"]) for q in scores] == [(worker.worker_id, 80)]
    page.get_by_role("link", name="Qualification types").click()
    shots("qualification-types")

    # The worker does a HIT; on their page: change the score, revoke it, message them, block them.
    hit = mturk.create_hit(Title="One HIT", Description="d", Reward="0.10", MaxAssignments=1,
                           AssignmentDurationInSeconds=600, LifetimeInSeconds=3600, Question=QUESTION)["HIT"]
    done = worker.accept(hit["HITId"])
    worker.submit(done, {"a": "yes"})
    mturk.approve_assignment(AssignmentId=done["AssignmentId"])
    page.goto(f"{live.endpoint}/requester/workers/{worker.worker_id}")
    page.get_by_label("Score for Careful reader").fill("90")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("p.notice")).to_have_text(f"{worker.worker_id} now has a score of 90.")
    assert mturk.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker.worker_id)[
        "Qualification"]["IntegerValue"] == 90
    page.get_by_label("Subject").fill("Thanks")
    page.get_by_label("Message", exact=True).fill("Your answers were careful.")
    page.get_by_role("button", name="Send (NotifyWorkers)").click()
    expect(page.locator("p.notice")).to_have_text(f"Message sent to {worker.worker_id}.")
    assert [m["Subject"] for m in worker.messages()][-1] == "Thanks"
    page.get_by_label("Reason (the worker is not shown it)").fill("Testing blocks")
    page.get_by_role("button", name="Block").click()
    expect(page.locator("p.notice")).to_contain_text(f"Blocked {worker.worker_id}")
    blocks = mturk.list_worker_blocks()["WorkerBlocks"]
    assert [(b["WorkerId"], b["Reason"]) for b in blocks] == [(worker.worker_id, "Testing blocks")]
    shots("worker-actions", phone=False)
    page.get_by_label("Reason for revoking Careful reader").fill("Too hasty lately")
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("p.notice")).to_contain_text("Revoked")
    holders = mturk.list_workers_with_qualification_type(QualificationTypeId=type_id, Status="Granted")
    assert holders["Qualifications"] == []


def test_account_and_developer_pages(live, page, shots):
    credentials = live.create_requester("Ledger Lab", mode="ledger", balance="50.00")
    live.admin("POST", f"/_kempelen/requesters/{credentials['AccessKeyId']}/logins",
               {"Email": "ledger@lab.example", "Password": "analytical engine"})
    mturk = live.client(credentials)
    sign_in(page, live, {"Email": "ledger@lab.example", "Password": "analytical engine"})
    expect(page.locator(".mode-banner")).to_contain_text("Ledger mode")
    hit = mturk.create_hit(Title="Paid HIT", Description="d", Reward="1.00", MaxAssignments=1,
                           AssignmentDurationInSeconds=600, LifetimeInSeconds=3600, Question=QUESTION)["HIT"]
    worker = live.workforce().new()
    worker.submit(worker.accept(hit["HITId"]), {"a": "yes"})
    page.goto(f"{live.endpoint}/requester/hits/{hit['HITId']}")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("p.notice")).to_contain_text("Approved assignment")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    balance = mturk.get_account_balance()["AvailableBalance"]
    assert balance == "48.80"  # $1.00 reward + 20% fee
    expect(page.locator("dl.properties").first).to_contain_text(f"${balance}")
    expect(page.locator("table.list")).to_contain_text("Approval")
    shots("account")

    mturk.update_notification_settings(HITTypeId=hit["HITTypeId"], Active=True, Notification={
        "Destination": "ops@lab.example", "Transport": "Email", "Version": "2006-05-05",
        "EventTypes": ["AssignmentSubmitted"]})
    page.get_by_role("link", name="Notification settings").click()
    expect(page.locator("article", has_text="Paid HIT")).to_contain_text("Email to ops@lab.example")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator("p.notice")).to_have_text("Notification settings saved.")
    expect(page.locator("article", has_text="Paid HIT")).to_contain_text("Inactive")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Developer").click()
    page.get_by_role("button", name="Create an access key").click()
    secret = page.locator("#new-key-secret").inner_text()
    key_id = page.locator("#new-key-id").inner_text()
    assert live.client({"AccessKeyId": key_id, "SecretAccessKey": secret}).get_account_balance()[
        "AvailableBalance"] == "48.80"
    shots("developer")


def test_the_manage_page_works_from_the_keyboard(live, account, page):
    mturk = live.client(account)
    mturk.create_hit(Title="Keyboard HIT", Description="d", Reward="0.10", MaxAssignments=1,
                     AssignmentDurationInSeconds=600, LifetimeInSeconds=3600, Question=QUESTION,
                     RequesterAnnotation="kbd-1")
    page.goto(f"{live.endpoint}/requester/signin")
    page.keyboard.press("Tab")  # the skip link first
    expect(page.locator(".skip-link")).to_be_focused()
    page.get_by_label("Email address").focus()
    page.keyboard.type(account["Email"])
    page.keyboard.press("Tab")
    page.keyboard.type(account["Password"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Manage HITs")).to_be_visible()
    page.get_by_label("Annotation starts with").focus()
    page.keyboard.type("kbd")
    page.keyboard.press("Enter")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    link = page.get_by_role("link", name="Keyboard HIT")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keyboard HIT")).to_be_visible()


def test_a_crowd_html_template_previews_with_the_servers_own_elements(live, account, page):
    sign_in(page, live, account)
    page.goto(f"{live.endpoint}/requester/projects/new?start=sentiment")
    page.get_by_label("Title", exact=True).fill("Sentiment")
    page.get_by_label("Description").fill("d")
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((live.endpoint, "data:", "about:")) else None)
    page.get_by_role("button", name="Save and preview").click()
    page.get_by_role("textbox", name="text").fill("Lovely lamp")
    page.get_by_role("button", name="Preview with these values").click()
    frame = page.frame_locator("iframe.hit-frame")
    expect(frame.locator("crowd-classifier")).to_contain_text("Lovely lamp")
    preview = next(f for f in page.frames if "/frame" in f.url)
    preview.wait_for_function("() => !!customElements.get('crowd-classifier')")
    assert outside == []  # the template names MTurk's CDN; the preview loads the server's own copy
