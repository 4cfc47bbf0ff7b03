"""`kempelen project` / `kempelen batch` end to end, as a shell script runs them against a live server with the
requester's keys in the environment; workers answer through the worker API and boto3 checks the outcome."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest

from tests.commands import kempelen as run_kempelen

TEMPLATE = '<p>Is "${word}" an animal?</p><input type="radio" name="animal" value="yes"><input type="radio" name="animal" value="no">'
PROPERTIES = {"Title": "Animal or not", "Description": "Say whether the word names an animal.", "Reward": "0.05",
              "MaxAssignments": 1, "AssignmentDurationInSeconds": 300, "LifetimeInSeconds": 86400,
              "Keywords": "words"}


def kempelen(server, keys, *args: str) -> subprocess.CompletedProcess:
    env = {"KEMPELEN_ENDPOINT": server.endpoint}
    if keys:
        env.update(AWS_ACCESS_KEY_ID=keys["AccessKeyId"], AWS_SECRET_ACCESS_KEY=keys["SecretAccessKey"])
    return run_kempelen(*args, env=env, unset=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))


@pytest.fixture
def files(tmp_path):
    (tmp_path / "page.html").write_text(TEMPLATE)
    (tmp_path / "props.json").write_text(json.dumps(PROPERTIES))
    (tmp_path / "bad.csv").write_text('word\ncat\n"unclosed\n', encoding="utf-8")
    (tmp_path / "words.csv").write_bytes("\ufeffword\r\ncat\r\n\"table, chair\"\r\nhorse\r\n".encode())
    return tmp_path


def test_project_batch_results_and_review(server, credentials, mturk, workforce, files):
    created = kempelen(server, credentials, "project", "create", "--template", str(files / "page.html"),
                       "--properties", str(files / "props.json"), "--json")
    assert created.returncode == 0, created.stderr
    layout_id = json.loads(created.stdout)["HITLayoutId"]
    plain = kempelen(server, credentials, "project", "create", "--template", str(files / "page.html"),
                     "--properties", str(files / "props.json"))
    assert plain.stdout.strip().isalnum() and plain.stdout.strip() != layout_id

    bad = kempelen(server, credentials, "batch", "publish", "--project", layout_id, "--csv", str(files / "bad.csv"))
    assert bad.returncode == 1 and bad.stdout == ""
    assert "  line 3: The row cannot be read as CSV" in bad.stderr
    assert mturk.list_hits()["HITs"] == []

    published = kempelen(server, credentials, "batch", "publish", "--project", layout_id, "--csv",
                         str(files / "words.csv"), "--chunk", "2", "--json")
    assert published.returncode == 0, published.stderr
    out = json.loads(published.stdout)
    assert len(out["HITIds"]) == 3
    assert "Publishing [" in published.stderr and "3/3 HITs" in published.stderr and "2/3 HITs" in published.stderr
    hits = {h["HITId"]: h for h in mturk.list_hits(MaxResults=100)["HITs"]}
    assert set(hits) == set(out["HITIds"]) and {h["HITLayoutId"] for h in hits.values()} == {layout_id}
    assert "table, chair" in hits[out["HITIds"][1]]["Question"]

    for hit_id, answer in zip(out["HITIds"], ("yes", "no", "yes")):
        worker = workforce.new()
        worker.submit(worker.accept(hit_id), {"animal": answer})
    results = kempelen(server, credentials, "batch", "results", str(out["BatchId"]))
    assert results.returncode == 0, results.stderr
    rows = list(csv.DictReader(io.StringIO(results.stdout)))
    assert [r["Input.word"] for r in rows] == ["cat", "table, chair", "horse"]
    assert [r["Answer.animal"] for r in rows] == ["yes", "no", "yes"]
    assert {r["AssignmentStatus"] for r in rows} == {"Submitted"}

    reviewed = io.StringIO()
    writer = csv.DictWriter(reviewed, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for row in rows:
        if row["Answer.animal"] == "no":
            row["Reject"] = "Tables are not animals."
        else:
            row["Approve"] = "x"
        writer.writerow(row)
    (files / "reviewed.csv").write_text(reviewed.getvalue())
    review = kempelen(server, credentials, "batch", "review", str(out["BatchId"]), "--csv", str(files / "reviewed.csv"))
    assert review.returncode == 0, review.stderr
    assert "2 Approved, 1 Rejected" in review.stderr
    statuses = {a["AssignmentId"]: (a["AssignmentStatus"], a.get("RequesterFeedback"))
                for hit_id in out["HITIds"] for a in mturk.list_assignments_for_hit(HITId=hit_id)["Assignments"]}
    assert sorted(statuses.values(), key=str) == sorted([("Approved", None), ("Approved", None),
                                                         ("Rejected", "Tables are not animals.")], key=str)
    again = kempelen(server, credentials, "batch", "review", str(out["BatchId"]), "--csv", str(files / "reviewed.csv"))
    assert again.returncode == 0 and "2 AlreadyApproved, 1 AlreadyRejected" in again.stderr

    status = kempelen(server, credentials, "batch", "status", str(out["BatchId"]), "--json")
    counts = json.loads(status.stdout)
    assert (counts["AssignmentsApproved"], counts["AssignmentsRejected"]) == (2, 1)


def test_without_keys_or_with_bad_properties_nothing_is_asked(server, credentials, files):
    no_keys = kempelen(server, None, "project", "create", "--template", str(files / "page.html"),
                       "--properties", str(files / "props.json"))
    assert no_keys.returncode == 1 and "AWS_ACCESS_KEY_ID" in no_keys.stderr
    (files / "props.json").write_text(json.dumps({**PROPERTIES, "Colour": "red"}))
    unknown = kempelen(server, credentials, "project", "create", "--template", str(files / "page.html"),
                       "--properties", str(files / "props.json"))
    assert unknown.returncode == 1 and "Unknown project property Colour" in unknown.stderr
