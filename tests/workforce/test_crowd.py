"""The simulated workforce, seen from the requester's side with boto3: what the crowd says it did is what
the server recorded, a seeded rerun does the same, and each answer policy answers as documented."""

from __future__ import annotations

import csv
import random

import pytest

from kempelen.testing import LiveServer
from kempelen.testing.crowd import Behaviour
from kempelen.testing.policies import Accuracy, CsvAnswers, RandomAnswers
from tests.workforce.conftest import free_text, make_hits, question_form, selection, submitted

FAST = Behaviour(work_seconds=30, think_seconds=2, arrival_seconds=20, return_rate=0.05, abandon_rate=0.03)


def _seeded_run(seed_ids: int) -> tuple[list, dict]:
    with LiveServer(seed=seed_ids) as server:
        mturk = server.client(server.create_requester())
        form = question_form(selection("colour"), free_text("count", '<IsNumeric minValue="1" maxValue="9"/>'))
        hits = make_hits(mturk, 50, form, max_assignments=3)
        crowd = server.workforce().crowd(200, RandomAnswers(), seed=7, behaviour=FAST)
        summary = crowd.run(until_done=True)
        recorded = sorted((hit["HITId"], a["AssignmentId"], a["WorkerId"], tuple(sorted(a["Answers"].items(),
                                                                                       key=str)))
                          for hit in hits for a in submitted(mturk, hit["HITId"]))
        said = sorted((o.HITId, o.AssignmentId, o.WorkerId, tuple(sorted(
            {k: v for k, v in o.Answers.items()}.items(), key=str))) for o in summary.assignments
            if o.Outcome == "Submitted")
        assert recorded == said  # boto3 sees exactly what the crowd says it submitted
        return recorded, summary.as_dict()


@pytest.mark.long
def test_200_seeded_workers_on_50_hits_make_the_same_assignments_and_answers_on_a_fresh_server():
    first, summary = _seeded_run(1234)
    second, again = _seeded_run(1234)
    assert len(first) == 150  # until done: every HIT's 3 assignments submitted
    assert first == second
    assert summary["accepted"] == again["accepted"] == 150 + summary["returned"] + summary["abandoned"]
    assert summary["returned"] > 0 and summary["abandoned"] > 0
    assert {k: again[k] for k in ("submitted", "returned", "abandoned", "per_hit_type")} == \
        {k: summary[k] for k in ("submitted", "returned", "abandoned", "per_hit_type")}


def test_without_a_server_seed_the_crowd_still_answers_the_same_but_ids_differ(server, mturk, workforce,
                                                                                 unique_title):
    form = question_form(selection("colour"))
    hits = make_hits(mturk, 3, form, max_assignments=2, title=unique_title)
    type_id = hits[0]["HITTypeId"]
    runs = []
    for _ in range(2):
        summary = workforce.crowd(4, RandomAnswers(), seed=99, behaviour=FAST, hit_type_id=type_id).run(
            until_done=True)
        runs.append(summary)
        # the second crowd meets the same workers (same seed): they have done these HITs already
    assert runs[0].submitted == 6
    assert runs[1].accepted == 0


@pytest.mark.parametrize("key", ["HITId", "RequesterAnnotation", "item"])
def test_a_csv_policys_answers_arrive_exactly(server, mturk, workforce, tmp_path, unique_title, key):
    items = [f"img-{i:03d}.jpg" for i in range(6)]
    hits = make_hits(mturk, 6, max_assignments=2, title=unique_title, annotation=lambda i: f"row-{i}",
                     question_for=lambda i: question_form(selection("colour", many=True), free_text("note"),
                                                          text=f"Look at {items[i]} closely."))
    path = tmp_path / "answers.csv"
    keys = {"HITId": [h["HITId"] for h in hits], "RequesterAnnotation": [f"row-{i}" for i in range(6)],
            "item": items}[key]
    expected = {}
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([key, "Answer.colour", "Answer.note"])
        for i, hit in enumerate(hits):
            # two rows per HIT: its first and second assignment get one each
            rows = [(["red", "blue"], f"first, {i}"), (["grey"], f'second "{i}" ü')]
            for colours, note in rows:
                writer.writerow([keys[i], "|".join(colours), note])
            expected[hit["HITId"]] = sorted(({"colour": c, "note": n} for c, n in rows), key=str)
    summary = workforce.crowd(5, CsvAnswers(path), seed=3, hit_type_id=hits[0]["HITTypeId"],
                              behaviour=Behaviour(return_rate=0, abandon_rate=0)).run(until_done=True)
    assert summary.submitted == 12 and not summary.refused
    for hit in hits:
        assert sorted((a["Answers"] for a in submitted(mturk, hit["HITId"])), key=str) == expected[hit["HITId"]]


def test_accuracy_0_8_gets_80_percent_of_1000_answers_right(server, mturk, workforce, unique_title):
    questions = [f"q{n}" for n in range(10)]
    form = question_form(*(selection(q) for q in questions))
    hits = make_hits(mturk, 20, form, max_assignments=5, title=unique_title)
    colours = ["red", "green", "blue", "grey"]

    def gold_for(hit_id: str) -> dict:
        pick = random.Random(hit_id)
        return {q: [pick.choice(colours)] for q in questions}

    gold = {h["HITId"]: gold_for(h["HITId"]) for h in hits}
    policy = Accuracy(lambda task, rng: gold[task.hit_id], 0.8)
    summary = workforce.crowd(25, policy, seed=11, hit_type_id=hits[0]["HITTypeId"],
                              behaviour=Behaviour(return_rate=0, abandon_rate=0)).run(until_done=True)
    assert summary.submitted == 100
    right = total = 0
    for hit in hits:
        for assignment in submitted(mturk, hit["HITId"]):
            for question, answer in assignment["Answers"].items():
                total += 1
                right += answer == gold[hit["HITId"]][question]
    assert total == 1000
    assert 0.75 <= right / total <= 0.85, right / total


EXTERNAL = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
            '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/task?item={item}</ExternalURL>'
            '<FrameHeight>400</FrameHeight></ExternalQuestion>')
HTML = ('<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/'
        'HTMLQuestion.xsd"><HTMLContent><![CDATA[<!DOCTYPE html><html><body><form method="post" '
        'action="https://www.mturk.com/mturk/externalSubmit"><p>Item {item}</p><input name="label"></form>'
        '</body></html>]]></HTMLContent><FrameHeight>0</FrameHeight></HTMLQuestion>')


@pytest.mark.parametrize("template", [EXTERNAL, HTML], ids=["ExternalQuestion", "HTMLQuestion"])
def test_external_and_html_questions_are_answered_through_external_submit(server, mturk, workforce, unique_title,
                                                                          template):
    hits = make_hits(mturk, 3, max_assignments=2, title=unique_title,
                     question_for=lambda i: template.format(item=f"item{i}"))

    def answer(task, rng):  # a callable policy: it sees the HIT's Question
        assert task.question_type in ("ExternalQuestion", "HTMLQuestion")
        item = next(f"item{i}" for i in range(3) if f"item{i}" in task.question_xml)
        return {"label": f"{item}-{rng.choice(['a', 'b'])}", "tags": ["x", "y"]}

    summary = workforce.crowd(3, answer, seed=5, hit_type_id=hits[0]["HITTypeId"],
                              behaviour=Behaviour(return_rate=0, abandon_rate=0)).run(until_done=True)
    assert summary.submitted == 6 and not summary.refused
    for i, hit in enumerate(hits):
        for assignment in submitted(mturk, hit["HITId"]):
            assert assignment["Answers"]["label"] in (f"item{i}-a", f"item{i}-b")
            assert assignment["Answers"]["tags"] == "x|y"  # repeated form fields, joined as MTurk joined them


def test_random_answers_satisfy_every_kind_of_answer_specification(server, mturk, workforce, unique_title):
    form = question_form(
        selection("one"), selection("several", many=True),
        free_text("move", '<Length minLength="2" maxLength="2"/><AnswerFormatRegex regex="^[A-C][1-3]$"/>'),
        free_text("age", '<IsNumeric minValue="18" maxValue="120"/>'),
        free_text("phone", '<AnswerFormatRegex regex="^\\d{3}-\\d{4}$"/>'),
        free_text("words", '<Length minLength="5" maxLength="30"/>'))
    hits = make_hits(mturk, 5, form, max_assignments=4, title=unique_title)
    summary = workforce.crowd(6, RandomAnswers(), seed=21, hit_type_id=hits[0]["HITTypeId"],
                              behaviour=Behaviour(return_rate=0, abandon_rate=0)).run(until_done=True)
    assert summary.submitted == 20 and not summary.refused
    answers = [a["Answers"] for h in hits for a in submitted(mturk, h["HITId"])]
    assert all(18 <= int(a["age"]) <= 120 and a["move"][0] in "ABC" and len(a["phone"]) == 8 for a in answers)


def test_returns_and_abandons_reach_the_server_and_until_done_finishes_every_hit(server, mturk, workforce,
                                                                                 unique_title):
    hits = make_hits(mturk, 4, question_form(selection("colour")), max_assignments=3, title=unique_title,
                     duration=120)
    behaviour = Behaviour(work_seconds=20, return_rate=0.3, abandon_rate=0.3)
    crowd = workforce.crowd(30, RandomAnswers(), seed=8, hit_type_id=hits[0]["HITTypeId"], behaviour=behaviour)
    summary = crowd.run(until_done=True)
    assert summary.submitted == 12
    assert summary.returned > 0 and summary.abandoned > 0
    assert summary.accepted == summary.submitted + summary.returned + summary.abandoned
    statuses = {}
    for worker in crowd.workers:
        for assignment in workforce.get(worker.worker_id).assignments():
            statuses[assignment["AssignmentId"]] = assignment["AssignmentStatus"]
    said = {o.AssignmentId: o.Outcome for o in summary.assignments}
    assert statuses == said  # Abandoned too: the crowd moved the clock past their deadlines
    per_type = summary.per_hit_type[hits[0]["HITTypeId"]]
    assert (per_type["submitted"], per_type["returned"], per_type["abandoned"]) == \
        (summary.submitted, summary.returned, summary.abandoned)
    for hit in hits:
        assert len(submitted(mturk, hit["HITId"])) == 3
        assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["NumberOfAssignmentsAvailable"] == 0


def test_max_assignments_caps_the_crowd(server, mturk, workforce, unique_title):
    hits = make_hits(mturk, 5, question_form(selection("colour")), max_assignments=3, title=unique_title)
    summary = workforce.crowd(10, seed=2, hit_type_id=hits[0]["HITTypeId"]).run(until_done=True,
                                                                               max_assignments=7)
    assert summary.accepted == 7


def test_on_a_system_clock_the_crowd_works_in_real_time(unique_title):
    with LiveServer(clock="system") as live:
        mturk = live.client(live.create_requester())
        hits = make_hits(mturk, 2, question_form(selection("colour")), max_assignments=2, title=unique_title)
        behaviour = Behaviour(work_seconds=0.2, work_spread=0, think_seconds=0.05, arrival_seconds=0.1,
                              return_rate=0, abandon_rate=0, resolution=0.05)
        summary = live.workforce().crowd(2, seed=1, behaviour=behaviour).run(until_done=True)
        assert summary.submitted == 4
        assert 0.2 <= summary.wall_seconds < 10
        accepted = {a["AcceptTime"] for h in hits for a in mturk.list_assignments_for_hit(HITId=h["HITId"])
                    ["Assignments"]}
        submitted_at = [a["SubmitTime"] - a["AcceptTime"] for h in hits
                        for a in mturk.list_assignments_for_hit(HITId=h["HITId"])["Assignments"]]
        assert accepted and all(t.total_seconds() >= 0.1 for t in submitted_at)


def test_follow_mode_waits_for_someone_else_to_move_the_clock(server, mturk, workforce, unique_title):
    import threading

    hits = make_hits(mturk, 2, question_form(selection("colour")), max_assignments=2, title=unique_title)
    behaviour = Behaviour(work_seconds=60, work_spread=0, think_seconds=0, arrival_seconds=0, return_rate=0,
                          abandon_rate=0)
    crowd = workforce.crowd(2, seed=4, behaviour=behaviour, clock="follow", hit_type_id=hits[0]["HITTypeId"])
    done = {}
    runner = threading.Thread(target=lambda: done.setdefault("summary", crowd.run(until_done=True)))
    runner.start()
    for _ in range(40):  # the test is the one moving time: a minute per step, the first at once, so the
        server.advance_clock(60)  # crowd's accepts may reach the server after the clock has already moved
        runner.join(timeout=0.5)
        if not runner.is_alive():
            break
    runner.join(timeout=10)
    assert done["summary"].submitted == 4
    work_times = [(a["SubmitTime"] - a["AcceptTime"]).total_seconds() for h in hits
                  for a in mturk.list_assignments_for_hit(HITId=h["HITId"])["Assignments"]]
    assert len(work_times) == 4 and all(t >= 60 for t in work_times)  # submitted once the clock had moved
