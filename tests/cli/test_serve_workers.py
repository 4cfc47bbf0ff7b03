"""`kempelen serve --workers N`: N processes on one port and one database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kempelen.testing import LiveServer
from tests.commands import kempelen
from tests.databases import database_url

QUESTION = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
            'ExternalQuestion.xsd"><ExternalURL>https://example.org/task</ExternalURL>'
            '<FrameHeight>400</FrameHeight></ExternalQuestion>')


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")


def test_two_worker_processes_serve_one_database():
    with database_url("postgresql") as url, \
            LiveServer(url, clock="system", env={"KEMPELEN_WORKERS": "2"}, startup_timeout=120) as live:
        workers = [pid for pid in _children(live._process.pid) if "spawn_main" in _cmdline(pid)]
        assert len(workers) == 2
        mturk = live.client(live.create_requester())

        def create(n: int) -> str:
            return mturk.create_hit(Title=f"Task {n}", Description="d", Reward="0.10", MaxAssignments=1,
                                    AssignmentDurationInSeconds=60, LifetimeInSeconds=600,
                                    Question=QUESTION)["HIT"]["HITId"]

        with ThreadPoolExecutor(8) as pool:  # several connections, so both processes take some
            created = set(pool.map(create, range(24)))
        listed = {hit["HITId"] for hit in mturk.list_hits(MaxResults=100)["HITs"]}
        assert listed == created and len(created) == 24


def test_workers_refuse_the_manual_clock(tmp_path):
    done = kempelen("serve", "--workers", "2", "--clock", "manual", "--data-dir", str(tmp_path), timeout=60)
    assert done.returncode == 2
    assert "--workers needs --clock system" in done.stderr
