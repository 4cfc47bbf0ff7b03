"""The assignment state machine and worker statistics as pure functions."""

from datetime import datetime, timedelta, timezone

from kempelen.domain import assignments as states
from kempelen.domain.workers import WorkerStatistics

T = datetime(2030, 1, 1, tzinfo=timezone.utc)


def moment(status, now, *, deadline=T + timedelta(seconds=60), auto=None, approved=None):
    return states.effective(status, deadline=deadline, auto_approval_time=auto, approval_time=approved, now=now)


def test_an_acceptance_is_abandoned_exactly_at_its_deadline():
    assert moment("Accepted", T + timedelta(seconds=59)).status == "Accepted"
    assert moment("Accepted", T + timedelta(seconds=60)).status == "Abandoned"


def test_a_submission_is_approved_at_its_auto_approval_time_and_dated_then():
    auto = T + timedelta(hours=1)
    assert moment("Submitted", auto - timedelta(milliseconds=1), auto=auto) == states.Moment("Submitted", None)
    assert moment("Submitted", auto + timedelta(days=3), auto=auto) == states.Moment("Approved", auto)


def test_settled_statuses_do_not_move():
    for status in ("Approved", "Rejected", "Returned", "Abandoned"):
        assert moment(status, T + timedelta(days=365), auto=T, approved=T).status == status


def test_approval_rules():
    submit = T
    assert states.may_approve("Submitted", override_rejection=False, submit_time=submit, now=T, hit_disposed=False)
    assert not states.may_approve("Rejected", override_rejection=False, submit_time=submit, now=T, hit_disposed=False)
    assert states.may_approve("Rejected", override_rejection=True, submit_time=submit,
                              now=submit + timedelta(days=30), hit_disposed=False)
    assert not states.may_approve("Rejected", override_rejection=True, submit_time=submit,
                                  now=submit + timedelta(days=30, seconds=1), hit_disposed=False)
    assert not states.may_approve("Rejected", override_rejection=True, submit_time=submit, now=T, hit_disposed=True)
    assert not states.may_approve("Approved", override_rejection=True, submit_time=submit, now=T, hit_disposed=False)
    assert states.may_reject("Submitted") and not states.may_reject("Approved") and not states.may_reject("Rejected")


def test_feedback_rules():
    assert states.feedback_problem(None) is None
    assert states.feedback_problem("ok\ttab\nnewline\r" + "é" * 1000) is None
    assert "too long" in states.feedback_problem("x" * 1025)
    for bad in ("\x00", "\x08", "\x0b", "\x0c", "\x0e", "\x1f"):
        assert "not allowed" in states.feedback_problem(f"a{bad}b")


def test_worker_statistics_rates():
    fresh = WorkerStatistics()
    assert fresh.approval_rate == 100 and fresh.rejection_rate == 0 and fresh.abandonment_rate == 0
    stats = WorkerStatistics(accepted=10, submitted=6, approved=4, rejected=1, returned=2, abandoned=1, pending=1)
    assert stats.approval_rate == 66  # floor of 4/6
    assert stats.rejection_rate == 16 and stats.return_rate == 20 and stats.abandonment_rate == 10
    assert stats.submission_rate == 66  # 6 of the 9 that ended
    assert stats.as_dict()["NumberOfAssignmentsReturned"] == 2
