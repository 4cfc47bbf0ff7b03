"""Acknowledged writes survive a SIGKILL of the server: restart on the same database and read them back."""

from __future__ import annotations

import signal
import threading

import pytest

from kempelen.testing import LiveServer
from tests.databases import database_url


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
