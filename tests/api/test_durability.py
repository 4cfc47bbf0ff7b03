"""Acknowledged writes survive a SIGKILL of the server: restart on the same database and read them back."""

from __future__ import annotations

import signal
import threading

import pytest

from kempelen.testing import LiveServer
from tests.databases import database_url


QUESTION = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
            '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/</ExternalURL>'
            '<FrameHeight>0</FrameHeight></ExternalQuestion>')


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
    """GetHIT and ListHITs on PostgreSQL on this host read on the event loop's own connection, and writes
    use one of its own too (kempelen.store.db): when the database drops every connection (a restart, an
    administrator), the next calls connect again (botocore retries a ServiceFault, as it did MTurk's)."""
    import psycopg

    with database_url("postgresql") as url, LiveServer(url) as server:
        mturk = server.client(server.create_requester())
        hit = mturk.create_hit(Title="t", Description="d", Reward="0.05", AssignmentDurationInSeconds=60,
                               LifetimeInSeconds=600, Question=QUESTION)["HIT"]
        assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITId"] == hit["HITId"]
        with psycopg.connect(url, autocommit=True) as admin:
            dropped = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
        assert dropped >= 2
        for _ in range(3):
            assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITId"] == hit["HITId"]
        assert mturk.create_hit_with_hit_type(HITTypeId=hit["HITTypeId"], LifetimeInSeconds=600,
                                              Question=QUESTION)["HIT"]["HITTypeId"] == hit["HITTypeId"]
        assert mturk.list_hits()["NumResults"] == 2
