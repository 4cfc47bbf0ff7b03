"""`kempelen project ...` and `kempelen batch ...`: the Requester website's workflow for those who script it,
against a running server, as the requester whose keys are in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

    kempelen project create --template page.html --properties props.json [--json]
    kempelen batch publish --project HITLAYOUTID --csv input.csv [--json]
    kempelen batch results BATCH_ID > results.csv
    kempelen batch review BATCH_ID --csv reviewed.csv
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kempelen.client import KempelenError
from kempelen.domain import batch_csv
from kempelen.requester_client import MissingCredentials, RequesterClient

BAR_WIDTH = 30


def _client(args) -> RequesterClient:
    return RequesterClient(getattr(args, "endpoint", None))


def _read(path: str, what: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise _Refused(f"cannot read the {what} {path}: {exc.strerror}") from None


class _Refused(Exception):
    """A problem found before asking the server, reported like the server's refusals."""


def _report_lines(exc: KempelenError) -> None:
    print(f"kempelen: {exc.code or exc.status}: {exc.message}", file=sys.stderr)
    for detail in exc.details:
        if isinstance(detail, dict) and "Line" in detail:
            print(f"  line {detail['Line']}: {detail['Message']}", file=sys.stderr)
        else:
            print(f"  {detail}", file=sys.stderr)


def _guarded(func):
    """Missing keys, unreadable files and CSV refusals end the command with a message and status 1."""
    def run(args) -> int:
        try:
            return func(args)
        except (MissingCredentials, _Refused) as exc:
            print(f"kempelen: {exc}", file=sys.stderr)
        except KempelenError as exc:
            _report_lines(exc)
        return 1
    return run


@_guarded
def cmd_project_create(args) -> int:
    template = _read(args.template, "template").decode("utf-8-sig", errors="replace")
    try:
        properties = json.loads(_read(args.properties, "properties file"))
    except ValueError as exc:
        raise _Refused(f"the properties file {args.properties} is not JSON: {exc}") from None
    project = _client(args).create_project(template, properties)
    if args.json:
        print(json.dumps({"HITLayoutId": project["HITLayoutId"]}))
    else:
        print(project["HITLayoutId"])
        names = ", ".join(project["HITLayoutParameterNames"]) or "none"
        print(f"  {project['Title']}: {project['Reward']} x {project['MaxAssignments']} assignments; "
              f"variables: {names}", file=sys.stderr)
    return 0


def _progress(batch: dict) -> None:
    done, total = batch["NumberOfHITsPublished"], batch["NumberOfRows"]
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    line = f"Publishing [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} HITs"
    end = "\n" if batch["Status"] != "Publishing" else ""
    print(("\r" if sys.stderr.isatty() else "") + line, end=end if sys.stderr.isatty() else "\n",
          file=sys.stderr, flush=True)


@_guarded
def cmd_batch_publish(args) -> int:
    raw = _read(args.csv, "CSV file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # the server could not be sent it as text: the same check, made here
        problems = batch_csv.read(raw, []).problems
        raise KempelenError(400, "AWS.MechanicalTurk.InvalidParameterValue", "The CSV file has problems.",
                            [{"Line": line, "Message": message} for line, message in problems]) from None
    client = _client(args)
    batch = client.create_batch(args.project, text, name=args.name)
    print(f"Batch {batch['BatchId']}: {batch['NumberOfRows']} HITs, {batch['RewardTotal']} in rewards + "
          f"{batch['FeesTotal']} fees = {batch['CostTotal']}", file=sys.stderr)
    batch = client.publish_batch(batch["BatchId"], limit=args.chunk, on_progress=_progress)
    if args.json:
        print(json.dumps({"BatchId": batch["BatchId"], "HITIds": client.batch_hit_ids(batch["BatchId"])}))
    else:
        print(batch["BatchId"])
    return 0


@_guarded
def cmd_batch_results(args) -> int:
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    try:
        for chunk in _client(args).batch_results(args.batch_id):
            out.write(chunk)
        out.flush()
    finally:
        if args.output:
            out.close()
    return 0


@_guarded
def cmd_batch_review(args) -> int:
    text = _read(args.csv, "CSV file").decode("utf-8-sig", errors="replace")
    outcomes = _client(args).review_batch(args.batch_id, text)
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


@_guarded
def cmd_batch_status(args) -> int:
    batch = _client(args).get_batch(args.batch_id)
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


@_guarded
def cmd_batch_cancel(args) -> int:
    print(_client(args).cancel_batch(args.batch_id)["Status"])
    return 0


@_guarded
def cmd_batch_extend(args) -> int:
    batch = _client(args).extend_batch(args.batch_id, seconds=args.seconds, assignments=args.assignments)
    print(f"{batch['AssignmentsTotal']} assignments, expires {batch['Expiration']}")
    return 0


def _endpoint(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", help="server URL (default: KEMPELEN_ENDPOINT or http://127.0.0.1:8000)")


def register_project(commands) -> None:
    group = commands.add_parser("project", help="projects (HIT layouts) of the requester whose keys are in "
                                                "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY")
    sub = group.add_subparsers(dest="project_command", required=True)
    create = sub.add_parser("create", help="make a project from an HTML template with ${variables}; prints its "
                                           "id, which is a HITLayoutId")
    create.add_argument("--template", required=True, metavar="FILE", help="the design layout (HTML)")
    create.add_argument("--properties", required=True, metavar="FILE",
                        help="JSON named as in CreateHIT: Title, Description, Reward, MaxAssignments, "
                             "AssignmentDurationInSeconds, LifetimeInSeconds, ...")
    create.add_argument("--json", action="store_true", help='print {"HITLayoutId": ...}')
    _endpoint(create)
    create.set_defaults(func=cmd_project_create)


def register_batch(commands) -> None:
    group = commands.add_parser("batch", help="batches of a project: publish a CSV, results, review")
    sub = group.add_subparsers(dest="batch_command", required=True)
    publish = sub.add_parser("publish", help="one HIT per CSV row; prints the batch id")
    publish.add_argument("--project", required=True, metavar="HITLAYOUTID")
    publish.add_argument("--csv", required=True, metavar="FILE", help="header naming the template's variables")
    publish.add_argument("--name", help="the batch's name (default: the project's)")
    publish.add_argument("--chunk", type=int, default=100, help="HITs per request (default 100)")
    publish.add_argument("--json", action="store_true", help='print {"BatchId": ..., "HITIds": [...]}')
    publish.set_defaults(func=cmd_batch_publish)
    results = sub.add_parser("results", help="the batch results CSV, in MTurk's format, to stdout")
    results.add_argument("batch_id", metavar="BATCH_ID")
    results.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    results.set_defaults(func=cmd_batch_results)
    review = sub.add_parser("review", help="approve (x in Approve) or reject (a reason in Reject) from a "
                                           "results CSV; prints what happened to each row")
    review.add_argument("batch_id", metavar="BATCH_ID")
    review.add_argument("--csv", required=True, metavar="FILE")
    review.add_argument("--json", action="store_true")
    review.set_defaults(func=cmd_batch_review)
    status = sub.add_parser("status", help="published / assigned / submitted / approved counts and expiration")
    status.add_argument("batch_id", metavar="BATCH_ID")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_batch_status)
    cancel = sub.add_parser("cancel", help="expire every HIT of the batch now")
    cancel.add_argument("batch_id", metavar="BATCH_ID")
    cancel.set_defaults(func=cmd_batch_cancel)
    extend = sub.add_parser("extend", help="more time and/or assignments for every HIT of the batch")
    extend.add_argument("batch_id", metavar="BATCH_ID")
    extend.add_argument("--seconds", type=int, default=0)
    extend.add_argument("--assignments", type=int, default=0)
    extend.set_defaults(func=cmd_batch_extend)
    for parser in (publish, results, review, status, cancel, extend):
        _endpoint(parser)


def main(argv: list[str] | None = None) -> int:
    """Runs the two groups on their own (until they join the `kempelen` command's groups)."""
    parser = argparse.ArgumentParser(prog="kempelen")
    commands = parser.add_subparsers(dest="command", required=True)
    register_project(commands)
    register_batch(commands)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
