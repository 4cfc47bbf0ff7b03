"""`kempelen batch ...`: publish a project's CSV (one HIT per row, with a progress bar), the results CSV in
MTurk's format, review from a filled-in results CSV, and a batch's status, cancel and extend; against a running
server, as the requester whose keys are in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

    kempelen batch publish --project HITLAYOUTID --csv input.csv [--json]
    kempelen batch results BATCH_ID > results.csv
    kempelen batch review BATCH_ID --csv reviewed.csv
"""

from __future__ import annotations

import json
import sys

from kempelen.cli.common import example
from kempelen.cli.project import add_endpoint, guarded, read_file, signed_client
from kempelen.client import KempelenError
from kempelen.domain import batch_csv

BAR_WIDTH = 30


def _progress(batch: dict) -> None:
    done, total = batch["NumberOfHITsPublished"], batch["NumberOfRows"]
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    line = f"Publishing [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} HITs"
    end = "\n" if batch["Status"] != "Publishing" else ""
    print(("\r" if sys.stderr.isatty() else "") + line, end=end if sys.stderr.isatty() else "\n",
          file=sys.stderr, flush=True)


@guarded
def cmd_batch_publish(args) -> int:
    raw = read_file(args.csv, "CSV file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # the server could not be sent it as text: the same check, made here
        problems = batch_csv.read(raw, []).problems
        raise KempelenError(400, "AWS.MechanicalTurk.InvalidParameterValue", "The CSV file has problems.",
                            [{"Line": line, "Message": message} for line, message in problems]) from None
    client = signed_client(args)
    batch = client.create_batch(args.project, text, name=args.name)
    print(f"Batch {batch['BatchId']}: {batch['NumberOfRows']} HITs, {batch['RewardTotal']} in rewards + "
          f"{batch['FeesTotal']} fees = {batch['CostTotal']}", file=sys.stderr)
    batch = client.publish_batch(batch["BatchId"], limit=args.chunk, on_progress=_progress)
    if args.json:
        print(json.dumps({"BatchId": batch["BatchId"], "HITIds": client.batch_hit_ids(batch["BatchId"])}))
    else:
        print(batch["BatchId"])
    return 0


@guarded
def cmd_batch_results(args) -> int:
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    try:
        for chunk in signed_client(args).batch_results(args.batch_id):
            out.write(chunk)
        out.flush()
    finally:
        if args.output:
            out.close()
    return 0


@guarded
def cmd_batch_review(args) -> int:
    text = read_file(args.csv, "CSV file").decode("utf-8-sig", errors="replace")
    outcomes = signed_client(args).review_batch(args.batch_id, text)
    if args.json:
        print(json.dumps({"Outcomes": outcomes}, indent=2))
    else:
        for o in outcomes:
            action = o["Action"] or "-"
            message = f"  {o['Message']}" if o["Message"] else ""
            print(f"line {o['Line']}\t{o['AssignmentId']}\t{action}\t{o['Result']}{message}")
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o["Result"]] = counts.get(o["Result"], 0) + 1
    print(", ".join(f"{n} {result}" for result, n in sorted(counts.items())) or "no rows", file=sys.stderr)
    return 1 if counts.get("Error") else 0


@guarded
def cmd_batch_status(args) -> int:
    batch = signed_client(args).get_batch(args.batch_id)
    if args.json:
        print(json.dumps(batch, indent=2))
    else:
        print(f"Batch {batch['BatchId']} ({batch['BatchName']}): {batch['Status']}, "
              f"{batch['NumberOfHITsPublished']}/{batch['NumberOfRows']} HITs published, expires "
              f"{batch['Expiration'] or '-'}\n  assignments: {batch['AssignmentsTotal']} in all, "
              f"{batch['AssignmentsAvailable']} available, {batch['AssignmentsPending']} assigned, "
              f"{batch['AssignmentsSubmitted']} submitted, {batch['AssignmentsApproved']} approved, "
              f"{batch['AssignmentsRejected']} rejected")
    return 0


@guarded
def cmd_batch_cancel(args) -> int:
    print(signed_client(args).cancel_batch(args.batch_id)["Status"])
    return 0


@guarded
def cmd_batch_extend(args) -> int:
    batch = signed_client(args).extend_batch(args.batch_id, seconds=args.seconds, assignments=args.assignments)
    print(f"{batch['AssignmentsTotal']} assignments, expires {batch['Expiration']}")
    return 0


def register(commands) -> None:
    group = commands.add_parser("batch", help="batches of a project: publish a CSV, results, review",
                                epilog=example("kempelen batch publish --project 3ABC... --csv input.csv",
                                               "kempelen batch results 12 > results.csv"))
    sub = group.add_subparsers(dest="batch_command", required=True)
    publish = sub.add_parser("publish", help="one HIT per CSV row; prints the batch id",
                             epilog=example("kempelen batch publish --project 3ABC... --csv input.csv --json"))
    publish.add_argument("--project", required=True, metavar="HITLAYOUTID")
    publish.add_argument("--csv", required=True, metavar="FILE", help="header naming the template's variables")
    publish.add_argument("--name", help="the batch's name (default: the project's)")
    publish.add_argument("--chunk", type=int, default=100, help="HITs per request (default 100)")
    publish.add_argument("--json", action="store_true", help='print {"BatchId": ..., "HITIds": [...]}')
    publish.set_defaults(func=cmd_batch_publish)
    results = sub.add_parser("results", help="the batch results CSV, in MTurk's format, to stdout",
                             epilog=example("kempelen batch results 12 > Batch_12_batch_results.csv"))
    results.add_argument("batch_id", metavar="BATCH_ID")
    results.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    results.set_defaults(func=cmd_batch_results)
    review = sub.add_parser("review", help="approve (x in Approve) or reject (a reason in Reject) from a "
                                           "results CSV; prints what happened to each row",
                            epilog=example("kempelen batch review 12 --csv reviewed.csv"))
    review.add_argument("batch_id", metavar="BATCH_ID")
    review.add_argument("--csv", required=True, metavar="FILE")
    review.add_argument("--json", action="store_true")
    review.set_defaults(func=cmd_batch_review)
    status = sub.add_parser("status", help="published / assigned / submitted / approved counts and expiration",
                            epilog=example("kempelen batch status 12 --json"))
    status.add_argument("batch_id", metavar="BATCH_ID")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_batch_status)
    cancel = sub.add_parser("cancel", help="expire every HIT of the batch now",
                            epilog=example("kempelen batch cancel 12"))
    cancel.add_argument("batch_id", metavar="BATCH_ID")
    cancel.set_defaults(func=cmd_batch_cancel)
    extend = sub.add_parser("extend", help="more time and/or assignments for every HIT of the batch",
                            epilog=example("kempelen batch extend 12 --seconds 86400 --assignments 2"))
    extend.add_argument("batch_id", metavar="BATCH_ID")
    extend.add_argument("--seconds", type=int, default=0)
    extend.add_argument("--assignments", type=int, default=0)
    extend.set_defaults(func=cmd_batch_extend)
    for parser in (publish, results, review, status, cancel, extend):
        add_endpoint(parser)
