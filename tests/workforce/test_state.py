"""Reset and snapshots, on both databases, seen through boto3 and the worker API."""

from __future__ import annotations

import urllib.error

import pytest
from botocore.exceptions import ClientError

from kempelen.store import models
from kempelen.store import state as store_state
from kempelen.testing import LiveServer
from tests.databases import drop, postgres_database
from tests.workforce.conftest import make_hits, question_form, selection


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def own_server(request):
    """A server of its own: a reset empties every requester's data, which the suite's shared server holds."""
    if request.param == "sqlite":
        with LiveServer(seed=42) as live:
            yield live
        return
    admin, name, url = postgres_database()
    try:
        with LiveServer(url, seed=42) as live:
            yield live
    finally:
        drop(admin, name)


def _activity(server, credentials) -> dict:
    """One requester's HIT with an approved, bonused assignment, a qualification type granted, a message."""
    mturk = server.client(credentials)
    hit = make_hits(mturk, 1, question_form(selection("colour")), max_assignments=2)[0]
    worker = server.workforce().new()
    assignment = worker.accept(hit["HITId"])
    worker.submit(assignment, {"colour": ["red"]})
    mturk.approve_assignment(AssignmentId=assignment["AssignmentId"])
    mturk.send_bonus(WorkerId=worker.worker_id, BonusAmount="0.10", AssignmentId=assignment["AssignmentId"],
                     Reason="Thanks")
    qualification = mturk.create_qualification_type(Name=f"Q {hit['HITId']}", Description="d",
                                                     QualificationTypeStatus="Active")["QualificationType"]
    mturk.associate_qualification_with_worker(QualificationTypeId=qualification["QualificationTypeId"],
                                              WorkerId=worker.worker_id, IntegerValue=5, SendNotification=False)
    mturk.notify_workers(Subject="Hello", MessageText="Hi", WorkerIds=[worker.worker_id])
    return {"mturk": mturk, "hit": hit, "worker": worker, "qualification": qualification,
            "assignment": assignment}


def _gone(call) -> bool:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"] == "RequestError"


def test_reset_of_one_requester_leaves_the_others_alone(own_server):
    mine, theirs = own_server.create_requester(), own_server.create_requester()
    a, b = _activity(own_server, mine), _activity(own_server, theirs)
    deleted = own_server.reset(requester=mine["AccessKeyId"])
    assert deleted["hit"] == 1 and deleted["assignment"] == 1 and deleted["bonus_payment"] == 1
    assert deleted["qualification_type"] == 1 and deleted["qualification"] == 1 and deleted["worker_message"] == 1
    assert _gone(lambda: a["mturk"].get_hit(HITId=a["hit"]["HITId"]))
    assert a["mturk"].list_hits()["NumResults"] == 0
    assert _gone(lambda: a["mturk"].list_bonus_payments(HITId=a["hit"]["HITId"]))
    assert a["mturk"].get_account_balance()["AvailableBalance"]  # the key still works
    assert b["mturk"].get_hit(HITId=b["hit"]["HITId"])["HIT"]["HITId"] == b["hit"]["HITId"]
    assert b["mturk"].list_bonus_payments(HITId=b["hit"]["HITId"])["NumResults"] == 1
    assert [m["Subject"] for m in b["worker"].messages()] == ["Hello"]
    assert a["worker"].messages() == []  # the worker account stays; its messages from that requester go
    assert own_server.workforce().get(a["worker"].worker_id).statistics()["NumberOfAssignmentsAccepted"] == 0


def test_reset_of_everyone_keeps_keys_and_workers_unless_everything(own_server):
    credentials = own_server.create_requester()
    a = _activity(own_server, credentials)
    own_server.reset()
    assert a["mturk"].list_hits()["NumResults"] == 0
    assert a["mturk"].list_qualification_types(MustBeRequestable=False, MustBeOwnedByCaller=True)["NumResults"] == 0
    assert a["worker"].statistics()["NumberOfAssignmentsAccepted"] == 0  # the worker is still there, with nothing done
    own_server.reset(everything=True)
    with pytest.raises(ClientError) as caught:
        a["mturk"].list_hits()
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
    with pytest.raises(Exception):
        a["worker"].statistics()
    developer = own_server.client({"AccessKeyId": "AKIAKEMPELENDEVELOP1",
                                   "SecretAccessKey": "kempelen/development/secret/do-not-use-in-production"})
    assert developer.list_hits()["NumResults"] == 0  # the development requester comes back


def test_reset_refuses_an_unknown_requester(own_server):
    with pytest.raises(urllib.error.HTTPError) as caught:
        own_server.reset(requester="AKIANOSUCHREQUESTER0")
    assert caught.value.code == 404


def test_snapshot_restore_brings_back_rows_clock_and_seeded_ids(own_server):
    credentials = own_server.create_requester()
    a = _activity(own_server, credentials)
    saved_at = own_server.now()
    own_server.save_snapshot("before")
    later = make_hits(a["mturk"], 2, question_form(selection("colour")))
    own_server.advance_clock(3600)
    own_server.reset()
    restored = own_server.restore_snapshot("before")
    assert restored["Name"] == "before"
    assert own_server.now() == saved_at
    assert a["mturk"].get_hit(HITId=a["hit"]["HITId"])["HIT"]["HITId"] == a["hit"]["HITId"]
    assert a["mturk"].list_bonus_payments(HITId=a["hit"]["HITId"])["NumResults"] == 1
    for hit in later:
        assert _gone(lambda: a["mturk"].get_hit(HITId=hit["HITId"]))
    # the seeded generators went back too: the same HITs are made again, with the same ids
    again = make_hits(a["mturk"], 2, question_form(selection("colour")))
    assert [h["HITId"] for h in again] == [h["HITId"] for h in later]
    # and a new row after a restore does not collide with restored ones (sequences moved past them)
    worker = own_server.workforce().new()
    worker.submit(worker.accept(again[0]["HITId"]), {"colour": ["blue"]})
    listed = {s["Name"] for s in own_server.admin("GET", "/_kempelen/snapshots")["Snapshots"]}
    assert "before" in listed


def test_restoring_an_unknown_snapshot_or_a_bad_name_is_refused(own_server):
    with pytest.raises(urllib.error.HTTPError) as caught:
        own_server.restore_snapshot("never-saved")
    assert caught.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as caught:
        own_server.save_snapshot("bad%20name")
    assert caught.value.code == 400


def test_every_table_is_classified_for_reset():
    """A new table must say whether a reset keeps it (an account) or how one requester's rows are found."""
    for table in models.Base.metadata.sorted_tables:
        assert table.name in store_state.ACCOUNT_TABLES or table.name in store_state.REQUESTER_SCOPE, table.name


def _fingerprint(database_url: str) -> dict:
    """Every row of every table, in primary-key order."""
    from sqlalchemy import select as select_

    from kempelen.store.db import Database

    db = Database(database_url)
    try:
        with db.transaction(writes=False) as session:
            return {table.name: [tuple(row) for row in session.execute(
                select_(table).order_by(*table.primary_key.columns))]
                for table in models.Base.metadata.sorted_tables}
    finally:
        db.dispose()


def _churn(server, credentials, hit_ids: list[str]) -> None:
    """Updates (accept, submit, approve), inserts (HITs, messages) and deletes (a HIT) since the save."""
    mturk = server.client(credentials)
    worker = server.workforce().new()
    assignment = worker.accept(hit_ids[0])
    worker.submit(assignment, {"colour": ["blue"]})
    mturk.approve_assignment(AssignmentId=assignment["AssignmentId"])
    mturk.update_expiration_for_hit(HITId=hit_ids[1], ExpireAt=0)
    mturk.delete_hit(HITId=hit_ids[1])
    make_hits(mturk, 2, question_form(selection("colour")))
    mturk.notify_workers(Subject="Again", MessageText="Hi", WorkerIds=[worker.worker_id])


def test_restore_puts_back_every_row_exactly_however_often(own_server):
    credentials = own_server.create_requester()
    a = _activity(own_server, credentials)
    hit_ids = [a["hit"]["HITId"]] + [h["HITId"] for h in make_hits(a["mturk"], 2, question_form(selection("c")))]
    own_server.save_snapshot("exact")
    saved = _fingerprint(own_server.database_url)
    for round_number in range(3):
        _churn(own_server, credentials, hit_ids)
        assert _fingerprint(own_server.database_url) != saved
        own_server.restore_snapshot("exact")
        assert _fingerprint(own_server.database_url) == saved, round_number
    own_server.restore_snapshot("exact")  # nothing changed since the last restore
    assert _fingerprint(own_server.database_url) == saved
    own_server.reset(everything=True)
    own_server.restore_snapshot("exact")
    assert _fingerprint(own_server.database_url) == saved


def test_bad_state_and_fault_requests_are_refused_in_the_envelope_and_change_nothing(own_server):
    import json
    import urllib.request

    credentials = own_server.create_requester()
    _activity(own_server, credentials)
    before = _fingerprint(own_server.database_url)

    def send(method: str, path: str, body, token: str | None = own_server.admin_token) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        request = urllib.request.Request(own_server.endpoint + path, data=json.dumps(body).encode(), method=method,
                                         headers=headers)
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=30)
        return caught.value.code, json.loads(caught.value.read())

    cases = [("POST", "/_kempelen/reset", {"everything": "yes please"}, 400),
             ("POST", "/_kempelen/reset", {"requester": credentials["AccessKeyId"], "everything": True}, 400),
             ("POST", "/_kempelen/reset", {"bogus": 1}, 400),
             ("PUT", "/_kempelen/faults", {"Rules": "x"}, 400),
             ("PUT", "/_kempelen/faults", {"Rules": [{"kind": "boom"}]}, 400),
             ("PUT", "/_kempelen/snapshots/..", None, 400)]
    for method, path, body, status in cases:
        code, payload = send(method, path, body)
        assert code in (status, 404, 405, 422) and 400 <= code < 500, (path, body, code)
        assert set(payload) == {"Error"} and {"Code", "Message"} <= set(payload["Error"]), payload
    code, payload = send("POST", "/_kempelen/reset", {}, token=None)
    assert code == 401 and payload["Error"]["Code"]
    assert own_server.faults() == []
    assert _fingerprint(own_server.database_url) == before
