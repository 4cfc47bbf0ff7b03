"""CreateHIT on PostgreSQL defers its key check to its first statement, and when that statement is the
whole unit (no token, no funds to hold, a HIT type the server remembers) makes it inside it: one round trip,
committed by itself (kempelen.store.db.WriteUnit.alone). Whatever path it takes, it answers as every write
does: a key switched off changes nothing, and a notification setting still gets its HITCreated queued."""

from __future__ import annotations

import psycopg
import pytest
from botocore.exceptions import ClientError

from tests.databases import live_server

QUESTION = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
            '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/task</ExternalURL>'
            '<FrameHeight>400</FrameHeight></ExternalQuestion>')
HIT = dict(Title="Deferred", Description="d", Reward="0.10", MaxAssignments=1, AssignmentDurationInSeconds=60,
           LifetimeInSeconds=600, Question=QUESTION)


@pytest.fixture(scope="module")
def server():
    with live_server("postgresql") as live:
        yield live


def _sql(server, statement: str, *arguments):
    with psycopg.connect(server.database_url, autocommit=True) as connection:
        return connection.execute(statement, arguments).fetchall()


def _hits_and_events(server, requester_id: str) -> tuple[int, int]:
    (hits,), = _sql(server, "SELECT count(*) FROM hit WHERE requester_id = %s", requester_id)
    (events,), = _sql(server, "SELECT count(*) FROM event WHERE requester_id = %s AND event_type = 'HITCreated'",
                      requester_id)
    return hits, events


def _refused_code(call, **arguments) -> str:
    with pytest.raises(ClientError) as refused:
        call(**arguments)
    return refused.value.response["Error"]["Code"]


def test_each_hit_comes_with_its_event(server):
    credentials = server.create_requester()
    mturk = server.client(credentials)
    # the type found by the second, remembered: the third is one statement
    made = [mturk.create_hit(**HIT)["HIT"]["HITId"] for _ in range(3)]
    assert _hits_and_events(server, credentials["AccessKeyId"]) == (3, 3)
    assert {mturk.get_hit(HITId=hit_id)["HIT"]["HITStatus"] for hit_id in made} == {"Assignable"}


@pytest.mark.parametrize("switched_off", ["active", "key_active"])
def test_a_key_switched_off_while_the_server_still_trusts_it_writes_nothing(server, switched_off):
    credentials = server.create_requester()
    key = credentials["AccessKeyId"]
    mturk = server.client(credentials)
    for _ in range(2):  # the account cached, its HIT type remembered: the next one would be one statement
        mturk.create_hit(**HIT)
    _sql(server, f"UPDATE requester SET {switched_off} = false WHERE access_key_id = %s RETURNING 1", key)
    assert _refused_code(mturk.create_hit, **HIT) == "UnrecognizedClientException"
    # refused for its key before its parameters are looked at, as a write whose check goes first is
    assert _refused_code(mturk.create_hit, **{**HIT, "LifetimeInSeconds": 1}) == "UnrecognizedClientException"
    assert _hits_and_events(server, key) == (2, 2)


def test_a_notification_setting_still_gets_every_hitcreated_queued(server):
    credentials = server.create_requester()
    mturk = server.client(credentials)
    type_id = mturk.create_hit_type(Title="Notified", Description="d", Reward="0.10",
                                    AssignmentDurationInSeconds=60)["HITTypeId"]
    mturk.create_hit_with_hit_type(HITTypeId=type_id, LifetimeInSeconds=600, Question=QUESTION)
    mturk.update_notification_settings(
        HITTypeId=type_id, Active=True,
        Notification={"Destination": "https://sqs.us-east-1.amazonaws.com/123456789012/kempelen-events",
                      "Transport": "SQS", "Version": "2006-05-05", "EventTypes": ["HITCreated"]})
    notified = [mturk.create_hit_with_hit_type(HITTypeId=type_id, LifetimeInSeconds=600,
                                               Question=QUESTION)["HIT"]["HITId"] for _ in range(2)]
    queued = _sql(server, "SELECT e.hit_id FROM notification_delivery d JOIN event e ON e.seq = d.event_seq "
                          "WHERE d.hit_type_id = %s AND d.event_type = 'HITCreated' ORDER BY d.seq", type_id)
    assert [hit_id for hit_id, in queued] == notified
    assert _hits_and_events(server, credentials["AccessKeyId"]) == (3, 3)
