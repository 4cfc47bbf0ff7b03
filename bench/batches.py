"""Batches: publishing a 10,000-row CSV against CreateHIT one call at a time, and exporting the results file
of 100,000 assignments (time and peak memory) against a plain dump of the same rows.

    .venv/bin/python -m bench.batches                   # 10,000 rows; 10,000 and 100,000 assignments
    .venv/bin/python -m bench.batches --quick           # 1,000 rows; 2,000 and 10,000 assignments
    .venv/bin/python -m bench.batches --database-url postgresql://postgres@127.0.0.1:5432/test

Publishing: `kempelen serve` in a child process (LiveServer, SQLite in a temporary directory unless a
PostgreSQL URL is given, in which case the database at that URL is used). The baseline, in the same run
against the same server: a script calling CreateHIT through boto3 once per row with the same layout
(HITLayoutId + HITLayoutParameters), sequentially, as a requester's own loop would. The batch goes through
`kempelen`'s requester routes as `kempelen batch publish` does: one upload, then publish calls of 500 HITs
each. The two alternate in 5 rounds (publish calls for 2,000 rows, then 200 CreateHIT calls, ...), so the
drift of a shared machine falls on both; rates are HITs over each side's summed time.

Export: the database is filled directly (bulk INSERTs of HITs, batch rows and assignments with
QuestionFormAnswers of two fields), then the results CSV is produced in-process by
`kempelen.operations.results.batch_results_csv` and written to /dev/null. Baseline: the same assignments
read with one SELECT (joined to their HITs) and written with csv.writer, no formatting. Peak memory is
tracemalloc's peak in a second pass (tracemalloc slows Python down, so times come from the first pass).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from kempelen import ids
from kempelen.config import Settings
from kempelen.operations.context import OperationContext
from kempelen.questions import Answer, write_question_form_answers
from kempelen.questions.layouts import build_question, parameters
from kempelen.store import requesters
from kempelen.store.db import Database
from kempelen.store.migrate import upgrade
from kempelen.store.models import HIT, Assignment, Batch, BatchRow, HITType, Project, Worker

TEMPLATE = ('<h3>${title}</h3><img src="${image_url}" alt=""><p>${text}</p>'
            '<label><input type="radio" name="label" value="yes">yes</label>'
            '<label><input type="radio" name="label" value="no">no</label><textarea name="comment"></textarea>')
PUBLISH_CHUNK = 500  # rows per publish request
ROUNDS = 5
PROPERTIES = {"Title": "Label the picture", "Description": "Say whether the picture matches the text.",
              "Reward": "0.05", "MaxAssignments": 1, "AssignmentDurationInSeconds": 600,
              "LifetimeInSeconds": 86400, "Keywords": "image, label"}


def _row(i: int) -> dict[str, str]:
    return {"title": f"Picture {i}", "image_url": f"https://example.org/images/{i:06d}.jpg",
            "text": f"A photo of item {i}, taken \"outdoors\" <maybe>"}


# --- publishing ------------------------------------------------------------------------------------------


def bench_publish(rows: int, baseline_calls: int, database_url: str | None, say) -> dict:
    import boto3

    from kempelen.requester_client import RequesterClient
    from kempelen.testing import LiveServer

    with LiveServer(database_url, clock="system") as live:
        keys = live.create_requester()
        client = RequesterClient(live.endpoint, keys["AccessKeyId"], keys["SecretAccessKey"])
        layout = client.create_project(TEMPLATE, PROPERTIES)["HITLayoutId"]
        mturk = boto3.client("mturk", endpoint_url=live.endpoint, region_name="us-east-1",
                             aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"])
        parameters = [[{"Name": k, "Value": v} for k, v in _row(i).items()] for i in range(baseline_calls)]
        lines = ["title,image_url,text"]
        for i in range(rows):
            lines.append(",".join('"' + v.replace('"', '""') + '"' for v in _row(i).values()))
        text = "\r\n".join(lines) + "\r\n"
        # The shared machine's speed drifts: batch chunks and CreateHIT calls alternate in ROUNDS rounds, and
        # each side's time is the sum of its own rounds.
        say(f"  batch of {rows} rows (chunks of {PUBLISH_CHUNK}) alternating with {baseline_calls} CreateHIT "
            f"calls, {ROUNDS} rounds ...")
        started = time.perf_counter()
        batch = client.create_batch(layout, text)
        uploaded = batch_seconds = time.perf_counter() - started
        baseline_seconds, done, call = 0.0, batch, 0
        per_round = -(-rows // (PUBLISH_CHUNK * ROUNDS))
        while done["Status"] != "Published":
            for _ in range(per_round):
                started = time.perf_counter()
                done = client.call("POST", f"/batches/{batch['BatchId']}/publish", query={"Limit": PUBLISH_CHUNK})
                batch_seconds += time.perf_counter() - started
                if done["Status"] == "Published":
                    break
            started = time.perf_counter()
            for _ in range(baseline_calls // ROUNDS):
                if call < baseline_calls:
                    mturk.create_hit(**PROPERTIES, HITLayoutId=layout, HITLayoutParameters=parameters[call])
                    call += 1
            baseline_seconds += time.perf_counter() - started
        assert done["NumberOfHITsPublished"] == rows, done
        baseline_calls = call
    create_rate, batch_rate = baseline_calls / baseline_seconds, rows / batch_seconds
    return {"rows": rows, "batch_seconds": round(batch_seconds, 2), "upload_seconds": round(uploaded, 2),
            "batch_hits_per_second": round(batch_rate, 1), "create_hit_calls": baseline_calls,
            "create_hit_seconds": round(baseline_seconds, 2),
            "create_hit_hits_per_second": round(create_rate, 1), "ratio": round(batch_rate / create_rate, 2)}


# --- export ----------------------------------------------------------------------------------------------


def seed_results(db: Database, hits: int, per_hit: int, *, now: datetime | None = None) -> tuple[str, int]:
    """A requester with one project and one published batch of `hits` HITs, each with `per_hit` submitted
    assignments by different workers. Returns (the requester's access key id, the batch id)."""
    now = now or datetime.now(timezone.utc)
    with db.transaction() as session:
        requester = requesters.create(session, now)
        session.flush()
        requester_id = requester.access_key_id
        project = Project(hit_layout_id=ids.entity_id(), requester_id=requester_id, name="bench",
                          template=TEMPLATE, parameters=json.dumps(parameters(TEMPLATE)), title=PROPERTIES["Title"],
                          description=PROPERTIES["Description"], keywords=PROPERTIES["Keywords"], reward_cents=5,
                          max_assignments=per_hit, assignment_duration=600, lifetime=86400,
                          auto_approval_delay=2592000, qualification_requirements="[]", frame_height=0,
                          created_at=now, updated_at=now)
        hit_type = HITType(hit_type_id=ids.entity_id(), hit_group_id=ids.entity_id(), requester_id=requester_id,
                           fingerprint=uuid.uuid4().hex, title=project.title, description=project.description,
                           keywords=project.keywords, reward_cents=5, assignment_duration=600,
                           auto_approval_delay=2592000, qualification_requirements="[]", created_at=now)
        session.add_all([project, hit_type])
        session.flush()
        batch = Batch(requester_id=requester_id, hit_layout_id=project.hit_layout_id, name="bench",
                      status="Published", input_columns=json.dumps(["title", "image_url", "text"]),
                      properties=json.dumps({**PROPERTIES, "MaxAssignments": per_hit, "QualificationRequirements": [],
                                             "AutoApprovalDelayInSeconds": 2592000, "RequesterAnnotation": None}),
                      row_count=hits, published_count=hits, hit_type_id=hit_type.hit_type_id, created_at=now,
                      published_at=now)
        session.add(batch)
        session.flush()
        requester_id, batch_id, layout_id, type_id = (requester_id, batch.batch_id, project.hit_layout_id,
                                                      hit_type.hit_type_id)
        worker_ids = [ids.worker_id() for _ in range(per_hit)]
        session.execute(insert(Worker), [{"worker_id": w, "token_sha256": uuid.uuid4().hex + uuid.uuid4().hex,
                                          "created_at": now} for w in worker_ids])
    answer = write_question_form_answers([Answer("label", free_text="yes"), Answer("comment", free_text="ok")])
    for start in range(0, hits, 2000):
        with db.transaction() as session:
            hit_rows, batch_rows, assignment_rows = [], [], []
            for i in range(start, min(start + 2000, hits)):
                hit_id = ids.entity_id()
                values = _row(i)
                hit_rows.append({"hit_id": hit_id, "requester_id": requester_id, "hit_type_id": type_id,
                                 "creation_time": now, "expiration": now + timedelta(days=1),
                                 "max_assignments": per_hit, "initial_max_assignments": per_hit,
                                 "question": build_question(TEMPLATE, values), "hit_layout_id": layout_id,
                                 "hit_layout_parameters": json.dumps(values), "reviewing": False,
                                 "assignments_done": per_hit, "assignment_cost_cents": 6})
                batch_rows.append({"batch_id": batch_id, "line_number": i + 2, "hit_id": hit_id,
                                   "values": json.dumps(list(values.values()))})
                for w, worker_id in enumerate(worker_ids):
                    accepted = now + timedelta(seconds=w)
                    assignment_rows.append({
                        "assignment_id": ids.entity_id(), "hit_id": hit_id, "worker_id": worker_id,
                        "status": "Submitted", "accept_time": accepted, "deadline": accepted + timedelta(minutes=10),
                        "submit_time": accepted + timedelta(seconds=30),
                        "auto_approval_time": accepted + timedelta(days=30), "answer": answer})
            session.execute(insert(HIT), hit_rows)
            session.execute(insert(BatchRow), batch_rows)
            session.execute(insert(Assignment), assignment_rows)
    return requester_id, batch_id


def _export(db: Database, requester_id: str, batch_id: int, now: datetime) -> int:
    from kempelen.operations.results import batch_results_csv

    size = 0
    with db.transaction(writes=False) as session, open(os.devnull, "w") as sink:
        requester = requesters.find_active(session, requester_id)
        ctx = OperationContext(session=session, requester=requester, now=now, request_id="bench",
                               settings=Settings())
        for text in batch_results_csv(ctx, batch_id):
            size += len(text)
            sink.write(text)
    return size


def _plain_dump(db: Database) -> int:
    size = 0
    with db.transaction(writes=False) as session, open(os.devnull, "w") as sink:
        writer = csv.writer(sink)
        query = select(HIT.hit_id, HIT.hit_type_id, HIT.creation_time, HIT.expiration, Assignment.assignment_id,
                       Assignment.worker_id, Assignment.status, Assignment.accept_time, Assignment.submit_time,
                       Assignment.answer).join(HIT, HIT.hit_id == Assignment.hit_id)
        for row in session.execute(query.execution_options(yield_per=1000)):
            writer.writerow(row)
            size += 1
    return size


def bench_export(sizes: list[int], per_hit: int, database_url: str | None, say) -> list[dict]:
    import gc

    figures = []
    for assignments in sizes:
        with tempfile.TemporaryDirectory(prefix="kempelen-bench-") as tmp:
            url = database_url or f"sqlite:///{tmp}/results.db"
            db = Database(url)
            upgrade(db)
            now = datetime.now(timezone.utc)
            say(f"  seeding {assignments} assignments ...")
            requester_id, batch_id = seed_results(db, assignments // per_hit, per_hit, now=now)
            gc.collect()
            started = time.perf_counter()
            size = _export(db, requester_id, batch_id, now)
            export_seconds = time.perf_counter() - started
            started = time.perf_counter()
            dumped = _plain_dump(db)
            dump_seconds = time.perf_counter() - started
            tracemalloc.start()
            _export(db, requester_id, batch_id, now)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            db.dispose()
            assert dumped == assignments
            figures.append({"assignments": assignments, "csv_megabytes": round(size / 1e6, 1),
                            "export_seconds": round(export_seconds, 2),
                            "rows_per_second": round(assignments / export_seconds),
                            "plain_dump_seconds": round(dump_seconds, 2),
                            "ratio_to_plain_dump": round(export_seconds / dump_seconds, 1),
                            "peak_traced_megabytes": round(peak / 1e6, 1)})
            if database_url:
                break  # a given database is filled once
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.batches", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("publish", "export"), help="one of the two")
    parser.add_argument("--database-url", help="an empty PostgreSQL database for both parts (default SQLite)")
    args = parser.parse_args(argv)
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    print("command:", " ".join(["python -m bench.batches", *(argv or sys.argv[1:])]))
    rows, calls = (1000, 300) if args.quick else (10_000, 1000)
    sizes = [2000, 10_000] if args.quick else [10_000, 100_000]
    result = {}
    if args.only in (None, "publish"):
        say("publish:")
        result["publish"] = bench_publish(rows, calls, args.database_url, say)
        print(json.dumps(result["publish"], indent=2))
    if args.only in (None, "export"):
        say("export:")
        result["export"] = bench_export(sizes, 5, args.database_url, say)
        print(json.dumps(result["export"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
