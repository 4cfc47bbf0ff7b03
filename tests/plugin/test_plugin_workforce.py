"""The plugin's crowd, state and fault helpers as a user's own test files use them (a separate pytest process
that loads the plugin from its entry point)."""

from __future__ import annotations

pytest_plugins = ["pytester"]

USER_TESTS = '''
import pytest
from botocore.config import Config

from kempelen.testing import Behaviour, RandomAnswers

FORM = """<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd">
<Question><QuestionIdentifier>size</QuestionIdentifier><IsRequired>true</IsRequired>
<QuestionContent><Text>How big?</Text></QuestionContent><AnswerSpecification><SelectionAnswer><Selections>
<Selection><SelectionIdentifier>small</SelectionIdentifier><Text>Small</Text></Selection>
<Selection><SelectionIdentifier>large</SelectionIdentifier><Text>Large</Text></Selection>
</Selections></SelectionAnswer></AnswerSpecification></Question></QuestionForm>"""


def make_hits(mturk, count):
    return [mturk.create_hit(Title="Sizes", Description="How big is it?", Reward="0.05", MaxAssignments=3,
                             LifetimeInSeconds=86400, AssignmentDurationInSeconds=600, Question=FORM)["HIT"]
            for _ in range(count)]


def test_a_crowd_does_the_work(mturk, workforce):
    hits = make_hits(mturk, 5)
    summary = workforce.crowd(20, RandomAnswers(), seed=1, hit_type_id=hits[0]["HITTypeId"]).run(until_done=True)
    assert summary.submitted == 15
    for hit in hits:
        listed = mturk.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
        assert len(listed) == 3 and all("<SelectionIdentifier>" in a["Answer"] for a in listed)


def test_snapshots_and_reset_between_tests(kempelen, mturk):
    hit_id = make_hits(mturk, 1)[0]["HITId"]
    kempelen.save_snapshot("one-hit")
    kempelen.reset()
    assert mturk.list_hits()["NumResults"] == 0
    kempelen.restore_snapshot("one-hit")
    assert mturk.get_hit(HITId=hit_id)["HIT"]["HITId"] == hit_id


def test_retries_ride_through_throttling(kempelen, kempelen_faults, kempelen_requester):
    mturk = kempelen.client(kempelen_requester, config=Config(retries={"mode": "standard", "total_max_attempts": 4}))
    kempelen_faults.set_faults({"kind": "throttle", "operations": ["GetAccountBalance"], "share": 0.5})
    assert mturk.get_account_balance()["AvailableBalance"] == "10000.00"
    assert mturk.get_account_balance()["ResponseMetadata"]["RetryAttempts"] == 1


def test_faults_are_gone_in_the_next_test(kempelen):
    assert kempelen.faults() == []
'''


def test_crowd_state_and_fault_helpers_from_the_installed_plugin(pytester):
    pytester.makepyfile(test_helpers=USER_TESTS)
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider", timeout=300)
    result.assert_outcomes(passed=4)
