"""The pytest plugin as a user meets it: their own test files, run by a separate pytest process that finds
the plugin through the installed ``kempelen`` pytest11 entry point and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.databases import database_url

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[2] / "README.md"
README_EXAMPLE_HEADING = "### A complete test to start from"

# A user's test module: only the plugin's fixtures, boto3 for the requester side, scripted workers for the
# other, and the manual clock for time.
WORKFLOW = '''
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from kempelen.testing import KempelenError

EXTERNAL_QUESTION = """
<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd">
  <ExternalURL>https://labels.example.org/task?batch=7</ExternalURL>
  <FrameHeight>600</FrameHeight>
</ExternalQuestion>"""

QUESTION_FORM = """
<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd">
  <Question>
    <QuestionIdentifier>animal</QuestionIdentifier>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>Which animal is in the picture?</Text></QuestionContent>
    <AnswerSpecification><FreeTextAnswer/></AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>size</QuestionIdentifier>
    <QuestionContent><Text>How big is it?</Text></QuestionContent>
    <AnswerSpecification><SelectionAnswer><Selections>
      <Selection><SelectionIdentifier>small</SelectionIdentifier><Text>Small</Text></Selection>
      <Selection><SelectionIdentifier>large</SelectionIdentifier><Text>Large</Text></Selection>
    </Selections></SelectionAnswer></AnswerSpecification>
  </Question>
</QuestionForm>"""

QFA = "{http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd}"
DURATION, AUTO_APPROVAL = 600, 3600


def create_hit(mturk, question, max_assignments=1):
    return mturk.create_hit(
        Title="Label the picture", Description="Say which animal it is.", Reward="0.10",
        AssignmentDurationInSeconds=DURATION, AutoApprovalDelayInSeconds=AUTO_APPROVAL,
        LifetimeInSeconds=86400, MaxAssignments=max_assignments, Question=question)["HIT"]


def answers(assignment):
    """QuestionIdentifier -> FreeText or the SelectionIdentifiers, from the Answer XML."""
    found = {}
    for answer in ET.fromstring(assignment["Answer"]).iter(QFA + "Answer"):
        name = answer.findtext(QFA + "QuestionIdentifier")
        free = answer.findtext(QFA + "FreeText")
        found[name] = free if free is not None else [s.text for s in answer.iter(QFA + "SelectionIdentifier")]
    return found


def available(mturk, hit):
    return mturk.get_hit(HITId=hit["HITId"])["HIT"]["NumberOfAssignmentsAvailable"]


def test_external_question_page_submits_and_requester_approves(mturk, workforce):
    hit = create_hit(mturk, EXTERNAL_QUESTION)
    worker = workforce.new()
    assignment = worker.accept(hit["HITId"])
    # The frame URL carries what the task page needs, as MTurk's worker site gave it.
    frame = urllib.parse.urlsplit(assignment["FrameURL"])
    params = dict(urllib.parse.parse_qsl(frame.query))
    assert frame.netloc == "labels.example.org" and params["batch"] == "7"
    assert (params["assignmentId"], params["hitId"], params["workerId"]) == \\
        (assignment["AssignmentId"], hit["HITId"], worker.worker_id)
    # The page posts its form to turkSubmitTo + /mturk/externalSubmit; repeated names are joined with |.
    form = urllib.parse.urlencode([("assignmentId", params["assignmentId"]), ("animal", "cat"),
                                   ("tags", "cute"), ("tags", "striped")]).encode()
    with urllib.request.urlopen(params["turkSubmitTo"] + "/mturk/externalSubmit", data=form) as response:
        assert response.status == 200

    listed = mturk.list_assignments_for_hit(HITId=hit["HITId"], AssignmentStatuses=["Submitted"])["Assignments"]
    assert [a["WorkerId"] for a in listed] == [worker.worker_id]
    assert answers(listed[0]) == {"animal": "cat", "tags": "cute|striped"}
    mturk.approve_assignment(AssignmentId=listed[0]["AssignmentId"], RequesterFeedback="Thank you")
    approved = mturk.get_assignment(AssignmentId=listed[0]["AssignmentId"])["Assignment"]
    assert approved["AssignmentStatus"] == "Approved" and approved["RequesterFeedback"] == "Thank you"
    assert worker.statistics()["NumberOfAssignmentsApproved"] == 1


def test_question_form_answers_reach_the_requester(mturk, workforce):
    hit = create_hit(mturk, QUESTION_FORM)
    worker = workforce.new()
    preview = worker.preview(hit["HITId"])
    assert preview["QuestionType"] == "QuestionForm" and preview["FrameURL"] is None
    assignment = worker.accept(hit["HITId"])
    worker.submit(assignment, {"animal": "dog", "size": ["large"]})
    listed = mturk.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    assert [(a["AssignmentStatus"], answers(a)) for a in listed] == \\
        [("Submitted", {"animal": "dog", "size": ["large"]})]
    mturk.approve_assignment(AssignmentId=assignment["AssignmentId"])
    assert [a["AssignmentStatus"] for a in worker.assignments()] == ["Approved"]


def test_a_return_frees_the_slot(mturk, workforce):
    hit = create_hit(mturk, QUESTION_FORM)
    first, second = workforce.new(), workforce.new()
    assignment = first.accept(hit["HITId"])
    assert available(mturk, hit) == 0
    with pytest.raises(KempelenError) as refused:
        second.accept(hit["HITId"])
    assert refused.value.code == "HITNotAvailable"
    assert first.return_(assignment)["AssignmentStatus"] == "Returned"
    assert available(mturk, hit) == 1
    assert second.accept(hit["HITId"])["AssignmentStatus"] == "Accepted"


def test_time_past_the_duration_abandons_the_assignment(mturk, workforce, kempelen_clock):
    hit = create_hit(mturk, QUESTION_FORM)
    worker = workforce.new()
    assignment = worker.accept(hit["HITId"])
    kempelen_clock.advance(DURATION + 1)
    assert available(mturk, hit) == 1
    with pytest.raises(KempelenError) as refused:
        worker.submit(assignment, {"animal": "too late"})
    assert refused.value.code == "AssignmentNotActive"
    assert worker.statistics()["NumberOfAssignmentsAbandoned"] == 1


def test_time_past_the_auto_approval_delay_approves(mturk, workforce, kempelen_clock):
    hit = create_hit(mturk, QUESTION_FORM)
    worker = workforce.new()
    assignment = worker.submit(worker.accept(hit["HITId"]), {"animal": "owl"})
    kempelen_clock.advance(AUTO_APPROVAL - 1)
    assert mturk.get_assignment(AssignmentId=assignment["AssignmentId"])["Assignment"]["AssignmentStatus"] == \\
        "Submitted"
    kempelen_clock.advance(2)
    assert mturk.get_assignment(AssignmentId=assignment["AssignmentId"])["Assignment"]["AssignmentStatus"] == \\
        "Approved"
    assert [h["HITId"] for h in mturk.list_reviewable_hits()["HITs"]] == [hit["HITId"]]
'''
WORKFLOW_TESTS = 5

# A project whose conftest.py defines its own `mturk` (here: another region) on top of the plugin's server.
OVERRIDE_CONFTEST = '''
import boto3
import pytest


@pytest.fixture
def mturk(kempelen, kempelen_requester):
    return boto3.client("mturk", endpoint_url=kempelen.endpoint, region_name="us-west-2",
                        aws_access_key_id=kempelen_requester["AccessKeyId"],
                        aws_secret_access_key=kempelen_requester["SecretAccessKey"])
'''
OVERRIDE_TEST = '''
def test_the_project_fixture_wins(mturk):
    assert mturk.meta.region_name == "us-west-2"
    assert mturk.get_account_balance()["AvailableBalance"] == "10000.00"
'''


def run_user_session(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """A separate `pytest` process in the user's project directory; -p pytester is not passed on, so only
    installed entry points supply plugins."""
    return pytester.runpytest_subprocess("-v", *args, timeout=300)


def assert_plugin_loaded_from_entry_point(result: pytest.RunResult) -> None:
    result.stdout.fnmatch_lines(["plugins: *kempelen-*"])  # the distribution's entry point, by its name


def test_a_user_workflow_runs_on_the_installed_plugin(pytester):
    pytester.makepyfile(test_labelling=WORKFLOW)
    result = run_user_session(pytester)
    assert_plugin_loaded_from_entry_point(result)
    result.assert_outcomes(passed=WORKFLOW_TESTS)


def test_the_fixtures_come_from_the_entry_point(pytester):
    pytester.makepyfile(test_labelling=WORKFLOW)
    result = run_user_session(pytester, "-p", "no:kempelen")
    result.assert_outcomes(errors=WORKFLOW_TESTS)
    result.stdout.fnmatch_lines(["*fixture 'mturk' not found*"])


def test_a_project_fixture_overrides_the_plugin(pytester):
    pytester.makeconftest(OVERRIDE_CONFTEST)
    pytester.makepyfile(test_override=OVERRIDE_TEST)
    run_user_session(pytester).assert_outcomes(passed=1)


@pytest.fixture
def postgres_database():
    """The URL of a throwaway PostgreSQL database, dropped afterwards; a skip when there is no server."""
    with database_url("postgresql") as url:
        yield url


def test_a_user_workflow_runs_on_postgresql(pytester, monkeypatch, postgres_database):
    import psycopg

    monkeypatch.setenv("KEMPELEN_TEST_DATABASE_URL", postgres_database)
    pytester.makepyfile(test_labelling=WORKFLOW)
    run_user_session(pytester).assert_outcomes(passed=WORKFLOW_TESTS)
    # The session's HITs were written to that database, not to a temporary SQLite file.
    with psycopg.connect(postgres_database) as connection:
        assert connection.execute("SELECT count(*) FROM hit").fetchone()[0] == WORKFLOW_TESTS


def readme_example() -> str:
    """The first ```python block after README_EXAMPLE_HEADING."""
    text = README.read_text()
    assert README_EXAMPLE_HEADING in text, f"README.md lost its heading {README_EXAMPLE_HEADING!r}"
    section = text.split(README_EXAMPLE_HEADING, 1)[1]
    block = re.search(r"^```python\n(.*?)^```$", section, re.S | re.M)
    assert block is not None, "no ```python block after the README's example heading"
    return block.group(1)


def test_the_readme_example_passes(pytester):
    example = readme_example()
    pytester.makepyfile(test_readme_example=example)
    result = run_user_session(pytester)
    tests = len(re.findall(r"^def test_", example, re.M))
    assert tests >= 1
    result.assert_outcomes(passed=tests)
