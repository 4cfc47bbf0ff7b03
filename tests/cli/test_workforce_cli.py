"""`kempelen workforce run`, `kempelen reset`, `kempelen snapshot ...` and `kempelen faults ...` as a shell
script runs them, against a live server of their own; what they did is checked with boto3."""

from __future__ import annotations

import json

import pytest

from kempelen.testing import LiveServer
from tests.cli.test_admin_cli import kempelen, ok
from tests.workforce.conftest import make_hits, question_form, selection, submitted


@pytest.fixture(scope="module")
def live():
    with LiveServer(seed=3) as server:
        yield server


def test_workforce_run_works_the_hits_and_prints_a_summary_per_hit_type(live, tmp_path):
    mturk = live.client(live.create_requester())
    hits = make_hits(mturk, 4, question_form(selection("colour")), max_assignments=2, title="CLI crowd")
    out = ok(live, "workforce", "run", "--workers", "6", "--policy", "random", "--seed", "5", "--until-done",
             "--hit-type", hits[0]["HITTypeId"], "--return-rate", "0", "--abandon-rate", "0")
    lines = out.splitlines()
    assert lines[0].split() == ["HITTypeId", "Title", "accepted", "submitted", "returned", "abandoned"]
    assert lines[1].split() == [hits[0]["HITTypeId"], "CLI", "crowd", "8", "8", "0", "0"]
    assert lines[2].split()[-4:] == ["8", "8", "0", "0"]
    assert "6 workers" in lines[-1]
    assert sum(len(submitted(mturk, h["HITId"])) for h in hits) == 8


def test_workforce_run_json_with_a_csv_policy_and_a_cap(live, tmp_path):
    mturk = live.client(live.create_requester())
    hits = make_hits(mturk, 3, question_form(selection("colour")), max_assignments=3, title="CLI csv",
                     annotation=lambda i: f"a{i}")
    answers = tmp_path / "answers.csv"
    answers.write_text("RequesterAnnotation,Answer.colour\n" + "".join(f"a{i},{c}\n" for i, c in
                                                                      enumerate(["red", "green", "blue|grey"])))
    out = ok(live, "workforce", "run", "--workers", "4", "--policy", f"csv:{answers}", "--seed", "1",
             "--max-assignments", "5", "--hit-type", hits[0]["HITTypeId"], "--json", "--abandon-rate", "0",
             "--return-rate", "0")
    report = json.loads(out)
    assert report["accepted"] == report["submitted"] == 5
    expected = {h["HITId"]: c for h, c in zip(hits, [["red"], ["green"], ["blue", "grey"]])}
    for assignment in report["assignments"]:
        assert assignment["Answers"] == {"colour": expected[assignment["HITId"]]}
    seen = [a["Answers"]["colour"] == expected[h["HITId"]] for h in hits for a in submitted(mturk, h["HITId"])]
    assert len(seen) == 5 and all(seen)


def test_workforce_run_refuses_a_bad_policy(live):
    result = kempelen(live, "workforce", "run", "--workers", "2", "--policy", "telepathy")
    assert result.returncode == 2 and "--policy is random" in result.stderr


def test_snapshot_save_reset_restore_and_list(live):
    mturk = live.client(live.create_requester())
    hit_id = make_hits(mturk, 1, question_form(selection("colour")), title="CLI snapshot")[0]["HITId"]
    assert "saved snapshot cli-one" in ok(live, "snapshot", "save", "cli-one")
    out = ok(live, "reset")
    assert out.splitlines()[0].split() == ["table", "rows", "deleted"]
    assert mturk.list_hits()["NumResults"] == 0
    assert "restored snapshot cli-one" in ok(live, "snapshot", "restore", "cli-one")
    assert mturk.get_hit(HITId=hit_id)["HIT"]["HITId"] == hit_id
    assert "cli-one" in ok(live, "snapshot", "list")
    ok(live, "snapshot", "delete", "cli-one")
    result = kempelen(live, "snapshot", "restore", "cli-one")
    assert result.returncode == 1 and "SnapshotDoesNotExist" in result.stderr


def test_faults_set_show_clear(live):
    out = ok(live, "faults", "set", "--throttle", "0.5", "--operations", "CreateHIT,GetHIT")
    assert out.strip() == "throttle on CreateHIT,GetHIT: share 0.5 (seen 0, hit 0)"
    assert json.loads(ok(live, "faults", "show", "--json"))[0]["kind"] == "throttle"
    assert ok(live, "faults", "clear").strip() == "No faults: every request is answered normally."
    result = kempelen(live, "faults", "set")
    assert result.returncode == 2 and "name a fault" in result.stderr
