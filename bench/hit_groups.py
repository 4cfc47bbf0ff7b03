"""The worker site's HIT groups page with 100,000 HITs in 10,000 groups: server time per page.

    .venv/bin/python -m bench.hit_groups                      # 100,000 HITs in 10,000 groups
    .venv/bin/python -m bench.hit_groups --hits 10000 --groups 1000 --requests 100

`kempelen db upgrade` makes a fresh SQLite database; 10,000 HIT types (rewards, creation times and keywords
varied; one in ten with a QualificationRequirement guarding Accept, one in fifty guarding Discover) and
10 HITs each are bulk-inserted with the models' own tables; then `kempelen serve` (system clock) and the bare
FastAPI baseline (bench/bare.py) run side by side. A worker signs in (one-time link) and pages are asked one
at a time over a keep-alive connection: the first page in each order (newest, reward, HITs available), a
deep page (a cursor in the last tenth of the newest order), a keyword search, and "only ones I am qualified
for". The baseline answers the same number of requests (its POST /).

Server time per page = the server process's CPU time (/proc) over the requests, divided by their number;
the bare endpoint's figure, measured in alternating rounds, is the floor of an HTTP request on this machine.
Wall time per request is printed too. Goal: under 50 ms of server time per page.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import statistics
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, insert

from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_ADMIN_TOKEN
from kempelen.store import pagination
from kempelen.store.models import HIT, HITType
from bench import servers

GOAL_MS = 50.0
WORDS = ("image", "audio", "survey", "label", "transcribe", "sentiment", "receipt", "bird", "street", "medical",
         "translate", "caption", "video", "search", "relevance", "moderation")
QUESTION = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
            '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/task</ExternalURL>'
            '<FrameHeight>600</FrameHeight></ExternalQuestion>')


def _id(rng: random.Random, first: str = "3") -> str:
    return first + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(29))


def load(database_url: str, hits: int, groups: int, say) -> dict:
    rng = random.Random(10)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    per_group = hits // groups
    engine = create_engine(database_url)
    types, rows = [], []
    for number in range(groups):
        type_id = _id(rng)
        words = rng.sample(WORDS, 3)
        requirements = "[]"
        if number % 10 == 0:
            requirements = json.dumps([{"QualificationTypeId": "000000000000000000L0", "Comparator":
                                        "GreaterThanOrEqualTo", "IntegerValues": [99], "ActionsGuarded": "Accept"}])
        if number % 50 == 0:
            requirements = json.dumps([{"QualificationTypeId": "00000000000000000071", "Comparator": "EqualTo",
                                        "LocaleValues": [{"Country": "DE"}],
                                        "ActionsGuarded": "DiscoverPreviewAndAccept"}])
        created = now - timedelta(seconds=rng.randrange(30 * 86400))
        types.append({"hit_type_id": type_id, "hit_group_id": _id(rng), "requester_id": DEVELOPMENT_ACCESS_KEY_ID,
                      "fingerprint": f"{number:064x}", "title": f"{words[0].title()} task {number}: {words[1]}",
                      "description": f"A {words[1]} task about {words[2]}.", "keywords": ", ".join(words),
                      "reward_cents": rng.randrange(1, 500), "assignment_duration": 600, "auto_approval_delay": 3600,
                      "qualification_requirements": requirements,
                      "discover_guarded": number % 50 == 0, "created_at": created})
        for _ in range(per_group):
            rows.append({"hit_id": _id(rng), "requester_id": DEVELOPMENT_ACCESS_KEY_ID, "hit_type_id": type_id,
                         "creation_time": created, "expiration": now + timedelta(days=rng.randrange(1, 30)),
                         "max_assignments": 3, "initial_max_assignments": 3, "question": QUESTION,
                         "reviewing": False, "assignments_done": 0, "assignment_cost_cents": 0,
                         "expired_announced": False, "reviewable_announced": False})
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(insert(HITType.__table__), types)
        for start in range(0, len(rows), 20_000):
            connection.execute(insert(HIT.__table__), rows[start:start + 20_000])
    engine.dispose()
    seconds = time.perf_counter() - started
    say(f"  loaded {len(types):,} HIT types and {len(rows):,} HITs in {seconds:.1f} s")
    deep = sorted(types, key=lambda t: (t["created_at"], t["hit_type_id"]), reverse=True)[int(groups * 0.9)]
    return {"insert_s": round(seconds, 1), "deep_key": [deep["created_at"].isoformat(), deep["hit_type_id"]]}


class Client:
    """One keep-alive connection; GET or POST, the body read whole."""

    def __init__(self, port: int, cookie: str | None = None):
        self.connection = http.client.HTTPConnection(servers.HOST, port, timeout=60)
        self.cookie = cookie

    def _send(self, method: str, path: str, body: bytes | None, headers: dict) -> http.client.HTTPResponse:
        try:
            self.connection.request(method, path, body=body, headers=headers)
            return self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # the server closed an idle keep-alive connection (uvicorn: after 5 s): open a new one
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            return self.connection.getresponse()

    def get(self, path: str) -> tuple[int, bytes]:
        response = self._send("GET", path, None, {"Cookie": self.cookie} if self.cookie else {})
        return response.status, response.read()

    def post(self, path: str, body: bytes, headers: dict) -> tuple[int, bytes, http.client.HTTPResponse]:
        response = self._send("POST", path, body, headers)
        return response.status, response.read(), response


def sign_in(port: int) -> str:
    """A worker's session cookie, by the admin's one-time link (as a person clicking it)."""
    admin = Client(port)
    auth = {"Authorization": f"Bearer {DEVELOPMENT_ADMIN_TOKEN}", "Content-Type": "application/json"}
    _, body, _ = admin.post("/api/workers", b"{}", auth)
    worker_id = json.loads(body)["WorkerId"]
    _, body, _ = admin.post(f"/api/workers/{worker_id}/sign-in-link", b"", auth)
    link = json.loads(body)["SignInURL"].split(str(port), 1)[1]
    browser = Client(port)
    browser.connection.request("GET", link)
    response = browser.connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"kempelen_csrf=([^;]+)", response.getheader("set-cookie")).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    status, _, response = browser.post(link, f"csrf_token={token}".encode(), {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"kempelen_csrf={csrf_cookie}"})
    assert status == 303, status
    session = re.search(r"kempelen_session=([^;]+)", response.getheader("set-cookie")).group(1)
    return f"kempelen_session={session}"


def measure(server, call, requests: int) -> tuple[float, float]:
    """(server CPU ms per request, wall ms per request) over `requests` sequential calls."""
    cpu_before, wall_before = server.cpu_seconds(), time.perf_counter()
    for _ in range(requests):
        call()
    wall = (time.perf_counter() - wall_before) / requests * 1000
    return (server.cpu_seconds() - cpu_before) / requests * 1000, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hit_groups", description=__doc__.split("\n")[0])
    parser.add_argument("--hits", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60, help="requests per case and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    say = lambda text: print(text, flush=True)  # noqa: E731
    say(f"$ python -m bench.hit_groups --hits {args.hits} --groups {args.groups} --requests {args.requests} "
        f"--rounds {args.rounds}")
    workspace = servers.Workspace(keep=args.keep)
    try:
        data_dir, logs = workspace.sub("data"), workspace.sub("logs")
        url = f"sqlite:///{data_dir / 'kempelen.db'}"
        servers.migrate(url, data_dir)
        loaded = load(url, args.hits, args.groups, say)
        deep = pagination.encode("groups:newest", loaded["deep_key"])
        cases = {"first page, newest": "/projects", "first page, reward": "/projects?sort=reward",
                 "first page, HITs available": "/projects?sort=hits",
                 "deep page (last tenth), newest": f"/projects?next={deep}",
                 "search 'receipt'": "/projects?q=receipt", "qualified only": "/projects?qualified=on"}
        with servers.kempelen(url, data_dir, logs) as kempelen, servers.bare(logs) as bare:
            cookie = sign_in(kempelen.port)
            site, floor = Client(kempelen.port, cookie), Client(bare.port)
            for name, path in cases.items():  # warm-up, and every case must answer a page with groups
                started = time.perf_counter()
                status, body = site.get(path)
                if status != 200 or b'class="group"' not in body:
                    raise RuntimeError(f"{path}: {status} {body[:300]!r}")
                say(f"  warm-up {name}: {(time.perf_counter() - started) * 1000:.0f} ms")
            bare_body, bare_headers = b"{}", {"Content-Type": "application/json"}
            results = {name: [] for name in cases} | {"bare endpoint": []}
            for _ in range(args.rounds):  # alternate, so drift of this shared machine falls on both alike
                results["bare endpoint"].append(measure(bare, lambda: floor.post("/", bare_body, bare_headers),
                                                        args.requests))
                for name, path in cases.items():
                    results[name].append(measure(kempelen, lambda path=path: site.get(path), args.requests))
        floor_cpu = statistics.median(cpu for cpu, _ in results["bare endpoint"])
        say(f"\nHIT groups page, {args.hits:,} HITs in {args.groups:,} groups (SQLite), "
            f"{args.requests} requests x {args.rounds} rounds per case")
        say(f"{'case':34} {'server CPU ms/page':>19} {'wall ms':>8} {'x bare':>7}  goal <{GOAL_MS:.0f} ms")
        summary = {}
        for name, figures in results.items():
            cpu = statistics.median(c for c, _ in figures)
            wall = statistics.median(w for _, w in figures)
            verdict = "" if name == "bare endpoint" else ("met" if cpu < GOAL_MS else "MISSED")
            say(f"{name:34} {cpu:19.2f} {wall:8.2f} {cpu / floor_cpu:7.1f}  {verdict}")
            summary[name] = {"server_cpu_ms": round(cpu, 2), "wall_ms": round(wall, 2)}
        print(json.dumps({"loaded": loaded, "results": summary}))
    finally:
        workspace.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
