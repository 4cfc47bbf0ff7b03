"""The Workers CSV on the requester site over raw HTTP, on both databases: download, edit, upload, see the
changes, confirm; each change made through the API's operations, and a file with problems changing nothing."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.requester_site.helpers import Site, signed_in_member, notice

QUESTION = ('<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/'
            'HTMLQuestion.xsd"><HTMLContent><![CDATA[<p><input name="a"></p>]]></HTMLContent>'
            '<FrameHeight>0</FrameHeight></HTMLQuestion>')


@pytest.fixture
def site(server, credentials) -> Site:
    return signed_in_member(server, credentials)


def download(site: Site) -> list[list[str]]:
    response = site.get("/requester/workers.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="Workers.csv"' in response.headers["content-disposition"]
    return list(csv.reader(io.StringIO(response.text, newline="")))


def upload(site: Site, rows: list[list[str]]):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return site.post("/requester/workers/upload", files={"csv": ("Workers.csv", buffer.getvalue(), "text/csv")})


def test_download_edit_upload_and_confirm(site, mturk, workforce):
    tagger = mturk.create_qualification_type(Name=f"Good Tagger {uuid.uuid4().hex[:6]}", Description="d",
                                             QualificationTypeStatus="Active")["QualificationType"]
    name, type_id = tagger["Name"], tagger["QualificationTypeId"]
    hit = mturk.create_hit(Title="t", Description="d", Reward="0.10", MaxAssignments=2, LifetimeInSeconds=600,
                           AssignmentDurationInSeconds=60, Question=QUESTION)["HIT"]
    first, second = workforce.new(), workforce.new()
    for worker in (first, second):
        worker.submit(worker.accept(hit["HITId"]), {"a": "x"})
    mturk.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=first.worker_id,
                                              IntegerValue=80, SendNotification=False)

    rows = download(site)
    assert rows[0] == ["Worker ID", "Lifetime Approval Rate", "CURRENT-BlockStatus", "UPDATE-BlockStatus",
                       f"CURRENT-{name}", f"UPDATE-{name}"]
    by_worker = {row[0]: row for row in rows[1:]}
    assert by_worker[first.worker_id] == [first.worker_id, "0% (0/0)", "Not Blocked", "", "80", ""]
    assert by_worker[second.worker_id][4] == ""

    by_worker[first.worker_id][5] = "Revoke"
    by_worker[second.worker_id][3], by_worker[second.worker_id][5] = "Block", "55"
    preview = upload(site, [rows[0], *by_worker.values()])
    assert preview.status_code == 200 and "3 changes to 2 workers" in preview.text
    assert mturk.list_worker_blocks()["WorkerBlocks"] == []  # nothing yet

    csv_text = html.unescape(re.search(r'name="csv_text" value="([^"]*)"', preview.text).group(1))
    done = site.post("/requester/workers/upload/apply", {"csv_text": csv_text})
    assert notice(done) == "Made 3 changes from the Workers CSV."
    assert [b["WorkerId"] for b in mturk.list_worker_blocks()["WorkerBlocks"]] == [second.worker_id]
    assert mturk.get_qualification_score(QualificationTypeId=type_id, WorkerId=second.worker_id)[
        "Qualification"]["IntegerValue"] == 55
    with pytest.raises(ClientError):  # revoked: no score to read
        mturk.get_qualification_score(QualificationTypeId=type_id, WorkerId=first.worker_id)
    after = {row[0]: row for row in download(site)[1:]}
    assert after[second.worker_id][2:5] == ["Blocked", "", "55"] and after[first.worker_id][4] == ""


def test_a_file_with_problems_shows_them_and_changes_nothing(site, mturk, workforce):
    hit = mturk.create_hit(Title="t", Description="d", Reward="0.10", MaxAssignments=1, LifetimeInSeconds=600,
                           AssignmentDurationInSeconds=60, Question=QUESTION)["HIT"]
    worker = workforce.new()
    worker.submit(worker.accept(hit["HITId"]), {"a": "x"})
    refused = upload(site, [["Worker ID", "UPDATE-BlockStatus"], [worker.worker_id, "Ban"]])
    assert refused.status_code == 400 and "Nothing was changed" in refused.text
    assert "takes Block or Unblock" in refused.text and 'name="csv_text"' not in refused.text
    assert mturk.list_worker_blocks()["WorkerBlocks"] == []
