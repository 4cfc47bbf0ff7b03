"""QualificationRequirements met or not, guarding discover, preview and accept; worker blocks."""

from __future__ import annotations

import pytest

from kempelen.domain.qualifications import LOCALE, PRODUCTION_MASTERS, SANDBOX_MASTERS
from kempelen.testing import KempelenError
from helpers import create_hit, error_of

ADULT = "00000000000000000060"
APPROVED = "000000000000000000L0"
HITS_APPROVED = "00000000000000000040"


def requirement(type_id, comparator, *, integers=None, locales=None, guard=None, **extra):
    r = {"QualificationTypeId": type_id, "Comparator": comparator, **extra}
    if integers is not None:
        r["IntegerValues"] = integers
    if locales is not None:
        r["LocaleValues"] = locales
    if guard is not None:
        r["ActionsGuarded"] = guard
    return r


def refusal(call) -> KempelenError:
    with pytest.raises(KempelenError) as excinfo:
        call()
    return excinfo.value


def can_accept(worker, hit_id) -> bool:
    try:
        worker.accept(hit_id)
        return True
    except KempelenError as exc:
        assert exc.code == "QualificationRequirementNotMet", exc
        return False


def listed(worker, hit_id) -> bool:
    return hit_id in {hit["HITId"] for hit in worker.hits()}


def test_guards_cover_accept_preview_and_discover(mturk, workforce):
    worker = workforce.new()  # not an adult
    adult_only = requirement(ADULT, "EqualTo", integers=[1])
    accept = create_hit(mturk, QualificationRequirements=[adult_only])
    preview = create_hit(mturk, QualificationRequirements=[{**adult_only, "ActionsGuarded": "PreviewAndAccept"}])
    legacy = create_hit(mturk, QualificationRequirements=[{**adult_only, "RequiredToPreview": True}])
    discover = create_hit(mturk, QualificationRequirements=[
        {**adult_only, "ActionsGuarded": "DiscoverPreviewAndAccept"}])

    assert listed(worker, accept["HITId"]) and worker.preview(accept["HITId"])
    error = refusal(lambda: worker.accept(accept["HITId"]))
    assert error.code == "QualificationRequirementNotMet" and error.status == 403
    assert "Worker_Adult" in error.message and ADULT in error.message and "EqualTo 1" in error.message
    assert "your value is 0" in error.message
    for hit in (preview, legacy):
        assert listed(worker, hit["HITId"])
        assert refusal(lambda: worker.preview(hit["HITId"])).code == "QualificationRequirementNotMet"
        assert not can_accept(worker, hit["HITId"])
    assert not listed(worker, discover["HITId"])
    assert refusal(lambda: worker.preview(discover["HITId"])).code == "QualificationRequirementNotMet"

    # The guards are echoed back exactly as given.
    assert mturk.get_hit(HITId=legacy["HITId"])["HIT"]["QualificationRequirements"] == [
        {**adult_only, "RequiredToPreview": True}]
    assert mturk.get_hit(HITId=discover["HITId"])["HIT"]["QualificationRequirements"][0]["ActionsGuarded"] == \
        "DiscoverPreviewAndAccept"

    worker.set_profile(adult=True)
    for hit in (accept, preview, legacy, discover):
        assert listed(worker, hit["HITId"]) and can_accept(worker, hit["HITId"])


@pytest.mark.parametrize("comparator, integers, adult_meets, child_meets", [
    ("EqualTo", [1], True, False), ("NotEqualTo", [1], False, True),
    ("GreaterThan", [0], True, False), ("GreaterThanOrEqualTo", [1], True, False),
    ("LessThan", [1], False, True), ("LessThanOrEqualTo", [0], False, True),
    ("In", [1, 5], True, False), ("NotIn", [1, 5], False, True),
    ("Exists", None, True, True), ("DoesNotExist", None, False, False),  # everyone has system values
])
def test_integer_comparators(mturk, workforce, comparator, integers, adult_meets, child_meets):
    adult, child = workforce.new(), workforce.new()
    adult.set_profile(adult=True)
    hit = create_hit(mturk, MaxAssignments=2,
                     QualificationRequirements=[requirement(ADULT, comparator, integers=integers)])
    assert can_accept(adult, hit["HITId"]) is adult_meets
    assert can_accept(child, hit["HITId"]) is child_meets


@pytest.mark.parametrize("comparator, locales, expected", [
    # the docs' own examples: EqualTo US-PA excludes US-NY and IN; NotEqualTo US-CA admits US-NY and IN
    ("EqualTo", [{"Country": "US", "Subdivision": "PA"}], {"US-PA": True, "US-NY": False, "IN": False}),
    ("NotEqualTo", [{"Country": "US", "Subdivision": "CA"}], {"US-CA": False, "US-NY": True, "IN": True}),
    ("EqualTo", [{"Country": "US"}], {"US-NY": True, "US": True, "DE": False}),
    ("In", [{"Country": "DE"}, {"Country": "US", "Subdivision": "NY"}], {"DE": True, "US-NY": True, "US-CA": False}),
    ("NotIn", [{"Country": "DE"}, {"Country": "FR"}], {"DE": False, "FR": False, "US": True}),
])
def test_locale_comparators(mturk, workforce, comparator, locales, expected):
    hit = create_hit(mturk, MaxAssignments=len(expected),
                     QualificationRequirements=[requirement(LOCALE, comparator, locales=locales)])
    for place, meets in expected.items():
        worker = workforce.new()
        country, _, subdivision = place.partition("-")
        worker.set_profile(locale={"Country": country, **({"Subdivision": subdivision} if subdivision else {})})
        assert can_accept(worker, hit["HITId"]) is meets, place


def test_locale_refusal_names_the_workers_locale(mturk, workforce):
    worker = workforce.new()
    worker.set_profile(locale={"Country": "DE"})
    hit = create_hit(mturk, QualificationRequirements=[requirement(LOCALE, "EqualTo", locales=[{"Country": "US"}])])
    error = refusal(lambda: worker.accept(hit["HITId"]))
    assert "Worker_Locale" in error.message and "your locale is DE" in error.message


@pytest.mark.parametrize("masters_id", [SANDBOX_MASTERS, PRODUCTION_MASTERS])
def test_masters_under_both_ids(mturk, workforce, masters_id):
    master, other = workforce.new(), workforce.new()
    master.set_profile(masters=True)
    hit = create_hit(mturk, MaxAssignments=2, QualificationRequirements=[requirement(masters_id, "Exists")])
    assert can_accept(master, hit["HITId"]) and not can_accept(other, hit["HITId"])
    error = refusal(lambda: other.preview(hit["HITId"]) and other.accept(hit["HITId"]))
    assert "you do not have this qualification" in error.message


def test_approval_statistics(mturk, workforce):
    worker = workforce.new()
    for _ in range(3):
        hit = create_hit(mturk, Title="earn approvals")
        a = worker.accept(hit["HITId"])
        worker.submit(a, {"x": "1"})
        mturk.approve_assignment(AssignmentId=a["AssignmentId"])
    hit = create_hit(mturk, Title="reject me")
    rejected = worker.accept(hit["HITId"])
    worker.submit(rejected, {"x": "1"})
    mturk.reject_assignment(AssignmentId=rejected["AssignmentId"], RequesterFeedback="no")

    needs_three = create_hit(mturk, QualificationRequirements=[
        requirement(HITS_APPROVED, "GreaterThanOrEqualTo", integers=[3])])
    needs_four = create_hit(mturk, QualificationRequirements=[
        requirement(HITS_APPROVED, "GreaterThanOrEqualTo", integers=[4])])
    # Fewer than 100 submissions: PercentAssignmentsApproved counts as 100 (75% in truth).
    needs_rate = create_hit(mturk, QualificationRequirements=[requirement(APPROVED, "GreaterThan", integers=[99])])
    assert can_accept(worker, needs_three["HITId"]) and not can_accept(worker, needs_four["HITId"])
    assert can_accept(worker, needs_rate["HITId"])
    stats = worker.statistics()
    assert (stats["NumberOfAssignmentsApproved"], stats["NumberOfAssignmentsRejected"],
            stats["PercentAssignmentsApproved"]) == (3, 1, 75)


def test_every_requirement_must_be_met(mturk, workforce):
    worker = workforce.new()
    worker.set_profile(adult=True, locale={"Country": "US", "Subdivision": "WA"})
    both = [requirement(ADULT, "EqualTo", integers=[1]),
            requirement(LOCALE, "EqualTo", locales=[{"Country": "US", "Subdivision": "CA"}])]
    hit = create_hit(mturk, QualificationRequirements=both)
    assert "Worker_Locale" in refusal(lambda: worker.accept(hit["HITId"])).message
    worker.set_profile(locale={"Country": "US", "Subdivision": "CA"})
    assert can_accept(worker, hit["HITId"])


def test_accept_next_says_why_a_type_is_closed(mturk, workforce):
    hit = create_hit(mturk, QualificationRequirements=[requirement(ADULT, "EqualTo", integers=[1])])
    assert refusal(lambda: workforce.new().accept_next(hit["HITTypeId"])).code == "QualificationRequirementNotMet"


def test_requirements_on_unknown_custom_types_are_refused(mturk):
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        create_hit(mturk, QualificationRequirements=[requirement("3" + "Q" * 29, "Exists")])
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"


def test_profile_validation(workforce):
    worker = workforce.new()
    for change in ({"locale": {"Country": "usa"}}, {"locale": {"Country": "DE", "Subdivision": "BY"}},
                   {"locale": {"Country": "US", "Subdivision": "c-a"}}):
        assert refusal(lambda: worker.set_profile(**change)).code == "InvalidParameterValue"
    profile = worker.set_profile(locale={"Country": "US", "Subdivision": "NY"}, masters=True)
    assert profile["Locale"] == {"Country": "US", "Subdivision": "NY"} and profile["Masters"] is True


def test_blocks_hide_one_requesters_hits_only(server, mturk, workforce):
    worker = workforce.new()
    other = server.client(server.create_requester())
    mine, theirs = create_hit(mturk), create_hit(other)
    done = create_hit(mturk, MaxAssignments=2)
    submitted = worker.accept(done["HITId"])
    worker.submit(submitted, {"x": "1"})

    mturk.create_worker_block(WorkerId=worker.worker_id, Reason="spam")
    assert not listed(worker, mine["HITId"]) and listed(worker, theirs["HITId"])
    error = refusal(lambda: worker.accept(mine["HITId"]))
    assert error.code == "WorkerBlocked" and error.status == 403
    worker.accept(theirs["HITId"])
    # Submitted work is untouched, and can still be reviewed.
    mturk.approve_assignment(AssignmentId=submitted["AssignmentId"])

    mturk.create_worker_block(WorkerId=worker.worker_id, Reason="still spam")  # re-blocking updates the reason
    blocks = mturk.list_worker_blocks()["WorkerBlocks"]
    assert blocks == [{"WorkerId": worker.worker_id, "Reason": "still spam"}]
    assert other.list_worker_blocks()["WorkerBlocks"] == []
    mturk.delete_worker_block(WorkerId=worker.worker_id, Reason="forgiven")
    mturk.delete_worker_block(WorkerId=worker.worker_id)  # not blocked: still a success
    assert listed(worker, mine["HITId"])
    worker.accept(mine["HITId"])


def test_worker_block_inputs_and_pages(mturk, workforce):
    with pytest.raises(mturk.exceptions.ClientError) as excinfo:
        mturk.create_worker_block(WorkerId="not-a-worker", Reason="x")
    assert error_of(excinfo)[0] == "ValidationException"
    ids = sorted(workforce.new().worker_id for _ in range(3))
    for worker_id in ids:
        mturk.create_worker_block(WorkerId=worker_id, Reason=f"r{worker_id}")
    seen, token = [], None
    while True:
        page = mturk.list_worker_blocks(MaxResults=2, **({"NextToken": token} if token else {}))
        seen += [b["WorkerId"] for b in page["WorkerBlocks"]]
        if not page["WorkerBlocks"]:
            assert "NextToken" not in page
            break
        token = page["NextToken"]
    assert seen == ids
