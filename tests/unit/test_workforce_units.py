"""The pure parts of the workforce tools: seeded ids, fault rules' arithmetic, answer policies."""

from __future__ import annotations

import io
import random

import pytest

from kempelen import errors, ids
from kempelen.faults import Faults
from kempelen.questions import Answer, answer_problems, parse_question
from kempelen.testing.policies import Accuracy, CsvAnswers, RandomAnswers, Task, from_spec, sample_regex
from tests.workforce.conftest import free_text, question_form, selection


@pytest.fixture(autouse=True)
def unseeded():
    yield
    ids.seed(None)


def test_seeded_ids_repeat_and_keep_mturks_shape():
    ids.seed("s1")
    first = [ids.entity_id() for _ in range(3)] + [ids.access_key_id(), ids.worker_id(), ids.customer_id()]
    ids.seed("s1")
    again = [ids.entity_id() for _ in range(3)] + [ids.access_key_id(), ids.worker_id(), ids.customer_id()]
    assert first == again and len(set(first)) == 6
    assert all(ids.ENTITY_ID.match(i) and len(i) == 30 and i[0] == "3" for i in first[:3])
    assert first[3].startswith("AKIA") and len(first[3]) == 20 and ids.WORKER_ID.match(first[4])
    ids.seed("s2")
    assert ids.entity_id() != first[0]


def test_seeded_assignment_ids_depend_on_the_hit_and_worker_only():
    ids.seed(9)
    a = ids.assignment_id("3HIT", "AW1")
    ids.entity_id()
    assert ids.assignment_id("3HIT", "AW2") != a
    assert ids.assignment_id("3HIT", "AW1") == a and len(a) == 30 and ids.ENTITY_ID.match(a)


def test_secrets_and_unseeded_ids_stay_random():
    ids.seed("s")
    secret = ids.secret_access_key()
    ids.seed("s")
    assert ids.secret_access_key() != secret
    ids.seed(None)
    assert ids.assignment_id("3HIT", "AW1") != ids.assignment_id("3HIT", "AW1")


def test_generator_state_round_trips_and_restarts():
    ids.seed("x")
    ids.entity_id()
    saved = ids.generator_state()
    following = [ids.entity_id(), ids.entity_id()]
    ids.restore_generator_state(saved)
    assert [ids.entity_id(), ids.entity_id()] == following
    ids.restart_generators({"entity"})
    ids.seed("x")
    fresh = ids.entity_id()
    ids.restart_generators({"entity"})
    ids.entity_id()  # the same first id again, after a restart
    ids.restart_generators({"entity"})
    assert ids.entity_id() == fresh


def test_a_share_is_spread_evenly_and_count_stops_a_rule():
    faults = Faults([{"kind": "throttle", "operations": ["GetHIT"], "share": 0.25}])
    hits = [faults.for_request("GetHIT") is not None for _ in range(12)]
    assert hits == [False, False, False, True] * 3
    assert faults.for_request("ListHITs") is None
    faults.set([{"kind": "service-fault", "count": 2}])
    errors_seen = [faults.for_request("CreateHIT") for _ in range(4)]
    assert [type(e.error).__name__ if e else None for e in errors_seen] == ["ServiceFault", "ServiceFault", None, None]
    assert faults.describe()[0]["hits"] == 2


def test_throttling_body_is_awss():
    body = errors.throttling().body(0)
    assert body == {"__type": "com.amazon.coral.availability#ThrottlingException", "message": "Rate exceeded"}
    assert errors.throttling().status_code == 400


def test_latency_and_error_rules_combine_and_duplicates_are_per_event_type():
    faults = Faults([{"kind": "latency", "latency_ms": 50}, {"kind": "throttle"},
                     {"kind": "duplicate-notification", "operations": ["AssignmentSubmitted"]}])
    injection = faults.for_request("GetHIT")
    assert injection.delay_seconds == 0.05 and injection.error.type_name == "ThrottlingException"
    assert faults.duplicate("AssignmentSubmitted") and not faults.duplicate("HITCreated")


@pytest.mark.parametrize("rule", [{"kind": "nope"}, {"kind": "throttle", "share": -0.1}, {"kind": "latency"},
                                  {"kind": "throttle", "operations": [3]}, {"kind": "throttle", "extra": 1}])
def test_bad_rules_change_nothing(rule):
    faults = Faults([{"kind": "throttle"}])
    with pytest.raises(ValueError):
        faults.set([{"kind": "service-fault"}, rule])
    assert [r["kind"] for r in faults.describe()] == ["throttle"] and faults.active
    faults.clear()
    assert not faults.active


FORM = question_form(
    selection("one"), selection("several", many=True),
    free_text("move", '<Length minLength="2" maxLength="2"/><AnswerFormatRegex regex="^[A-C][1-3]$"/>'),
    free_text("age", '<IsNumeric minValue="18" maxValue="120"/>'),
    free_text("code", '<AnswerFormatRegex regex="^(ab|cd)-\\d{2,4}$" flags="i"/>'),
    free_text("words", '<Length minLength="5" maxLength="30"/>'))


def _task(question_xml: str, hit_id: str = "3H", ordinal: int = 0, annotation: str | None = None) -> Task:
    kind = "QuestionForm" if "QuestionForm" in question_xml else "ExternalQuestion"
    return Task(hit_id, "3T", "3A", "AW", kind, question_xml, ordinal, lambda: annotation)


def _as_answers(answers: dict) -> list[Answer]:
    return [Answer(name, selection_identifiers=value) if isinstance(value, list) else Answer(name, free_text=value)
            for name, value in answers.items()]


def test_random_answers_always_pass_the_servers_own_checks():
    question = parse_question(FORM)
    for seed in range(200):
        answers = RandomAnswers().answers(_task(FORM), random.Random(seed))
        assert answer_problems(question, _as_answers(answers)) == [], answers
        assert 1 <= len(answers["several"]) <= 3


def test_regex_samples_match_their_pattern():
    rng = random.Random(3)
    import re

    for pattern in (r"^[A-C][1-3]$", r"^\d{3}-\d{4}$", r"^(yes|no)$", r"^[a-z]+@[a-z]+\.com$", r"^\w{2,5}$"):
        for _ in range(20):
            assert re.fullmatch(pattern.strip("^$"), sample_regex(pattern, rng))
    assert sample_regex("[^a]", rng) is None  # negated classes are not sampled: other candidates are tried


def test_csv_keys_by_the_longest_value_found_in_the_question(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("item,Answer.one\n4,red\n42,blue\n")
    policy = CsvAnswers(path)
    assert policy.key == "item"
    form = question_form(selection("one"), text="Picture 42 of 50")
    assert policy.answers(_task(form), random.Random()) == {"one": ["blue"]}
    with pytest.raises(LookupError):
        policy.answers(_task(question_form(selection("one"), text="Picture 7")), random.Random())


def test_csv_rows_of_one_key_go_to_successive_assignments(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("\ufeffRequesterAnnotation,note\nr1,first\nr1,second\n")
    policy = CsvAnswers(path)
    form = question_form(free_text("note"))
    got = [policy.answers(_task(form, ordinal=n, annotation="r1"), random.Random())["note"] for n in range(3)]
    assert got == ["first", "second", "first"]


def test_accuracy_is_the_share_of_right_answers():
    gold = {"one": ["red"]}
    policy = Accuracy(lambda task, rng: gold, 0.8)
    rng = random.Random(1)
    form = question_form(selection("one"))
    right = sum(policy.answers(_task(form), rng)["one"] == ["red"] for _ in range(5000))
    assert 0.78 <= right / 5000 <= 0.82
    external = '<ExternalQuestion xmlns="x"><ExternalURL>https://e.org</ExternalURL></ExternalQuestion>'
    wrong = Accuracy(lambda task, rng: {"label": "cat"}, 0.0).answers(_task(external), rng)
    assert wrong["label"] != "cat"


def test_policy_specs():
    assert isinstance(from_spec("random"), RandomAnswers)
    assert isinstance(from_spec("random", accuracy=0.5), Accuracy)
    assert from_spec("python:json:dumps").function.__name__ == "dumps"
    with pytest.raises(ValueError):
        from_spec("magic")


def test_the_progress_bar_draws_one_line():
    from kempelen.cli.workforce import ProgressBar
    from kempelen.testing.crowd import Summary

    stream = io.StringIO()
    bar = ProgressBar(stream, width=10)
    summary = Summary(workers=2, accepted=4, submitted=3, returned=1, target=8, simulated_seconds=3725)
    bar.update(summary)
    summary.submitted = 4
    bar.update(summary)  # within a tenth of a second: not drawn, but close() draws the last state
    bar.close()
    assert stream.getvalue() == ("\r[#####.....] 4/8  accepted 4  submitted 3  returned 1  abandoned 0  "
                                 "t+01:02:05"
                                 "\r[######....] 5/8  accepted 4  submitted 4  returned 1  abandoned 0  "
                                 "t+01:02:05\n")
