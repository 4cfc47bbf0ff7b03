"""Acknowledged writes survive a SIGKILL of the server: restart on the same database and read them back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import signal
import threading

import pytest

from kempelen.testing import LiveServer
from tests.databases import database_url


QUESTION = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
            '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/</ExternalURL>'
            '<FrameHeight>0</FrameHeight></ExternalQuestion>')


@pytest.mark.long
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_acknowledged_writes_survive_kill_9(kind):
    with database_url(kind) as url:
        first = LiveServer(url).start()
        try:
            keys = first.create_requester()
            mturk = first.client(keys)
            acknowledged: list[str] = []
            stop = threading.Event()

            def write():  # writes keep arriving while the server dies
                while not stop.is_set():
                    try:
                        acknowledged.append(mturk.create_hit_type(
                            Title=f"durable {len(acknowledged)}", Description="d", Reward="0.05",
                            AssignmentDurationInSeconds=60)["HITTypeId"])
                    except Exception:  # noqa: BLE001 - the unacknowledged tail: the server was killed
                        return

            writer = threading.Thread(target=write)
            writer.start()
            while len(acknowledged) < 25 and writer.is_alive():
                writer.join(0.01)
            first._process.send_signal(signal.SIGKILL)
            first._process.wait()
            stop.set()
            writer.join()
        finally:
            first.stop()
        assert len(acknowledged) >= 25
        with LiveServer(url) as second:
            mturk = second.client(keys)
            created = [mturk.create_hit_with_hit_type(
                HITTypeId=hit_type_id, LifetimeInSeconds=60,
                Question='<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
                         '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/</ExternalURL>'
                         '<FrameHeight>0</FrameHeight></ExternalQuestion>')["HIT"]["HITTypeId"]
                for hit_type_id in acknowledged]  # an unknown HITTypeId would be refused
            assert created == acknowledged


def test_the_server_reconnects_when_the_database_drops_its_connections():
    """On PostgreSQL, GetHIT and ListHITs read on the event loop's autocommit connections and writes take
    one of its pool's (kempelen.store.greenlets): when the database drops every connection (a restart, an
    administrator), the next calls connect again (botocore retries a ServiceFault, as it did MTurk's)."""
    import psycopg

    with database_url("postgresql") as url, LiveServer(url) as server:
        mturk = server.client(server.create_requester())
        hit = mturk.create_hit(Title="t", Description="d", Reward="0.05", AssignmentDurationInSeconds=60,
                               LifetimeInSeconds=600, Question=QUESTION)["HIT"]
        with ThreadPoolExecutor(max_workers=8) as pool:  # several reads at once: several reader connections
            assert len(list(pool.map(lambda _: mturk.get_hit(HITId=hit["HITId"]), range(40)))) == 40
        with psycopg.connect(url, autocommit=True) as admin:
            dropped = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
        assert dropped >= 2
        retries = []
        for _ in range(3):
            got = mturk.get_hit(HITId=hit["HITId"])
            assert got["HIT"]["HITId"] == hit["HITId"]
            retries.append(got["ResponseMetadata"]["RetryAttempts"])
        created = mturk.create_hit_with_hit_type(HITTypeId=hit["HITTypeId"], LifetimeInSeconds=600,
                                                 Question=QUESTION)
        assert created["HIT"]["HITTypeId"] == hit["HITTypeId"]
        retries.append(created["ResponseMetadata"]["RetryAttempts"])
        # one failed call at most for reads and one for writes: the first to find its connection dead
        # drops the others it would have found dead too
        assert sum(retries[:3]) <= 1 and retries[3] <= 1, retries
        assert mturk.list_hits()["NumResults"] == 2
