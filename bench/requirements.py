"""Benchmark 4: what QualificationRequirements cost a worker's listing (GET /api/worker/hits).

Two SQLite databases are built in the same run, alike but for the requirements: `kempelen db upgrade`, then
through `kempelen serve` 50 custom qualification types (CreateQualificationType), one worker (POST
/api/workers) granted half of them (AssociateQualificationWithWorker), and 1,000 HIT types (CreateHITType,
so the app itself stores `qualification_requirements` and computes `discover_guarded`); then 100,000 HITs
spread over those types in one shuffled order are bulk-inserted with the INSERT SQLAlchemy compiles for the
real `hit` table. In the `requirements` database every HIT type carries a mix of system requirements
(Worker_PercentAssignmentsApproved, Worker_Locale, Worker_NumberHITsApproved, a few Masters) and custom
ones, each guarding Accept, PreviewAndAccept or DiscoverPreviewAndAccept (a third each); in `none` the
same types carry none. The worker is a fresh one (no approved HITs, not Masters, locale US), so the
listing has to hide the types whose DiscoverPreviewAndAccept requirements it fails.

Both servers run at once; pages are timed one request at a time with the worker's own token, the two
databases interleaved in rounds: the first page, pages reached by walking NextToken, and a whole walk of the
first pages. The walked pages are checked against the database and a sample against GetHIT plus the
worker's own values (its profile and granted qualifications, as the worker API reports them), evaluated
here independently of the server's code.
"""

from __future__ import annotations

import http.client
import json
import random
import sqlite3
import statistics
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.dialects import sqlite as sqlite_dialect

from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_ADMIN_TOKEN
from kempelen.domain.money import assignment_cost_cents
from kempelen.store.models import HIT
from bench import loadgen, servers, workload
from bench.listing import _hit_id, _stats

RATIO_GOAL = 2.0  # listing with requirements within 2x of the same listing without
BATCH = 50_000
DATABASES = ("requirements", "none")

# System qualification type ids (MTurk's, spec §9.1)
PERCENT_APPROVED = "000000000000000000L0"
LOCALE = "00000000000000000071"
NUMBER_APPROVED = "00000000000000000040"
MASTERS = "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH"
GUARDS = ("Accept", "PreviewAndAccept", "DiscoverPreviewAndAccept")


@dataclass
class Settings:
    hit_types: int = 1_000
    hits: int = 100_000
    custom_types: int = 50
    granted: int = 25                 # custom types granted to the worker
    page_size: int = 100
    pages: tuple[int, ...] = (10, 50)  # deeper pages timed, reached by walking NextToken (1 = first page)
    walk_pages: int = 20               # pages in one timed walk
    rounds: int = 4
    warmup: float = 0.5
    duration: float = 40.0             # at most, per page case and database, over all rounds
    max_requests: int = 60             # per page case and database, over all rounds
    walks: int = 4                     # timed walks per database, over all rounds
    samples: int = 40                  # GetHIT cross-checks: listed HITs, and as many of hidden types
    seed: int = 4


# --- what gets created ------------------------------------------------------------------------------------


def requirement_specs(settings: Settings) -> list[list[dict]]:
    """Per HIT type, its QualificationRequirements with custom types named by index ("custom", i)."""
    rng = random.Random(settings.seed)
    specs = []
    for _ in range(settings.hit_types):
        chosen: list[dict] = []
        if rng.random() < 0.7:
            chosen.append({"QualificationTypeId": PERCENT_APPROVED, "Comparator": "GreaterThanOrEqualTo",
                           "IntegerValues": [95]})
        if rng.random() < 0.5:
            chosen.append({"QualificationTypeId": LOCALE, "Comparator": "In",
                           "LocaleValues": [{"Country": c} for c in ("US", "CA", "GB")]})
        if rng.random() < 0.25:
            chosen.append({"QualificationTypeId": NUMBER_APPROVED, "Comparator": "GreaterThan",
                           "IntegerValues": [100]})
        if rng.random() < 0.03:
            chosen.append({"QualificationTypeId": MASTERS, "Comparator": "Exists"})
        for custom in rng.sample(range(settings.custom_types), rng.choice((0, 1, 1, 2))):
            if rng.random() < 0.3:
                chosen.append({"QualificationTypeId": ("custom", custom), "Comparator": "Exists"})
            else:
                chosen.append({"QualificationTypeId": ("custom", custom), "Comparator": "GreaterThanOrEqualTo",
                               "IntegerValues": [rng.choice((50, 60, 70, 80))]})
        if not chosen:
            chosen.append({"QualificationTypeId": PERCENT_APPROVED, "Comparator": "GreaterThanOrEqualTo",
                           "IntegerValues": [95]})
        for requirement in chosen:
            requirement["ActionsGuarded"] = rng.choice(GUARDS)
        specs.append(chosen)
    return specs


def _resolved(spec: list[dict], custom_ids: list[str]) -> list[dict]:
    return [dict(r, QualificationTypeId=custom_ids[r["QualificationTypeId"][1]])
            if isinstance(r["QualificationTypeId"], tuple) else dict(r) for r in spec]


def _admin(endpoint: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(endpoint + path, method=method, data=None if body is None else
                                     json.dumps(body).encode(), headers={
                                         "Authorization": f"Bearer {DEVELOPMENT_ADMIN_TOKEN}",
                                         "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _as_worker(endpoint: str, token: str, path: str) -> dict:
    request = urllib.request.Request(endpoint + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _populate(server: servers.ChildServer, settings: Settings, specs: list[list[dict]] | None) -> dict:
    """Through the API: custom types, the worker and its grants, the HIT types (with `specs`, or none)."""
    mturk = workload.client(server.endpoint)
    rng = random.Random(settings.seed + 1)
    custom_ids = [mturk.create_qualification_type(
        Name=f"Bench skill {i}", Description="A skill score for the listing benchmark.", Keywords="bench",
        QualificationTypeStatus="Active")["QualificationType"]["QualificationTypeId"]
        for i in range(settings.custom_types)]
    worker = _admin(server.endpoint, "POST", "/api/workers", {})
    for i in sorted(rng.sample(range(settings.custom_types), settings.granted)):
        mturk.associate_qualification_with_worker(QualificationTypeId=custom_ids[i], WorkerId=worker["WorkerId"],
                                                  IntegerValue=rng.randrange(30, 101), SendNotification=False)

    def create(index: int) -> str:
        params = dict(Title=f"{workload.TITLE} #{index}", Description=workload.DESCRIPTION,
                      Reward=workload.REWARD, AssignmentDurationInSeconds=workload.ASSIGNMENT_DURATION,
                      AutoApprovalDelayInSeconds=workload.AUTO_APPROVAL_DELAY, Keywords=workload.KEYWORDS)
        if specs is not None:
            params["QualificationRequirements"] = _resolved(specs[index], custom_ids)
        return mturk.create_hit_type(**params)["HITTypeId"]

    with ThreadPoolExecutor(4) as pool:  # the order of creation does not matter; HITs reference by index
        type_ids = list(pool.map(create, range(settings.hit_types)))
    masters = [bool(specs) and any(r["QualificationTypeId"] == MASTERS for r in specs[i])
               for i in range(settings.hit_types)]
    return {"custom_ids": custom_ids, "worker_id": worker["WorkerId"], "token": worker["Token"],
            "type_ids": type_ids, "masters": masters}


def bulk_load(database_path: Path, type_ids: list[str], masters: list[bool], order: list[int]) -> dict:
    """One HIT per entry of `order` (an index into `type_ids`), all live and Assignable, inserted while the
    server runs (WAL, so its readers are not disturbed) with the server's own column encodings."""
    dialect = sqlite_dialect.dialect()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    constant = {"requester_id": DEVELOPMENT_ACCESS_KEY_ID, "creation_time": now - timedelta(minutes=30),
                "expiration": now + timedelta(days=7), "max_assignments": workload.MAX_ASSIGNMENTS,
                "initial_max_assignments": workload.MAX_ASSIGNMENTS, "question": workload.EXTERNAL_QUESTION,
                "reviewing": False, "assignments_done": 0, "expired_announced": False,
                "reviewable_announced": False}
    table = HIT.__table__
    per_row = ("hit_id", "hit_type_id", "assignment_cost_cents")
    compiled = insert(table).compile(dialect=dialect, column_keys=[*per_row, *constant])
    # the compiled INSERT orders columns as the table does and adds every column with a Python default
    if set(compiled.positiontup) != {*per_row, *constant}:
        raise RuntimeError(f"the hit table has columns this loader does not set: {compiled.positiontup}")
    sql = str(compiled)
    processed = {}
    for name, value in constant.items():
        processor = table.c[name].type.bind_processor(dialect)
        processed[name] = processor(value) if processor else value
    slots = [per_row.index(name) if name in per_row else None for name in compiled.positiontup]
    fixed = [None if slot is not None else processed[name] for name, slot in zip(compiled.positiontup, slots)]

    def row(own: tuple) -> tuple:
        return tuple(own[slot] if slot is not None else value for slot, value in zip(slots, fixed))

    cost = {flag: assignment_cost_cents(workload.REWARD_CENTS, max_assignments=workload.MAX_ASSIGNMENTS,
                                        masters=flag) for flag in (False, True)}
    started = time.perf_counter()
    connection = sqlite3.connect(database_path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA foreign_keys=ON")
        for start in range(0, len(order), BATCH):
            connection.execute("BEGIN")
            connection.executemany(sql, [row((_hit_id(), type_ids[i], cost[masters[i]]))
                                         for i in order[start:start + BATCH]])
            connection.execute("COMMIT")
        seconds = time.perf_counter() - started
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        total = connection.execute("SELECT count(*) FROM hit").fetchone()[0]
    finally:
        connection.close()
    if total != len(order):
        raise RuntimeError(f"bulk load: {total} HITs (wanted {len(order)})")
    return {"hits": total, "insert_s": round(seconds, 2)}


# --- the worker's side, evaluated here ---------------------------------------------------------------------


def worker_values(endpoint: str, token: str) -> dict:
    """What the worker API says about the worker: statistics, locale, Masters, granted custom scores."""
    me = _as_worker(endpoint, token, "/api/worker")
    custom, query = {}, "MaxResults=100"
    while True:  # bounded by the worker's qualifications (50 at most here)
        page = _as_worker(endpoint, token, "/api/worker/qualifications?" + query)
        custom.update({q["QualificationTypeId"]: q.get("IntegerValue") for q in page["Qualifications"]
                       if q["Status"] == "Granted"})
        if not page["NumResults"] or not page.get("NextToken"):
            break
        query = "MaxResults=100&NextToken=" + urllib.parse.quote(page["NextToken"])
    stats = me["Statistics"]
    # MTurk reported 100% approved until a worker had 100 submissions
    percent = 100 if stats["NumberOfAssignmentsSubmitted"] < 100 else stats["PercentAssignmentsApproved"]
    return {"approved": stats["NumberOfAssignmentsApproved"], "percent": percent,
            "country": me["Locale"]["Country"], "masters": me["Masters"], "custom": custom}


def meets(requirement: dict, values: dict) -> bool:
    """The comparators this benchmark uses, nothing more."""
    type_id, comparator = requirement["QualificationTypeId"], requirement["Comparator"]
    wanted = (requirement.get("IntegerValues") or [None])[0]
    if type_id == PERCENT_APPROVED and comparator == "GreaterThanOrEqualTo":
        return values["percent"] >= wanted
    if type_id == NUMBER_APPROVED and comparator == "GreaterThan":
        return values["approved"] > wanted
    if type_id == LOCALE and comparator == "In":
        return values["country"] in {v["Country"] for v in requirement["LocaleValues"]}
    if type_id == MASTERS and comparator == "Exists":
        return values["masters"]
    if comparator == "Exists":
        return type_id in values["custom"]
    if comparator == "GreaterThanOrEqualTo":
        score = values["custom"].get(type_id)
        return score is not None and score >= wanted
    raise ValueError(f"not used by this benchmark: {requirement}")


def discoverable(requirements: list[dict], values: dict) -> bool:
    return all(meets(r, values) for r in requirements if r.get("ActionsGuarded") == "DiscoverPreviewAndAccept")


# --- one database -----------------------------------------------------------------------------------------


def _prepare(name: str, settings: Settings, specs, order: list[int], workspace: servers.Workspace, say) -> dict:
    directory = workspace.sub(f"requirements-{name}")
    database_path = directory / "kempelen.db"
    database_url = f"sqlite:///{database_path}"
    servers.migrate(database_url, directory)
    server = servers.kempelen(database_url, directory, directory).start()
    try:
        clock = time.monotonic()
        made = _populate(server, settings, specs if name == "requirements" else None)
        created_s = time.monotonic() - clock
        loaded = bulk_load(database_path, made["type_ids"], made["masters"], order)
        say(f"  {name}: {settings.custom_types} qualification types, 1 worker ({settings.granted} granted), "
            f"{settings.hit_types:,} HIT types through the API in {created_s:.1f} s; {loaded['hits']:,} HITs "
            f"bulk-inserted in {loaded['insert_s']} s")
    except BaseException:
        server.stop()
        raise
    return {"name": name, "server": server, "path": database_path, "load": loaded, "setup_s": round(created_s, 1),
            **made}


def _stored_types(path: Path) -> dict[str, tuple[list[dict], bool]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {type_id: (json.loads(requirements), bool(guarded)) for type_id, requirements, guarded in
                connection.execute("SELECT hit_type_id, qualification_requirements, discover_guarded FROM hit_type")}
    finally:
        connection.close()


def _hits_through(path: Path, last_seq: int) -> list[tuple[str, str]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT hit_id, hit_type_id FROM hit WHERE seq <= ? ORDER BY seq",
                                  (last_seq,)).fetchall()
    finally:
        connection.close()


def _request(server: servers.ChildServer, token: str, next_token: str | None, page_size: int) -> bytes:
    query = f"MaxResults={page_size}" + (f"&NextToken={urllib.parse.quote(next_token)}" if next_token else "")
    return (f"GET /api/worker/hits?{query} HTTP/1.1\r\nHost: {server.host_header}\r\n"
            f"Authorization: Bearer {token}\r\n\r\n").encode()


def walk(server: servers.ChildServer, token: str, pages: int, page_size: int) -> tuple[float, list[dict]]:
    """A worker's walk over the first `pages` pages by NextToken: seconds taken, and the pages."""
    connection = http.client.HTTPConnection(servers.HOST, server.port, timeout=120)
    got, next_token = [], None
    try:
        started = time.perf_counter()
        for _ in range(pages):
            query = f"MaxResults={page_size}" + (f"&NextToken={urllib.parse.quote(next_token)}" if next_token else "")
            connection.request("GET", "/api/worker/hits?" + query, headers={"Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"GET /api/worker/hits: HTTP {response.status}: {body[:300]!r}")
            page = json.loads(body)
            got.append({"token": next_token, **page})
            next_token = page.get("NextToken")
            if not page["NumResults"] or not next_token:
                break
        return time.perf_counter() - started, got
    finally:
        connection.close()


def verify(item: dict, walked: list[dict], settings: Settings) -> dict:
    """The walked pages hold exactly the HITs of discoverable types up to the last one listed (checked
    against the database and this module's own evaluation of the worker's values), and a sample of listed
    HITs and of HITs of hidden types agrees with GetHIT."""
    values = worker_values(item["server"].endpoint, item["token"])
    stored = _stored_types(item["path"])
    guarded_wrong = [t for t, (reqs, guarded) in stored.items()
                     if guarded != any(r.get("ActionsGuarded") == "DiscoverPreviewAndAccept" for r in reqs)]
    hidden = {t for t, (reqs, _) in stored.items() if not discoverable(reqs, values)}
    listed = [(hit["HITId"], hit["HITTypeId"]) for page in walked for hit in page["HITs"]]
    last_seq = _seq_of(item["path"], listed[-1][0])
    expected = [(hit_id, type_id) for hit_id, type_id in _hits_through(item["path"], last_seq)
                if type_id not in hidden]
    mturk = workload.client(item["server"].endpoint)
    rng = random.Random(settings.seed + 2)
    hidden_hits = _hits_of_types(item["path"], hidden, settings.samples, rng)
    sample_listed = rng.sample(listed, min(settings.samples, len(listed)))
    wrong_listed = [h for h, _ in sample_listed
                    if not discoverable(mturk.get_hit(HITId=h)["HIT"].get("QualificationRequirements", []), values)]
    wrong_hidden = [h for h in hidden_hits
                    if discoverable(mturk.get_hit(HITId=h)["HIT"].get("QualificationRequirements", []), values)]
    seen_types = {t for _, t in listed}
    return {"hit_types": len(stored), "hidden_types": len(hidden), "discover_guarded_types":
            sum(1 for _, guarded in stored.values() if guarded), "discover_guarded_mismatches": len(guarded_wrong),
            "walked_hits": len(listed), "walked_types": len(seen_types), "hidden_types_listed":
            len(seen_types & hidden), "walk_matches_database": listed == expected,
            "missing_from_walk": len(set(expected) - set(listed)), "extra_in_walk": len(set(listed) - set(expected)),
            "gethit_listed_checked": len(sample_listed), "gethit_listed_not_discoverable": wrong_listed,
            "gethit_hidden_checked": len(hidden_hits), "gethit_hidden_but_discoverable": wrong_hidden,
            "worker": {k: v for k, v in values.items() if k != "custom"} | {"custom_granted": len(values["custom"])}}


def _seq_of(path: Path, hit_id: str) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT seq FROM hit WHERE hit_id = ?", (hit_id,)).fetchone()[0]
    finally:
        connection.close()


def _hits_of_types(path: Path, type_ids: set[str], how_many: int, rng: random.Random) -> list[str]:
    chosen = rng.sample(sorted(type_ids), min(how_many, len(type_ids)))
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [connection.execute("SELECT hit_id FROM hit WHERE hit_type_id = ? ORDER BY seq LIMIT 1",
                                   (type_id,)).fetchone()[0] for type_id in chosen]
    finally:
        connection.close()


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _ok(check: dict) -> bool:
    return (check["walk_matches_database"] and not check["gethit_listed_not_discoverable"]
            and not check["gethit_hidden_but_discoverable"] and not check["discover_guarded_mismatches"]
            and not check["hidden_types_listed"])


# --- the run ----------------------------------------------------------------------------------------------


def run(settings: Settings, workspace: servers.Workspace, say) -> dict:
    specs = requirement_specs(settings)
    order = [i % settings.hit_types for i in range(settings.hits)]
    random.Random(settings.seed).shuffle(order)
    prepared: list[dict] = []
    try:
        for name in DATABASES:
            prepared.append(_prepare(name, settings, specs, order, workspace, say))
        deepest = max(settings.pages + (settings.walk_pages,))
        cases: dict[str, dict[str, bytes]] = {}
        verification, walks_untimed = {}, {}
        for item in prepared:
            seconds, walked = walk(item["server"], item["token"], deepest, settings.page_size)
            walks_untimed[item["name"]] = {"pages": len(walked), "seconds": round(seconds, 2)}
            if len(walked) < deepest:
                raise RuntimeError(f"{item['name']}: the listing has only {len(walked)} pages")
            verification[item["name"]] = check = verify(item, walked, settings)
            say(f"  {item['name']}: walked {len(walked)} pages ({check['walked_hits']:,} HITs of "
                f"{check['walked_types']} types) in {seconds:.1f} s; {check['hidden_types']} of "
                f"{check['hit_types']} types hidden from the worker; checks {'passed' if _ok(check) else 'FAILED'}")
            for page in ("first", *settings.pages):
                number = 1 if page == "first" else page
                label = "first page" if page == "first" else f"page {page}"
                cases.setdefault(label, {})[item["name"]] = _request(
                    item["server"], item["token"], walked[number - 1]["token"], settings.page_size)

        samples: dict[tuple[str, str], list[float]] = {}
        per_round: dict[tuple[str, str], list[float | None]] = {}
        errors: dict[tuple[str, str], int] = {}
        walk_case = f"walk of {settings.walk_pages} pages"
        share = settings.duration / settings.rounds
        per_round_requests = max(1, settings.max_requests // settings.rounds)
        walks_per_round = max(1, settings.walks // settings.rounds)
        say(f"  {settings.rounds} interleaved rounds: per page case and database {share:.1f} s or "
            f"{per_round_requests} requests, one at a time; {walks_per_round} walks of {settings.walk_pages} pages")
        for round_number in range(settings.rounds):
            for label, by_database in cases.items():
                for item in prepared:
                    server = item["server"]
                    result = loadgen.run_load(servers.HOST, server.port, [by_database[item["name"]]], concurrency=1,
                                              warmup=settings.warmup if round_number == 0 else settings.warmup / 4,
                                              duration=share, max_requests=per_round_requests, label=label)
                    key = (label, item["name"])
                    samples.setdefault(key, []).extend(result.latencies_ms)
                    per_round.setdefault(key, []).append(None if result.p50 is None else round(result.p50, 3))
                    errors[key] = errors.get(key, 0) + result.errors
                    if result.first_error:
                        say(f"    {label} @ {item['name']}: first error: {result.first_error}")
            for item in prepared:
                key = (walk_case, item["name"])
                times = [walk(item["server"], item["token"], settings.walk_pages, settings.page_size)[0] * 1000
                         for _ in range(walks_per_round)]
                samples.setdefault(key, []).extend(times)
                per_round.setdefault(key, []).append(round(statistics.median(times), 3))
            say(f"  round {round_number + 1}: " + ", ".join(
                f"{label} " + "/".join(_ms(per_round[(label, name)][-1]) for name in DATABASES)
                for label in (*cases, walk_case)) + " ms (p50 requirements/none)")
    finally:
        for item in prepared:
            item["server"].stop()

    results = {}
    for label in (*cases, walk_case):
        entry = {name: {**_stats(samples[(label, name)]), "errors": errors.get((label, name), 0),
                        "p50_per_round_ms": per_round[(label, name)]} for name in DATABASES}
        with_, without = entry["requirements"], entry["none"]
        entry["ratio_p50"] = round(with_["p50_ms"] / without["p50_ms"], 3)
        entry["ratio_p99"] = round(with_["p99_ms"] / without["p99_ms"], 3)
        entry["ratio_per_round"] = [round(a / b, 3) for a, b in zip(with_["p50_per_round_ms"],
                                                                     without["p50_per_round_ms"]) if a and b]
        entry["goal"] = {"ratio_at_most": RATIO_GOAL, "met": entry["ratio_p50"] <= RATIO_GOAL}
        results[label] = entry
    return {"settings": {"hit_types": settings.hit_types, "hits": settings.hits, "custom_types": settings.custom_types,
                         "granted": settings.granted, "page_size": settings.page_size, "pages": list(settings.pages),
                         "walk_pages": settings.walk_pages, "rounds": settings.rounds, "duration_s": settings.duration,
                         "max_requests": settings.max_requests, "walks": settings.walks, "seed": settings.seed},
            "setup": {item["name"]: {"load": item["load"], "api_setup_s": item["setup_s"],
                                     "untimed_walk": walks_untimed.get(item["name"])} for item in prepared},
            "verification": verification, "verified": all(_ok(v) for v in verification.values()),
            "cases": results}
