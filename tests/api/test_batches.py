"""Batches through Kempelen's requester routes, as the CLI and scripts use them: upload (every bad line
reported, nothing made), publish with progress, counts, cancel, extend, the results file (compared with a
hand-written one) and the reviewed file coming back. boto3 sees what they did."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kempelen.client import KempelenError
from kempelen.requester_client import RequesterClient
from tests.databases import live_server

EXPECTED = Path(__file__).parent / "data" / "batch_results_expected.csv"
TEMPLATE = ('<p>${text}</p><label><input type="radio" name="sentiment" value="positive"> positive</label>'
            '<label><input type="radio" name="sentiment" value="negative"> negative</label>'
            '<textarea name="comment"></textarea>')
PROJECT = {"Title": "Rate the sentence", "Description": "Say whether the sentence is positive.",
           "Keywords": "sentiment, text", "Reward": "0.02", "MaxAssignments": 2,
           "AssignmentDurationInSeconds": 3600, "LifetimeInSeconds": 259200, "AutoApprovalDelayInSeconds": 259200}
INPUT = 'text,id\r\n"I love it, truly",1\r\n"He said ""no""\nthen left",2\r\n'


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def own_server(request):
    """A server of this module's own: the results test sets the clock to a fixed moment."""
    with live_server(request.param) as live:
        yield live


@pytest.fixture
def keys(own_server):
    return own_server.create_requester()


@pytest.fixture
def requester(own_server, keys):
    return RequesterClient(own_server.endpoint, keys["AccessKeyId"], keys["SecretAccessKey"])


@pytest.fixture
def mturk(own_server, keys):
    return own_server.client(keys)


@pytest.fixture
def project(requester):
    return requester.create_project(TEMPLATE, PROJECT)


def test_a_file_with_bad_rows_is_refused_whole_with_every_line(requester, project, mturk):
    data = 'id,text\n1,fine\n2,"bad"quote\n3\n4,"fine\ntoo"\n5,x,y\n'
    with pytest.raises(KempelenError) as excinfo:
        requester.create_batch(project["HITLayoutId"], data)
    assert excinfo.value.status == 400
    assert [d["Line"] for d in excinfo.value.details] == [3, 4, 7]
    assert "Line 3:" in excinfo.value.message
    assert mturk.list_hits()["HITs"] == []
    assert requester.call("GET", "/batches")["Batches"] == []


def test_rows_whose_hits_would_be_too_large_are_found_at_upload(requester, project):
    data = f"text,id\nfine,1\n{'x' * 70_000},2\nfine,3\n{'y' * 66_000},4\n"
    with pytest.raises(KempelenError) as excinfo:
        requester.create_batch(project["HITLayoutId"], data)
    assert [d["Line"] for d in excinfo.value.details] == [3, 5]
    assert "can be at most 65535 bytes" in excinfo.value.details[0]["Message"]


def test_a_header_without_the_variables_is_refused(requester, project):
    with pytest.raises(KempelenError) as excinfo:
        requester.create_batch(project["HITLayoutId"], "words\nhello\n")
    assert excinfo.value.details == [{"Line": 1, "Message": "The header row must name every variable of the "
                                                            "project's layout; missing: text."}]


def test_publish_shows_progress_and_boto3_sees_the_hits(requester, project, mturk):
    rows = "".join(f'"sentence {i}",{i}\n' for i in range(5))
    batch = requester.create_batch(project["HITLayoutId"], "text,id\n" + rows, name="five")
    assert (batch["Status"], batch["NumberOfRows"], batch["NumberOfHITsPublished"]) == ("Unpublished", 5, 0)
    assert (batch["RewardTotal"], batch["FeesTotal"], batch["CostTotal"]) == ("0.20", "0.10", "0.30")
    seen = []
    done = requester.publish_batch(batch["BatchId"], limit=2, on_progress=lambda b: seen.append(
        (b["Status"], b["NumberOfHITsPublished"])))
    assert seen == [("Publishing", 2), ("Publishing", 4), ("Published", 5)]
    assert (done["AssignmentsTotal"], done["AssignmentsAvailable"]) == (10, 10)
    hit_ids = requester.batch_hit_ids(batch["BatchId"])
    hits = {h["HITId"]: h for h in mturk.list_hits(MaxResults=100)["HITs"]}
    assert set(hit_ids) == set(hits)
    first = hits[hit_ids[0]]
    assert first["HITLayoutId"] == project["HITLayoutId"]
    assert first["RequesterAnnotation"] == f"BatchId:{batch['BatchId']};OriginalHitTemplateId:{project['TemplateId']};"
    assert "<p>sentence 0</p>" in first["Question"] and first["MaxAssignments"] == 2
    assert {h["HITTypeId"] for h in hits.values()} == {done["HITTypeId"]}


def test_counts_cancel_and_extend(own_server, requester, project, mturk):
    batch = requester.create_batch(project["HITLayoutId"], INPUT)
    batch = requester.publish_batch(batch["BatchId"])
    hit_ids = requester.batch_hit_ids(batch["BatchId"])
    workforce = own_server.workforce()
    busy, done = workforce.new(), workforce.new()
    busy.accept(hit_ids[0])
    done.submit(done.accept(hit_ids[1]), {"sentiment": "positive"})
    counts = requester.get_batch(batch["BatchId"])
    assert (counts["AssignmentsPending"], counts["AssignmentsSubmitted"], counts["AssignmentsAvailable"]) == (1, 1, 2)

    extended = requester.extend_batch(batch["BatchId"], seconds=3600, assignments=1)
    assert extended["AssignmentsTotal"] == 6
    assert datetime.fromisoformat(extended["Expiration"]) > datetime.fromisoformat(counts["Expiration"])
    cancelled = requester.cancel_batch(batch["BatchId"])
    assert cancelled["Status"] == "Cancelled"
    now = own_server.now()
    for hit_id in hit_ids:
        assert mturk.get_hit(HITId=hit_id)["HIT"]["Expiration"] <= now
    with pytest.raises(KempelenError) as excinfo:
        requester.cancel_batch(batch["BatchId"])
    assert excinfo.value.code == "AWS.MechanicalTurk.InvalidBatchState"


def test_cancelling_before_publishing_stops_the_batch(requester, project, mturk):
    batch = requester.create_batch(project["HITLayoutId"], INPUT)
    requester.cancel_batch(batch["BatchId"])
    with pytest.raises(KempelenError) as excinfo:
        requester.publish_batch(batch["BatchId"])
    assert excinfo.value.code == "AWS.MechanicalTurk.InvalidBatchState"
    assert mturk.list_hits()["HITs"] == []


def test_ledger_mode_checks_the_whole_batch_cost_first(own_server, project):
    keys = own_server.create_requester(mode="ledger", balance="0.50")
    poor = RequesterClient(own_server.endpoint, keys["AccessKeyId"], keys["SecretAccessKey"])
    layout = poor.create_project(TEMPLATE, PROJECT)["HITLayoutId"]
    rows = "".join(f"s{i},{i}\n" for i in range(9))  # 9 HITs x 2 x ($0.02 + $0.01 fee) = $0.54 > $0.50
    with pytest.raises(KempelenError) as excinfo:
        poor.create_batch(layout, "text,id\n" + rows)
    assert excinfo.value.code == "AWS.MechanicalTurk.InsufficientFunds"
    batch = poor.create_batch(layout, "text,id\n" + rows[: rows.index("s8")])  # 8 HITs: $0.48
    assert poor.publish_batch(batch["BatchId"])["Status"] == "Published"


def test_unknown_batches_and_other_requesters_batches_do_not_exist(own_server, requester, project):
    batch = requester.create_batch(project["HITLayoutId"], INPUT)
    other_keys = own_server.create_requester()
    other = RequesterClient(own_server.endpoint, other_keys["AccessKeyId"], other_keys["SecretAccessKey"])
    for client, batch_id in ((other, batch["BatchId"]), (requester, 999999), (requester, "abc")):
        with pytest.raises(KempelenError) as excinfo:
            client.get_batch(batch_id)
        assert (excinfo.value.status, excinfo.value.code) == (404, "AWS.MechanicalTurk.BatchDoesNotExist")


def test_a_wrong_signature_is_refused(own_server, keys):
    forged = RequesterClient(own_server.endpoint, keys["AccessKeyId"], "not-the-secret")
    with pytest.raises(KempelenError) as excinfo:
        forged.call("GET", "/projects")
    assert excinfo.value.status == 403 and excinfo.value.code == "InvalidSignatureException"


def _run_the_batch(own_server, requester, mturk, project):
    """Two HITs worked by two workers across the end of daylight saving time (2026-11-01 09:00 UTC)."""
    own_server.set_clock(datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc))
    batch = requester.publish_batch(requester.create_batch(project["HITLayoutId"], INPUT)["BatchId"])
    hit1, hit2 = requester.batch_hit_ids(batch["BatchId"])
    workforce = own_server.workforce()
    a, b = workforce.new(), workforce.new()
    a1 = a.accept(hit1)
    own_server.advance_clock(44)
    a.submit(a1, {"sentiment": "positive", "comment": "fine"})
    own_server.set_clock(datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc))
    b1 = b.accept(hit1)
    own_server.advance_clock(7)
    b.submit(b1, {"sentiment": "negative"})
    a2 = a.accept(hit2)
    own_server.advance_clock(10)
    a.submit(a2, {"sentiment": "neutral"})
    mturk.approve_assignment(AssignmentId=a1["AssignmentId"])
    mturk.reject_assignment(AssignmentId=b1["AssignmentId"], RequesterFeedback="Did not read the sentence")
    return batch, {"{HIT1}": hit1, "{HIT2}": hit2, "{HITTYPE}": batch["HITTypeId"],
                   "{BATCH}": str(batch["BatchId"]), "{TEMPLATE}": str(project["TemplateId"]),
                   "{A1}": a1["AssignmentId"], "{A2}": b1["AssignmentId"], "{A3}": a2["AssignmentId"],
                   "{WORKER_A}": a.worker_id, "{WORKER_B}": b.worker_id}


def test_results_file_matches_the_hand_written_one(own_server, requester, mturk, project):
    batch, names = _run_the_batch(own_server, requester, mturk, project)
    raw = b"".join(requester.batch_results(batch["BatchId"])).decode("utf-8")
    expected = EXPECTED.read_text(encoding="utf-8")
    for placeholder, value in names.items():
        expected = expected.replace(placeholder, value)
    assert raw.count("\r\n") == 4  # records end in CRLF; the line break inside a value stays LF
    assert raw.replace("\r\n", "\n") == expected
    # the same file for those HITs picked by id (as for API-made HITs): Input.* are the layout's parameters
    picked = b"".join(requester.hits_results([names["{HIT2}"]])).decode("utf-8").splitlines()
    assert picked[0].endswith('"Input.text","Answer.sentiment","Approve","Reject"')


def test_reviewed_file_approves_and_rejects_row_by_row(own_server, requester, mturk, project):
    batch, names = _run_the_batch(own_server, requester, mturk, project)
    lines = b"".join(requester.batch_results(batch["BatchId"])).decode("utf-8").split("\r\n")
    header = lines[0]
    a1_row, b1_row, a3_row = lines[1], lines[2], lines[3]
    filled = [header,
              a1_row[: -len('"",""')] + '"x",""',              # already approved
              b1_row[: -len('"",""')] + '"",""',               # left as it is
              a3_row[: -len('"",""')] + '"","Answer was wrong"',
              ",".join(['""'] * 14 + ['"3NOSUCHASSIGNMENT"'] + ['""'] * 16 + ['"x"', '""']),
              ]
    outcomes = requester.review_batch(batch["BatchId"], "\r\n".join(filled) + "\r\n")
    by_line = {o["Line"]: (o["Action"], o["Result"]) for o in outcomes}
    assert by_line[2] == ("Approve", "AlreadyApproved")
    assert by_line[3] == (None, "Unchanged")
    assert by_line[4] == ("Reject", "Rejected")  # its Input.text spans lines 4 and 5
    assert by_line[6][1] == "Error"
    assignment = mturk.get_assignment(AssignmentId=names["{A3}"])["Assignment"]
    assert (assignment["AssignmentStatus"], assignment["RequesterFeedback"]) == ("Rejected", "Answer was wrong")


def test_review_file_with_both_marks_and_short_rows(own_server, requester, mturk, project):
    batch, names = _run_the_batch(own_server, requester, mturk, project)
    text = ('"AssignmentId","Approve","Reject"\r\n'
            f'"{names["{A3}"]}","x","no"\r\n'        # both: refused
            f'"{names["{A3}"]}","Great work"\r\n')   # Reject cell left off; Approve text is the feedback
    outcomes = requester.review_batch(batch["BatchId"], text)
    assert [(o["Line"], o["Result"]) for o in outcomes] == [(2, "Error"), (3, "Approved")]
    assignment = mturk.get_assignment(AssignmentId=names["{A3}"])["Assignment"]
    assert (assignment["AssignmentStatus"], assignment["RequesterFeedback"]) == ("Approved", "Great work")
    with pytest.raises(KempelenError) as excinfo:
        requester.review_batch(batch["BatchId"], '"HITId"\r\n"x"\r\n')
    assert "AssignmentId, Approve and Reject" in excinfo.value.details[0]["Message"]


def test_results_of_api_made_question_form_and_crowd_form_hits(own_server, requester, mturk):
    from tests.api.helpers import HIT_PROPERTIES, QUESTION_FORM

    form_hit = mturk.create_hit(**HIT_PROPERTIES, Question=QUESTION_FORM)["HIT"]
    crowd = requester.create_project(
        '<crowd-form answer-format="flatten-objects"><p>${text}</p>'
        '<crowd-classifier name="sentiment" categories="[\'Positive\', \'Negative\']"></crowd-classifier>'
        '</crowd-form>', PROJECT)
    crowd_hit = mturk.create_hit(**HIT_PROPERTIES, HITLayoutId=crowd["HITLayoutId"],
                                 HITLayoutParameters=[{"Name": "text", "Value": "So good"}])["HIT"]
    worker = own_server.workforce().new()
    worker.submit(worker.accept(form_hit["HITId"]), {"nextmove": "B2", "age": "30", "fruits": ["apples", "pears"]})
    worker.submit(worker.accept(crowd_hit["HITId"]),
                  {"taskAnswers": '[{"sentiment": {"label": "Positive"}, "sure": {"on": true}}]'})
    rows = list(csv.DictReader(io.StringIO(b"".join(
        requester.hits_results([form_hit["HITId"], crowd_hit["HITId"]])).decode())))
    assert (rows[0]["HITId"], rows[0]["Answer.nextmove"], rows[0]["Answer.age"], rows[0]["Answer.fruits"]) == (
        form_hit["HITId"], "B2", "30", "apples|pears")
    assert (rows[1]["Input.text"], rows[1]["Answer.sentiment.label"], rows[1]["Answer.sure.on"]) == (
        "So good", "Positive", "true")
    assert "Answer.taskAnswers" not in rows[0] and rows[0]["Input.text"] == ""
