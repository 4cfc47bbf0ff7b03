"""A requester's whole day on the website, in Chromium: sign in, create a project from a template, upload a
CSV with a bad row (refused, its line number shown) and then a good one, publish, workers answer through the
worker API, review (one rejected with feedback, the rest approved in bulk), pay a bonus, download the results
CSV and compare it with a hand-written file, upload a reviewed results CSV. boto3 sees all of it, and a HIT
made through boto3 with the project's HITLayoutId shows on the project's page.

This module has its own server per database, and this test is its first user: the batch is Batch 1 and the
project's template id is 1, as the expected file says.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.requester_site.conftest import sign_in

pytestmark = pytest.mark.long

HERE = Path(__file__).parent
T0 = datetime(2031, 1, 14, 18, 0, 0, tzinfo=timezone.utc)  # Tue Jan 14 10:00:00 PST 2031

TEMPLATE = """<h3>${product}</h3>
<blockquote>${review}</blockquote>
<p>How does this review feel?</p>
<label><input type="radio" name="sentiment" value="positive" required> Positive</label>
<label><input type="radio" name="sentiment" value="negative"> Negative</label>"""

BAD_CSV = b'product,review\nlamp,"Bright, and cheap"\nkettle,"Boils fast",extra\nmug,Holds tea\n'
GOOD_CSV = ('\ufeffproduct,review\r\nlamp,"Bright, and cheap"\r\nkettle,"Boils fast.\nLoud though."\r\n'
            'mug,"Holds ""tea"""\r\n').encode("utf-8")
SECOND_CSV = b"product,review\npen,Writes well\nink,Smudges\n"


def notice(page) -> str:
    return page.locator("p.notice").inner_text()


def _fill_project_form(page) -> None:
    page.get_by_label("Project name (only you see it)").fill("Review sentiment")
    page.get_by_label("Title", exact=True).fill("Product review sentiment")
    page.get_by_label("Description").fill("Read a short product review and say how it feels.")
    page.get_by_label("Keywords").fill("sentiment, reviews")
    page.get_by_label("Reward per assignment ($)").fill("0.05")
    page.get_by_label("Assignments per task").fill("1")
    page.locator("#f-duration").fill("1")
    page.locator("#f-duration-unit").select_option("hours")
    page.locator("#f-lifetime").fill("7")
    page.locator("#f-lifetime-unit").select_option("days")
    page.locator("#f-auto_approval").fill("3")
    page.locator("#f-auto_approval-unit").select_option("days")
    page.locator("#f-template").fill(TEMPLATE)


def _upload(page, name: str, data: bytes) -> None:
    page.locator("#f-csv").set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.get_by_role("button", name="Upload and preview").click()


def _publish(page) -> None:
    page.get_by_role("button", name=re.compile(r"^Publish \d+ HITs$")).click()
    expect(page.locator("h1 .status")).to_have_text("Published")


def _results(page) -> tuple[str, str]:
    with page.expect_download() as download:
        page.get_by_role("link", name="Download results (CSV)").click()
    return download.value.suggested_filename, Path(download.value.path()).read_bytes().decode("utf-8")


def _hits_by_product(mturk) -> dict[str, dict]:
    found = {}
    for hit in mturk.list_hits(MaxResults=100)["HITs"]:
        product = re.search(r"<h3>(\w+)</h3>", hit["Question"]).group(1)
        found[product] = hit
    return found


def test_a_batch_from_template_to_reviewed_results(live, account, page, shots):
    live.set_clock(T0)
    mturk = live.client(account)
    workforce = live.workforce()
    sign_in(page, live, account)
    shots("manage-empty", phone=False)

    # A project from a template: its HITLayoutId is on the project's page, the preview is sandboxed.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Create").click()
    page.get_by_role("link", name="New project").click()
    _fill_project_form(page)
    shots("project-form")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator("p.notice")).to_contain_text("Project “Review sentiment” saved")
    hit_layout_id = re.search(r"/projects/(\w+)$", page.url).group(1)
    frame = page.locator("iframe.hit-frame")
    expect(frame).to_have_attribute("sandbox", "allow-scripts allow-forms")
    page.get_by_role("textbox", name="product").fill("lamp")
    page.get_by_role("textbox", name="review", exact=True).fill("Bright <b>and</b> cheap")
    page.get_by_role("button", name="Preview with these values").click()
    preview = page.frame_locator("iframe.hit-frame")
    expect(preview.locator("h3")).to_have_text("lamp")
    expect(preview.locator("blockquote")).to_have_text("Bright <b>and</b> cheap")  # escaped, not markup
    shots("project")

    # A CSV with a bad row is refused whole, with the line of every problem; nothing is kept.
    page.get_by_role("link", name="Publish a batch").click()
    _upload(page, "bad.csv", BAD_CSV)
    problems = page.locator("#csv-problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first.locator("td").first).to_have_text("3")
    expect(problems.first).to_contain_text("3 fields but the header has 2")
    shots("batch-upload-refused")
    assert mturk.list_hits()["NumResults"] == 0

    # The good file (BOM, CRLF, quotes, a line break inside quotes): a preview, the cost, then publish.
    _upload(page, "reviews.csv", GOOD_CSV)
    expect(page.locator("p.notice")).to_contain_text("3 rows read")
    expect(page.get_by_role("heading", name=re.compile("Preview: HIT 1 of 3"))).to_be_visible()
    expect(page.frame_locator("iframe.hit-frame").locator("h3")).to_have_text("lamp")
    page.get_by_role("link", name="Next HIT →").click()
    expect(page.frame_locator("iframe.hit-frame").locator("blockquote")).to_contain_text("Loud though.")
    expect(page.locator(".publish")).to_contain_text("$0.15")  # 3 assignments of $0.05 in rewards
    shots("batch-preview")
    _publish(page)
    batch_url = page.url.split("?")[0]
    assert batch_url.endswith("/requester/batches/1")

    hits = _hits_by_product(mturk)
    assert sorted(hits) == ["kettle", "lamp", "mug"]
    assert {h["RequesterAnnotation"] for h in hits.values()} == {"BatchId:1;OriginalHitTemplateId:1;"}
    assert {h["HITLayoutId"] for h in hits.values()} == {hit_layout_id}

    # Workers answer through the worker API, 44 seconds of service time apiece.
    first, second = workforce.new("AREQSITEWORKER1"), workforce.new("AREQSITEWORKER2")
    taken = {"lamp": first.accept(hits["lamp"]["HITId"]), "kettle": first.accept(hits["kettle"]["HITId"]),
             "mug": second.accept(hits["mug"]["HITId"])}
    live.advance_clock(44)
    first.submit(taken["lamp"], {"sentiment": "positive"})
    first.submit(taken["kettle"], {"sentiment": "negative"})
    second.submit(taken["mug"], {"sentiment": "positive"})
    live.advance_clock(60)

    # Review: the mug's answer rejected with feedback on its HIT's page...
    page.goto(batch_url)
    expect(page.locator("dl.counts")).to_contain_text("Submitted3")
    page.get_by_role("link", name="Review its HITs").click()
    expect(page.locator("table.list tbody tr")).to_have_count(3)
    shots("manage")
    page.goto(f"{live.endpoint}/requester/hits/{hits['mug']['HITId']}")
    assignment = page.locator(f"#a-{taken['mug']['AssignmentId']}")
    expect(assignment.locator("table.answers")).to_contain_text("positive")
    assignment.get_by_label("Reason for rejecting").fill("You did not read the review.")
    assignment.get_by_role("button", name="Reject").click()
    expect(page.locator("p.notice")).to_contain_text(f"Rejected assignment {taken['mug']['AssignmentId']}")
    shots("hit")

    # ...the rest approved in bulk from the batch's page...
    page.goto(batch_url)
    page.get_by_role("button", name="Approve all 2 submitted").click()
    expect(page.locator("p.notice")).to_have_text("Approved 2 assignments.")
    expect(page.locator("dl.counts")).to_contain_text("Approved2")
    expect(page.locator("dl.counts")).to_contain_text("Rejected1")
    shots("batch")

    # ...and a bonus for the lamp's careful answer.
    page.goto(f"{live.endpoint}/requester/hits/{hits['lamp']['HITId']}")
    lamp = page.locator(f"#a-{taken['lamp']['AssignmentId']}")
    lamp.get_by_label("Bonus ($)").fill("0.25")
    lamp.get_by_label("Reason").fill("Thorough work")
    lamp.get_by_role("button", name="Pay bonus").click()
    expect(page.locator("p.notice")).to_have_text("Paid a bonus of $0.25 to AREQSITEWORKER1.")

    # boto3 sees what the site did.
    mug = mturk.list_assignments_for_hit(HITId=hits["mug"]["HITId"])["Assignments"][0]
    assert (mug["AssignmentStatus"], mug["RequesterFeedback"]) == ("Rejected", "You did not read the review.")
    for product in ("lamp", "kettle"):
        statuses = [a["AssignmentStatus"] for a in
                    mturk.list_assignments_for_hit(HITId=hits[product]["HITId"])["Assignments"]]
        assert statuses == ["Approved"]
    bonus = mturk.list_bonus_payments(AssignmentId=taken["lamp"]["AssignmentId"])["BonusPayments"]
    assert [(b["WorkerId"], b["BonusAmount"], b["Reason"]) for b in bonus] == [
        ("AREQSITEWORKER1", "0.25", "Thorough work")]

    # The results file, compared with the hand-written one (ids filled in), quoted and CRLF as MTurk's.
    page.goto(batch_url)
    name, text = _results(page)
    assert name == "Batch_1_batch_results.csv"
    assert text.startswith('"HITId","HITTypeId","Title",') and "\r\n" in text
    expected = (HERE / "expected_batch_results.csv").read_text(encoding="utf-8")
    expected = expected.replace("{HITTypeId}", hits["lamp"]["HITTypeId"])
    for product in ("lamp", "kettle", "mug"):
        expected = expected.replace(f"{{HIT_{product}}}", hits[product]["HITId"])
        expected = expected.replace(f"{{ASSIGNMENT_{product}}}", taken[product]["AssignmentId"])
    assert list(csv.reader(io.StringIO(text, newline=""))) == list(csv.reader(io.StringIO(expected, newline="")))

    # A second batch, reviewed offline: its results file comes back with Approve / Reject filled in.
    page.goto(f"{live.endpoint}/requester/projects/{hit_layout_id}/batches/new")
    _upload(page, "more.csv", SECOND_CSV)
    _publish(page)
    second_url = page.url.split("?")[0]
    hits = _hits_by_product(mturk)
    pen = first.accept(hits["pen"]["HITId"])
    ink = second.accept(hits["ink"]["HITId"])
    first.submit(pen, {"sentiment": "positive"})
    second.submit(ink, {"sentiment": "negative"})
    page.reload()
    _, results = _results(page)
    rows = list(csv.DictReader(io.StringIO(results, newline="")))
    assert [r["Input.product"] for r in rows] == ["pen", "ink"]
    decisions = {"pen": ("x", ""), "ink": ("", "Smudges is not a sentiment.")}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        row["Approve"], row["Reject"] = decisions[row["Input.product"]]
        writer.writerow(row)
    page.get_by_label(re.compile("Upload the results CSV")).set_input_files(
        files=[{"name": "Batch_2_batch_results.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}])
    page.get_by_role("button", name="Upload reviewed CSV").click()
    outcomes = page.locator("#review-outcomes tbody tr")
    expect(outcomes).to_have_count(2)
    expect(outcomes.nth(0)).to_contain_text("Approved")
    expect(outcomes.nth(1)).to_contain_text("Rejected")
    shots("review-upload")
    assert second_url.endswith("/requester/batches/2")
    ink_assignment = mturk.get_assignment(AssignmentId=ink["AssignmentId"])["Assignment"]
    assert (ink_assignment["AssignmentStatus"], ink_assignment["RequesterFeedback"]) == (
        "Rejected", "Smudges is not a sentiment.")
    assert mturk.get_assignment(AssignmentId=pen["AssignmentId"])["Assignment"]["AssignmentStatus"] == "Approved"

    # A HIT made through boto3 from the project's HITLayoutId shows on the project's page.
    made = mturk.create_hit(
        HITLayoutId=hit_layout_id, HITLayoutParameters=[{"Name": "product", "Value": "desk"},
                                                        {"Name": "review", "Value": "Sturdy"}],
        Title="Desk review", Description="One more", Reward="0.05", MaxAssignments=1,
        AssignmentDurationInSeconds=600, LifetimeInSeconds=3600)["HIT"]
    assert mturk.get_hit(HITId=made["HITId"])["HIT"]["HITLayoutId"] == hit_layout_id
    page.goto(f"{live.endpoint}/requester/projects/{hit_layout_id}")
    expect(page.locator("#hits-h + p + ul")).to_contain_text(made["HITId"])

    # The workers who worked for the requester, with their record on its work.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Workers").click()
    first_row = page.locator("table.list tbody tr", has_text="AREQSITEWORKER1")
    expect(first_row).to_contain_text("100% (3/3)")
    expect(first_row).to_contain_text("$0.25")
    shots("workers")
    first_row.get_by_role("link", name="AREQSITEWORKER1").click()
    expect(page.get_by_role("heading", name="Worker AREQSITEWORKER1")).to_be_visible()
    shots("worker")
