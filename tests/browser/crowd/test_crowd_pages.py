"""HTMLQuestion HITs written for MTurk, worked on in a real browser with no network beyond Kempelen: pages
built with Crowd HTML Elements, and classic pages that load externalHIT_v1.js and hard-code MTurk's
externalSubmit. The requester sees the answers through boto3, as MTurk recorded them."""

from __future__ import annotations

import json
import re

from lxml import etree

HTML_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
QFA = "{http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd}"
PREVIEW_LABEL = "You must ACCEPT the HIT before you can submit the results."

CROWD_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Street scene</title>
<script src="https://assets.crowd.aws/crowd-html-elements.js"></script></head>
<body>
<crowd-form answer-format="{answer_format}">
  <crowd-instructions link-text="View instructions" link-type="button">
    <short-summary><p>Describe the street scene and classify it.</p></short-summary>
    <detailed-instructions><p>Look at the whole picture before you answer.</p></detailed-instructions>
    <positive-example><p>"A busy crossing at noon"</p></positive-example>
    <negative-example><p>"Picture"</p></negative-example>
  </crowd-instructions>
  <crowd-alert type="info">Answers are checked against other workers'.</crowd-alert>
  <crowd-input name="caption" label="Caption" required></crowd-input>
  <crowd-text-area name="notes" label="Notes (optional)" rows="3"></crowd-text-area>
  <p id="weather-question">What is the weather?</p>
  <crowd-radio-group aria-labelledby="weather-question" required>
    <crowd-radio-button name="sunny" value="yes">Sunny</crowd-radio-button>
    <crowd-radio-button name="rainy" value="yes">Rainy</crowd-radio-button>
  </crowd-radio-group>
  <crowd-checkbox name="colours" value="Red">Red cars</crowd-checkbox>
  <crowd-checkbox name="colours" value="Blue">Blue cars</crowd-checkbox>
  <crowd-slider name="busy" label="How busy is it?" min="1" max="10" step="1" value="5" pin></crowd-slider>
  <crowd-toggle-button name="night">Night time</crowd-toggle-button>
  <crowd-classifier name="scene" categories="['City', 'Village', 'Motorway']" header="Where is this?">
    <classification-target><p>A crossing with trams and shops &amp; caf\u00e9s.</p></classification-target>
    <short-instructions>Pick the setting.</short-instructions>
    <full-instructions header="How to classify"><p>Choose the closest setting.</p></full-instructions>
  </crowd-classifier>
  <input type="hidden" name="build" value="v7">
</crowd-form>
</body></html>"""

LEGACY_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Survey</title>
<script type="text/javascript" src="https://s3.amazonaws.com/mturk-public/externalHIT_v1.js"></script></head>
<body>
<form name="mturk_form" method="post" id="mturk_form" action="https://workersandbox.mturk.com/mturk/externalSubmit">
  <input type="hidden" name="assignmentId" id="assignmentId" value="">
  <p><label for="comment">What did you think?</label></p>
  <textarea id="comment" name="comment"></textarea>
  <p><label><input type="checkbox" name="topics" value="food"> Food</label>
     <label><input type="checkbox" name="topics" value="music"> Music</label></p>
  <input type="submit" id="submitButton" value="Submit">
</form>
<script language="Javascript">turkSetAssignmentID();</script>
</body></html>"""


def html_question(content: str, frame_height: int = 0) -> str:
    return (f'<HTMLQuestion xmlns="{HTML_NS}"><HTMLContent><![CDATA[{content}]]></HTMLContent>'
            f"<FrameHeight>{frame_height}</FrameHeight></HTMLQuestion>")


def create_hit(mturk, content: str) -> str:
    return mturk.create_hit(Title="Describe a street", Description="Caption a street scene.", Reward="0.25",
                            MaxAssignments=2, AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                            Question=html_question(content))["HIT"]["HITId"]


def answers_of(mturk, hit_id: str) -> list[dict[str, str]]:
    """Each submitted assignment's answers, {QuestionIdentifier: FreeText}, from ListAssignmentsForHIT."""
    found = []
    for assignment in mturk.list_assignments_for_hit(HITId=hit_id)["Assignments"]:
        root = etree.fromstring(assignment["Answer"].encode("ascii"))
        found.append({a.findtext(f"{QFA}QuestionIdentifier"): a.findtext(f"{QFA}FreeText")
                      for a in root.iter(f"{QFA}Answer")})
    return found


def fill_crowd_page(page) -> None:
    page.get_by_label("Caption").fill("Trams at a busy crossing")
    page.get_by_label("Notes (optional)").fill("Two lines\nof notes")
    page.get_by_role("radio", name="Rainy").check()
    page.get_by_label("Blue cars").check()
    slider = page.get_by_role("slider", name="How busy is it?")
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")  # keyboard only: 5 -> 8
    page.get_by_role("switch", name="Night time").press("Space")
    page.get_by_role("radio", name="Village").check()


def test_a_crowd_form_page_is_answered_offline_and_boto3_reads_task_answers(mturk, workforce, page, screenshot):
    hit_id = create_hit(mturk, CROWD_PAGE.replace("{answer_format}", ""))
    assignment = workforce.new().accept(hit_id)
    page.goto(assignment["FrameURL"])
    page.get_by_role("button", name="View instructions").click()
    assert page.get_by_text("Look at the whole picture").is_visible()
    fill_crowd_page(page)
    screenshot(page, "crowd-page.png")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than a phone
    screenshot(page, "crowd-page-phone.png")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/mturk/externalSubmit$"))
    assert page.get_by_role("heading").inner_text() == "HIT submitted"
    (answers,) = answers_of(mturk, hit_id)
    assert list(answers) == ["taskAnswers"]
    assert json.loads(answers["taskAnswers"]) == [{
        "build": "v7", "busy": 8, "caption": "Trams at a busy crossing",
        "colours": {"Blue": True, "Red": False}, "night": {"on": True}, "notes": "Two lines\nof notes",
        "rainy": {"yes": True}, "scene": {"label": "Village"}, "sunny": {"yes": False}}]
    # written as AWS wrote it: keys in sorted order
    assert answers["taskAnswers"].startswith('[{"build":"v7","busy":8,"caption":')
    assert page.refused_requests == [] and page.script_errors == []


def test_the_crowd_page_ran_sandboxed(mturk, workforce, page):
    page.goto(workforce.new().accept(create_hit(mturk, CROWD_PAGE.replace("{answer_format}", "")))["FrameURL"])
    page.get_by_label("Caption").wait_for()
    assert page.evaluate("self.origin") == "null"  # an opaque origin: no cookies, no site authority


def test_flatten_objects_writes_dotted_keys(mturk, workforce, page):
    hit_id = create_hit(mturk, CROWD_PAGE.replace("{answer_format}", "flatten-objects"))
    page.goto(workforce.new().accept(hit_id)["FrameURL"])
    fill_crowd_page(page)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/mturk/externalSubmit$"))
    (answers,) = answers_of(mturk, hit_id)
    assert json.loads(answers["taskAnswers"]) == [{
        "build": "v7", "busy": 8, "caption": "Trams at a busy crossing", "colours.Blue": True,
        "colours.Red": False, "night.on": True, "notes": "Two lines\nof notes", "rainy.yes": True,
        "scene.label": "Village", "sunny.yes": False}]


def test_required_answers_are_asked_for_before_anything_is_sent(mturk, workforce, page):
    hit_id = create_hit(mturk, CROWD_PAGE.replace("{answer_format}", ""))
    worker = workforce.new()
    assignment = worker.accept(hit_id)
    page.goto(assignment["FrameURL"])
    page.get_by_role("button", name="Submit").click()
    caption = page.get_by_label("Caption")
    # the first missing answer: named in the form's alert (the browser's own words), its field focused
    assert caption.evaluate("node => node === document.activeElement")
    errors = page.locator("crowd-form > [role=alert]")
    assert errors.inner_text() == caption.evaluate("node => node.validationMessage") != ""
    caption.fill("Something")
    page.get_by_role("button", name="Submit").click()
    assert errors.inner_text() == "Please choose one of these options."
    assert page.get_by_role("radio", name="Sunny").evaluate("node => node === document.activeElement")
    assert worker.assignment(assignment)["AssignmentStatus"] == "Accepted"
    assert answers_of(mturk, hit_id) == []


def test_a_page_script_can_veto_the_submission(mturk, workforce, page):
    veto = CROWD_PAGE.replace("{answer_format}", "").replace(
        "</body>", "<script>document.querySelector('crowd-form').onsubmit = function (event) {"
                   " event.preventDefault(); document.title = 'vetoed'; };</script></body>")
    hit_id = create_hit(mturk, veto)
    page.goto(workforce.new().accept(hit_id)["FrameURL"])
    fill_crowd_page(page)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_function("document.title === 'vetoed'")
    assert answers_of(mturk, hit_id) == []


def test_a_preview_cannot_be_submitted(mturk, workforce, page):
    hit_id = create_hit(mturk, CROWD_PAGE.replace("{answer_format}", ""))
    preview = workforce.new().preview(hit_id)
    page.goto(preview["FrameURL"])
    button = page.get_by_role("button", name=PREVIEW_LABEL)
    assert button.is_disabled()
    # a page that calls submit() itself is refused too, in the page, with nothing sent
    page.evaluate("document.querySelector('crowd-form').submit()")
    assert PREVIEW_LABEL in page.locator(".crowd-form-errors").inner_text()
    assert answers_of(mturk, hit_id) == []


def test_elements_kempelen_lacks_say_so_on_the_page(mturk, workforce, page):
    content = ('<script src="https://assets.crowd.aws/crowd-html-elements.js"></script><crowd-form>'
               '<crowd-bounding-box name="boxes" src="https://example.org/x.png" labels="[\'car\']">'
               '</crowd-bounding-box></crowd-form>')
    page.goto(workforce.new().preview(create_hit(mturk, content))["FrameURL"])
    assert page.get_by_role("note").inner_text().startswith("This task uses <crowd-bounding-box>")


def test_a_legacy_page_with_hard_coded_mturk_addresses_submits_here(mturk, workforce, page, server):
    hit_id = create_hit(mturk, LEGACY_PAGE)
    worker = workforce.new()
    assignment = worker.accept(hit_id)
    page.goto(assignment["FrameURL"])
    assert page.locator("#assignmentId").input_value() == assignment["AssignmentId"]
    assert page.locator("#mturk_form").get_attribute("action") == f"{server.endpoint}/mturk/externalSubmit"
    assert page.evaluate("turkGetParam('hitId', '')") == hit_id
    assert page.evaluate("turkGetSubmitToHost()") == server.endpoint
    page.get_by_label("What did you think?").fill("Lovely & short")
    page.get_by_label("Food").check()
    page.get_by_label("Music").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/mturk/externalSubmit$"))
    assert answers_of(mturk, hit_id) == [{"comment": "Lovely & short", "topics": "food|music"}]
    assert worker.assignment(assignment)["AssignmentStatus"] == "Submitted"
    assert page.refused_requests == [] and page.script_errors == []


def test_the_legacy_helper_disables_submit_in_a_preview(mturk, workforce, page):
    page.goto(workforce.new().preview(create_hit(mturk, LEGACY_PAGE))["FrameURL"])
    button = page.locator("#submitButton")
    assert button.is_disabled() and button.get_attribute("value") == PREVIEW_LABEL
    assert page.locator("#assignmentId").input_value() == "ASSIGNMENT_ID_NOT_AVAILABLE"


IMAGE_CLASSIFIER_PAGE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier name="animal" header="Which animal is this?" categories='["Cat", "Dog", "Other"]'
      src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='120' height='80'%3E%3Crect width='120' height='80' fill='%23e07a5f'/%3E%3C/svg%3E">
    <short-instructions>Choose the animal.</short-instructions>
    <full-instructions header="Classification instructions"><p>If unsure, choose Other.</p></full-instructions>
    <worker-comment header="Why?" link-text="Add a comment">Say what made you unsure.</worker-comment>
  </crowd-image-classifier>
  <input type="hidden" name="elapsed" id="elapsed">
  <crowd-button form-action="submit" style="display:none"></crowd-button>
</crowd-form>
<button type="button" id="done">I am done</button>
<script>
  // a page that submits by itself once the elements are defined, as Mephisto's pages do
  document.getElementById("done").addEventListener("click", function () {
    document.getElementById("elapsed").value = "93";
    customElements.whenDefined("crowd-form").then(function () { document.querySelector("crowd-form").submit(); });
  });
</script>"""


def test_an_image_classifier_with_a_comment_submitted_from_the_pages_own_script(mturk, workforce, page):
    hit_id = create_hit(mturk, IMAGE_CLASSIFIER_PAGE)
    page.goto(workforce.new().accept(hit_id)["FrameURL"])
    assert page.get_by_role("img", name="Which animal is this?").is_visible()
    assert page.get_by_role("button", name="Submit").count() == 0  # the page brought its own (hidden) one
    page.get_by_role("radio", name="Other").check()
    page.get_by_role("button", name="Add a comment").click()
    page.get_by_label("Why?").fill("Looks like a fox")
    page.get_by_role("button", name="I am done").click()
    page.wait_for_url(re.compile(r"/mturk/externalSubmit$"))
    (answers,) = answers_of(mturk, hit_id)
    assert json.loads(answers["taskAnswers"]) == [
        {"animal": {"label": "Other", "workerComment": "Looks like a fox"}, "elapsed": "93"}]
    assert page.refused_requests == [] and page.script_errors == []
