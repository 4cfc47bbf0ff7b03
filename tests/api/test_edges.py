"""Issue 9's numbered items, one test each: what broke at the edges, on both databases."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from helpers import EXTERNAL_QUESTION, create_hit, error_of
from tests.fuzz.fingerprint import Fingerprinter
from tests.fuzz.signing import CONTENT_TYPE, TARGET_PREFIX, Signer

MiB = 1024 * 1024


def signer_for(server, credentials) -> Signer:
    return Signer(credentials["AccessKeyId"], credentials["SecretAccessKey"], f"127.0.0.1:{server.port}")


def call(server, credentials, operation: str, payload: dict | bytes, **sign) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = signer_for(server, credentials).headers(TARGET_PREFIX + operation, body, **sign)
    return httpx.post(server.endpoint + "/", content=body, headers=headers, timeout=30)


def rss_kib(server) -> int:
    with open(f"/proc/{server._process.pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def worker_headers(server, worker_id: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    return headers | ({"X-Kempelen-Worker-Id": worker_id} if worker_id else {})


def assert_envelope(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) == {"Error"} and response.json()["Error"]["Code"] == code, response.text[:500]
    return response.json()["Error"]


# 1. A body-size limit before any credential check ---------------------------------------------------------


def test_1_oversized_bodies_are_refused_before_authentication(server):
    # unauthenticated, declared length: refused without the server reading it
    response = httpx.post(server.endpoint + "/", content=b"{" + b" " * (2 * MiB) + b"}",
                          headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + "GetHIT"})
    assert response.status_code == 413
    assert response.headers["content-type"] == CONTENT_TYPE
    assert response.json()["__type"] == "com.amazon.coral.service#RequestEntityTooLargeException"
    assert "1048576 bytes" in response.json()["message"]
    # chunked (no Content-Length): counted while received and cut off
    chunks = (b" " * 65536 for _ in range(40))
    response = httpx.post(server.endpoint + "/", content=chunks, headers={"Content-Type": CONTENT_TYPE})
    assert response.status_code == 413 and "RequestEntityTooLarge" in response.json()["__type"]
    # the worker and admin doors answer in their own envelope
    for path in ("/api/workers", "/api/worker/assignments/X/submit", "/_kempelen/requesters"):
        assert_envelope(httpx.post(server.endpoint + path, content=b"x" * (2 * MiB)), 413, "RequestEntityTooLarge")
        chunked = httpx.post(server.endpoint + path, content=(b"x" * 65536 for _ in range(40)),
                             headers={"Authorization": f"Bearer {server.admin_token}",
                                      "Content-Type": "application/json"})
        assert_envelope(chunked, 413, "RequestEntityTooLarge")
    # uploads keep their own bound: a multipart post to an upload route is streamed, not refused by size
    upload = "/api/worker/assignments/3NOSUCHASSIGNMENT/files/q"
    headers = worker_headers(server, "ANOSUCHWORKER")
    big_file = {"file": ("big.bin", b"\0" * (2 * MiB), "application/octet-stream")}
    assert_envelope(httpx.post(server.endpoint + upload, headers=headers, files=big_file), 404, "WorkerDoesNotExist")
    assert_envelope(httpx.post(server.endpoint + upload, headers=headers, content=b"x" * (2 * MiB),
                               ), 413, "RequestEntityTooLarge")  # not multipart: may be buffered
    assert_envelope(httpx.post(server.endpoint + "/api/workers", headers=headers, files=big_file), 413,
                    "RequestEntityTooLarge")  # multipart, but not an upload route
    # a body under the limit still works
    assert httpx.get(server.endpoint + "/_kempelen/health").json() == {"status": "ok"}


def test_1_an_oversized_body_does_not_grow_the_server(server):
    before = rss_kib(server)
    # 64 MB declared and sent: the server answers at once and never buffers it
    body = (b"x" * MiB for _ in range(64))
    try:
        response = httpx.post(server.endpoint + "/", content=body, headers={"Content-Length": str(64 * MiB)})
        assert response.status_code == 413
    except httpx.TransportError:
        pass  # the server may close the connection while the client is still sending: also a refusal
    assert rss_kib(server) - before < 16 * 1024


# 2. NUL and unpaired surrogates: refused the same way on both databases ------------------------------------


def test_2_unstorable_strings_are_refused_naming_the_member(server, credentials, mturk):
    fingerprint = Fingerprinter(server.database_url)
    try:
        before = fingerprint()
        for text in ("a\u0000b", "\ud800"):
            response = call(server, credentials, "CreateHITType", {
                "Title": "t" + text, "Description": "d", "Reward": "0.10", "AssignmentDurationInSeconds": 60})
            assert response.status_code == 400
            body = response.json()
            assert body["__type"] == "com.amazon.coral.validate#ValidationException"
            assert "at 'title' failed to satisfy constraint: Member must not contain the NUL character" \
                in body["message"]
        hit = create_hit(mturk)
        with pytest.raises(mturk.exceptions.ClientError) as excinfo:
            mturk.update_expiration_for_hit(HITId=hit["HITId"] + "\u0000", ExpireAt=0)
        assert "at 'hITId'" in str(excinfo.value)
        before = fingerprint()
        # the worker API: path ids, query parameters and body members
        admin = worker_headers(server)
        assert "path segment" in assert_envelope(
            httpx.get(server.endpoint + "/api/workers/A%00B", headers=admin), 400, "ValidationException")["Message"]
        assert "query parameter 'NextToken'" in assert_envelope(httpx.get(
            server.endpoint + "/api/worker/hits?NextToken=%00", headers=admin), 400, "ValidationException")["Message"]
        error = assert_envelope(httpx.post(server.endpoint + "/api/workers", headers=admin,
                                           json={"WorkerId": "A\u0000"}), 400, "ValidationException")
        assert "member WorkerId" in error["Message"]
        # form posts (externalSubmit): urlencoded at the edge, multipart text fields by the route
        form = httpx.post(server.endpoint + "/mturk/externalSubmit", content=b"assignmentId=%00&answer=x",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert_envelope(form, 400, "ValidationException")
        multipart = httpx.post(server.endpoint + "/mturk/externalSubmit",
                               files={"assignmentId": (None, "A\u0000"), "answer": (None, "x")})
        assert multipart.status_code == 400 and "not allowed (NUL" in multipart.text
        assert fingerprint() == before
    finally:
        fingerprint.close()


# 3. Money past 64-bit cents, and SendBonus's upper bound ------------------------------------------------


def test_3_amounts_beyond_the_ledger_are_out_of_range(server, credentials, mturk, workforce):
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        create_hit(mturk, Reward="99999999999999999.99")
    assert error_of(excinfo)[2] == "AWS.ParameterOutOfRange"
    assert "Valid values range from 0.00 to 1000000.00" in error_of(excinfo)[1]
    hit = create_hit(mturk)
    worker = workforce.new()
    assignment = worker.accept(hit["HITId"])
    worker.submit(assignment["AssignmentId"], {"answer": "x"})
    for amount in ("92233720368547758.07", "1000000.01"):
        with pytest.raises(mturk.exceptions.RequestError) as excinfo:
            mturk.send_bonus(WorkerId=worker.worker_id, BonusAmount=amount,
                             AssignmentId=assignment["AssignmentId"], Reason="thanks")
        assert error_of(excinfo)[2] == "AWS.ParameterOutOfRange"
    mturk.send_bonus(WorkerId=worker.worker_id, BonusAmount="1000000.00",
                     AssignmentId=assignment["AssignmentId"], Reason="the most there is")
    me = httpx.get(server.endpoint + "/api/worker", headers=worker_headers(server, worker.worker_id))
    assert me.status_code == 200


# 4. A long Query on SQLite ------------------------------------------------------------------------------


def test_4_long_queries_do_not_fail(server, credentials, mturk):
    mturk.create_qualification_type(Name="edge query type", Description="d", QualificationTypeStatus="Active")
    response = call(server, credentials, "ListQualificationTypes",
                    {"MustBeRequestable": False, "Query": "q" * 50_000})
    assert response.status_code == 400
    assert "at 'query' failed to satisfy constraint: Member must have length less than or equal to 4096" \
        in response.json()["message"]
    # the longest query allowed, of the characters LIKE must escape and of four-byte ones, still answers
    for query in ("%_" * 2048, "\U0001F600" * 4096):
        listed = mturk.list_qualification_types(MustBeRequestable=False, Query=query)
        assert listed["NumResults"] == 0


# 5. X-Amz-Target must be signed ------------------------------------------------------------------------


def test_5_an_unsigned_target_cannot_be_replayed(server, credentials, mturk):
    hit = create_hit(mturk)
    body = json.dumps({"HITId": hit["HITId"]}).encode()
    signer = signer_for(server, credentials)
    headers = signer.headers(TARGET_PREFIX + "GetHIT", body, signed=("host", "x-amz-date"))
    headers["x-amz-target"] = TARGET_PREFIX + "DeleteHIT"
    response = httpx.post(server.endpoint + "/", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"__type": "com.amazon.coral.service#InvalidSignatureException",
                               "message": "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."}
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Assignable"
    # Host first, as before
    headers = signer.headers(TARGET_PREFIX + "GetHIT", body, signed=("x-amz-date",))
    assert "'Host' must be a 'SignedHeader'" in httpx.post(server.endpoint + "/", content=body,
                                                            headers=headers).json()["message"]


# 6. One error shape per door --------------------------------------------------------------------------


def test_6_every_door_answers_one_envelope(server, credentials, mturk):
    admin = worker_headers(server)
    error = assert_envelope(httpx.post(server.endpoint + "/api/workers", headers=admin,
                                       json={"WorkerId": 5}), 400, "ValidationException")
    assert "body.WorkerId" in error["Message"]
    assert_envelope(httpx.post(server.endpoint + "/api/workers", headers=admin, content=b"{not json",
                               ), 400, "ValidationException")
    assert_envelope(httpx.get(server.endpoint + "/api/worker/hits?MaxResults=many",
                              headers=worker_headers(server, "ANOSUCHWORKER")), 400, "ValidationException")
    # the admin token only as a Bearer token
    bare = {"Authorization": server.admin_token}
    assert_envelope(httpx.get(server.endpoint + "/_kempelen/clock", headers=bare), 401, "NotAuthorized")
    assert httpx.get(server.endpoint + "/_kempelen/clock", headers=admin).status_code == 200
    assert_envelope(httpx.post(server.endpoint + "/_kempelen/requesters", headers=admin,
                               json={"mode": "bank"}), 400, "ValidationException")
    assert_envelope(httpx.get(server.endpoint + "/_kempelen/requesters/AKIANOSUCH/statement", headers=admin),
                    404, "RequesterDoesNotExist")
    # file links, unknown routes and methods
    assert_envelope(httpx.get(server.endpoint + "/files/nokey?Expires=1&Signature=x"), 403, "LinkInvalid")
    assert_envelope(httpx.get(server.endpoint + "/files/nokey?Expires=%C2%B2"), 403, "LinkInvalid")
    assert_envelope(httpx.get(server.endpoint + "/api/no-such-route"), 404, "NotFound")
    assert_envelope(httpx.delete(server.endpoint + "/api/workers"), 405, "MethodNotAllowed")


# 7. Withdrawals never take a ledger account below zero ---------------------------------------------------


def test_7_withdrawals_stop_at_zero(server):
    keys = server.create_requester(mode="ledger", balance="125.00")
    admin = worker_headers(server)
    funds = server.endpoint + f"/_kempelen/requesters/{keys['AccessKeyId']}/funds"
    error = assert_envelope(httpx.post(funds, headers=admin, json={"amount": "-500"}), 409, "InsufficientFunds")
    assert "has 125.00 available" in error["Message"]
    assert_envelope(httpx.post(funds, headers=admin, json={"amount": "99999999999999999999"}), 400,
                    "ParameterOutOfRange")
    assert httpx.post(funds, headers=admin, json={"amount": "-125.00"}).json()["AvailableBalance"] == "0.00"
    assert_envelope(httpx.post(funds, headers=admin, json={"amount": "-0.01"}), 409, "InsufficientFunds")
    assert server.client(keys).get_account_balance()["AvailableBalance"] == "0.00"


# 8. The signature is checked before a write transaction begins -----------------------------------------


def test_8_a_badly_signed_write_does_not_wait_for_the_write_lock(server, credentials):
    if not server.database_url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock; PostgreSQL writers do not queue on one lock")
    holder = sqlite3.connect(server.database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        started = time.monotonic()
        bad = dict(credentials, SecretAccessKey="wrong")
        response = call(server, bad, "CreateHITType", {"Title": "t", "Description": "d", "Reward": "0.10",
                                                       "AssignmentDurationInSeconds": 60})
        assert response.json()["__type"] == "com.amazon.coral.service#InvalidSignatureException"
        malformed = call(server, credentials, "CreateHITType", b"{not json")
        assert malformed.json()["__type"] == "com.amazon.coral.service#SerializationException"
        assert time.monotonic() - started < 5  # the busy timeout is 30 s
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_8_a_write_waiting_for_the_lock_leaves_the_server_answering(server, credentials, mturk):
    """SQLite writes run on the event loop only when the write lock is free that moment: one that finds it
    held by another process waits on the writer thread, and reads go on being answered meanwhile."""
    if not server.database_url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock; PostgreSQL writers do not queue on one lock")
    hit_id = create_hit(mturk)["HITId"]
    holder = sqlite3.connect(server.database_url.removeprefix("sqlite:///"), isolation_level=None)
    results: list[httpx.Response] = []
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        writer = threading.Thread(target=lambda: results.append(call(server, credentials, "CreateHIT", {
            "Title": "waits", "Description": "d", "Reward": "0.10", "AssignmentDurationInSeconds": 60,
            "LifetimeInSeconds": 600, "Question": EXTERNAL_QUESTION})))
        writer.start()
        started = time.monotonic()
        for _ in range(5):
            assert call(server, credentials, "GetHIT", {"HITId": hit_id}).status_code == 200
        assert time.monotonic() - started < 5  # the busy timeout the write waits under is 30 s
        assert writer.is_alive() and not results, results[0].text if results else ""  # waiting for the lock
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    writer.join(timeout=30)
    assert results[0].status_code == 200, results[0].text
    assert mturk.get_hit(HITId=results[0].json()["HIT"]["HITId"])["HIT"]["Title"] == "waits"
    assert create_hit(mturk, Title="after")["Title"] == "after"  # the loop's own writes run again


def test_8_a_write_waiting_for_a_row_lock_leaves_the_server_answering(server, credentials, mturk):
    """A PostgreSQL write that waits for a row another transaction holds is suspended on the event loop
    (kempelen.store.greenlets): reads go on being answered meanwhile, and the write completes once when the
    row is released."""
    if not server.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's row locks; SQLite's write lock has the test above")
    import psycopg

    hit = create_hit(mturk)
    results: list[httpx.Response] = []
    with psycopg.connect(server.database_url) as holder:
        # the new HIT's foreign key must share-lock its HIT type's row: held for update, it waits
        holder.execute("SELECT 1 FROM hit_type WHERE hit_type_id = %s FOR UPDATE", (hit["HITTypeId"],))
        writer = threading.Thread(target=lambda: results.append(call(server, credentials, "CreateHITWithHITType", {
            "HITTypeId": hit["HITTypeId"], "LifetimeInSeconds": 600, "Question": EXTERNAL_QUESTION})))
        writer.start()
        started = time.monotonic()
        for _ in range(5):
            assert call(server, credentials, "GetHIT", {"HITId": hit["HITId"]}).status_code == 200
        assert time.monotonic() - started < 5
        assert writer.is_alive() and not results, results[0].text if results else ""  # waiting for the row
        holder.rollback()
    writer.join(timeout=30)
    assert results[0].status_code == 200, results[0].text
    assert results[0].json()["HIT"]["HITTypeId"] == hit["HITTypeId"]
    assert mturk.list_hits()["NumResults"] == 2


def test_8_writes_beyond_the_pool_wait_their_turn_and_reads_go_on(server, credentials, mturk):
    """On PostgreSQL a call in flight holds a connection of the event loop's: with 30 writes stopped on a
    row lock, 20 hold the pool's connections and the rest wait for one, reads are still answered, the
    server opens no more than its bound, and every write completes once the row is released."""
    if not server.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's connections and row locks; SQLite's write lock has the tests above")
    import psycopg

    from kempelen.store import greenlets

    hit = create_hit(mturk)
    count_sql = ("SELECT count(*), count(*) FILTER (WHERE wait_event_type = 'Lock') FROM pg_stat_activity "
                 "WHERE datname = current_database() AND application_name = %s")

    def create() -> int:
        return call(server, credentials, "CreateHITWithHITType", {
            "HITTypeId": hit["HITTypeId"], "LifetimeInSeconds": 600, "Question": EXTERNAL_QUESTION}).status_code

    with psycopg.connect(server.database_url, autocommit=True) as admin, \
            psycopg.connect(server.database_url) as holder, ThreadPoolExecutor(max_workers=30) as pool:
        holder.execute("SELECT 1 FROM hit_type WHERE hit_type_id = %s FOR UPDATE", (hit["HITTypeId"],))
        writes = [pool.submit(create) for _ in range(30)]
        deadline = time.monotonic() + 20
        while True:  # bounded by the deadline: until the pool's connections all wait for the row
            opened, waiting = admin.execute(count_sql, (greenlets.APPLICATION_NAME,)).fetchone()
            if waiting == greenlets.POOL_SIZE or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert waiting == greenlets.POOL_SIZE
        for _ in range(5):
            assert call(server, credentials, "GetHIT", {"HITId": hit["HITId"]}).status_code == 200
        # the reads above went in after every write had: still only the pool's connections wait on the row
        opened, waiting = admin.execute(count_sql, (greenlets.APPLICATION_NAME,)).fetchone()
        assert waiting == greenlets.POOL_SIZE
        assert opened <= greenlets.POOL_SIZE + greenlets.AUTOCOMMIT_READERS
        assert not any(write.done() for write in writes)
        holder.rollback()
        assert [write.result(timeout=30) for write in writes] == [200] * 30
    assert mturk.list_hits(MaxResults=100)["NumResults"] == 31


# 9. Length limits --------------------------------------------------------------------------------------


@pytest.mark.parametrize("operation, payload, member, limit", [
    ("SendBonus", {"WorkerId": "AEDGE", "BonusAmount": "1.00", "AssignmentId": "X", "Reason": "r" * 4097},
     "reason", 4096),
    ("CreateWorkerBlock", {"WorkerId": "AEDGE", "Reason": "r" * 4097}, "reason", 4096),
    ("CreateQualificationType", {"Name": "n" * 4097, "Description": "d", "QualificationTypeStatus": "Active"},
     "name", 4096),
    ("AcceptQualificationRequest", {"QualificationRequestId": "Q" * 256}, "qualificationRequestId", 255),
])
def test_9_unbounded_members_have_a_ceiling(server, credentials, operation, payload, member, limit):
    response = call(server, credentials, operation, payload)
    assert response.status_code == 400
    assert (f"at '{member}' failed to satisfy constraint: Member must have length less than or equal to {limit}"
            in response.json()["message"])


def test_9_a_ten_megabyte_reason_never_reaches_the_database(server, credentials):
    response = call(server, credentials, "SendBonus", {"WorkerId": "AEDGE", "BonusAmount": "1.00",
                                                       "AssignmentId": "X", "Reason": "r" * (10 * MiB)})
    assert response.status_code == 413


def test_9_documented_limits_keep_mturks_error(mturk):
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        create_hit(mturk, Title="t" * 129)
    assert error_of(excinfo)[2] == "AWS.ParameterOutOfRange"


# 10. Expiring a Disposed HIT to a past time succeeds and changes nothing ----------------------------------


def test_10_expiring_a_deleted_hit_again_succeeds(server, mturk):
    hit = create_hit(mturk)
    for _ in range(2):  # the client's expire-then-delete, run twice for the same HIT
        mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
        if _ == 0:
            mturk.delete_hit(HITId=hit["HITId"])
        else:
            with pytest.raises(mturk.exceptions.RequestError) as excinfo:
                mturk.delete_hit(HITId=hit["HITId"])
            assert "currently in the state 'Disposed'" in error_of(excinfo)[1]
    before = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=datetime(2001, 1, 1, tzinfo=timezone.utc))
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"] == before
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=server.now() + timedelta(days=1))
    assert "currently in the state 'Disposed'" in error_of(excinfo)[1]


def test_9_a_requester_blocks_at_most_100000_workers(server, credentials, mturk):
    if not server.database_url.startswith("sqlite"):
        pytest.skip("one database is enough for a count; filling 100,000 rows costs seconds")
    stamp = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(server.database_url.removeprefix("sqlite:///")) as connection:
        connection.executemany(
            "INSERT INTO worker_block (requester_id, worker_id, reason, created_at) VALUES (?, ?, 'r', ?)",
            ((credentials["AccessKeyId"], f"AFILL{n}", stamp) for n in range(100_000)))
    with pytest.raises(mturk.exceptions.RequestError) as excinfo:
        mturk.create_worker_block(WorkerId="AONEMORE", Reason="r")
    assert error_of(excinfo)[2] == "AWS.ParameterOutOfRange"
    mturk.create_worker_block(WorkerId="AFILL7", Reason="a new reason")  # re-blocking is not a new block
    mturk.delete_worker_block(WorkerId="AFILL7")
    mturk.create_worker_block(WorkerId="AONEMORE", Reason="r")


def test_3_durations_past_year_9999_are_out_of_range(server, mturk, workforce):
    """A retry delay or test duration the clock cannot add (timedelta overflow) answered 500 to workers."""
    for member in ("RetryDelayInSeconds", "TestDurationInSeconds"):
        extra = {"Test": "<x/>"} if member == "TestDurationInSeconds" else {}
        with pytest.raises(mturk.exceptions.RequestError) as excinfo:
            mturk.create_qualification_type(Name=f"long {member}", Description="d", QualificationTypeStatus="Active",
                                            **{member: 2**63 - 1}, **extra)
        assert error_of(excinfo)[2] == "AWS.ParameterOutOfRange"
    century = 100 * 365 * 24 * 3600
    qualification_type = mturk.create_qualification_type(
        Name="a century", Description="d", QualificationTypeStatus="Active", RetryDelayInSeconds=century,
        AutoGranted=True)["QualificationType"]["QualificationTypeId"]
    worker = workforce.new()
    headers = worker_headers(server, worker.worker_id)
    for status in (201, 409):
        requested = httpx.post(server.endpoint + f"/api/worker/qualification-types/{qualification_type}/request",
                               headers=headers)
        assert requested.status_code == status, requested.text
    assert httpx.get(server.endpoint + "/api/worker/qualification-types", headers=headers).status_code == 200


def test_3_the_manual_clock_stays_where_deadlines_can_be_computed(server):
    admin = worker_headers(server)
    before = server.now()
    for change in ({"advance_seconds": 1e20}, {"set": "9999-12-31T23:59:59+00:00"}, {"set": "0001-01-01T00:00:00Z"}):
        error = assert_envelope(httpx.post(server.endpoint + "/_kempelen/clock", headers=admin, json=change),
                                400, "InvalidParameterValue")
        assert "between 1970-01-01 and 9000-01-01" in error["Message"]
    assert server.now() == before


def test_2_and_8_the_requester_json_routes(server, credentials):
    """Kempelen's signed requester routes: a NUL refused naming the member, a bad signature refused before a
    write transaction, bodies that are not JSON objects (NaN included) refused, all in the one envelope."""
    signer = signer_for(server, credentials)

    def post(path: str, body: bytes, *, secret_ok: bool = True) -> httpx.Response:
        use = signer if secret_ok else Signer(credentials["AccessKeyId"], "wrong", signer.host)
        headers = use.headers(None, body, content_type="application/json", method="POST", path=path,
                              signed=("content-type", "host", "x-amz-date"))
        return httpx.post(server.endpoint + path, content=body, headers=headers)

    project = json.dumps({"Template": "<p>${word}\u0000</p><input name='a'>", "Properties": {"Title": "t"}}).encode()
    error = assert_envelope(post("/_kempelen/requester/projects", project), 400, "ValidationException")
    assert "The member Template contains a character that is not allowed" in error["Message"]
    assert_envelope(post("/_kempelen/requester/projects", b'{"Template": NaN}'), 400, "SerializationException")
    good = json.dumps({"Template": "<p>${word}</p><input name='a'>", "Properties": {"Title": "t"}}).encode()
    assert_envelope(post("/_kempelen/requester/projects", good, secret_ok=False), 403, "InvalidSignatureException")
    if server.database_url.startswith("sqlite"):
        holder = sqlite3.connect(server.database_url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            assert post("/_kempelen/requester/projects", good, secret_ok=False).status_code == 403
            assert time.monotonic() - started < 5
        finally:
            holder.execute("ROLLBACK")
            holder.close()
