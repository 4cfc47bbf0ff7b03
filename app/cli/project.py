"""`kempelen project create`: a project (HIT layout) from an HTML template and CreateHIT-named properties,
against a running server, as the requester whose keys are in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
What `kempelen batch` shares with it (the signed client, reading files, refusals) lives here too.

    kempelen project create --template page.html --properties props.json [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kempelen.cli.common import example
from kempelen.client import KempelenError
from kempelen.requester_client import MissingCredentials, RequesterClient


def signed_client(args) -> RequesterClient:
    return RequesterClient(getattr(args, "endpoint", None))


def read_file(path: str, what: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise Refused(f"cannot read the {what} {path}: {exc.strerror}") from None


class Refused(Exception):
    """A problem found before asking the server, reported like the server's refusals."""


def report_lines(exc: KempelenError) -> None:
    print(f"kempelen: {exc.code or exc.status}: {exc.message}", file=sys.stderr)
    for detail in exc.details:
        if isinstance(detail, dict) and "Line" in detail:
            print(f"  line {detail['Line']}: {detail['Message']}", file=sys.stderr)
        else:
            print(f"  {detail}", file=sys.stderr)


def guarded(func):
    """Missing keys, unreadable files and CSV refusals end the command with a message and status 1."""
    def run(args) -> int:
        try:
            return func(args)
        except (MissingCredentials, Refused) as exc:
            print(f"kempelen: {exc}", file=sys.stderr)
        except KempelenError as exc:
            report_lines(exc)
        return 1
    return run


@guarded
def cmd_project_create(args) -> int:
    template = read_file(args.template, "template").decode("utf-8-sig", errors="replace")
    try:
        properties = json.loads(read_file(args.properties, "properties file"))
    except ValueError as exc:
        raise Refused(f"the properties file {args.properties} is not JSON: {exc}") from None
    project = signed_client(args).create_project(template, properties)
    if args.json:
        print(json.dumps({"HITLayoutId": project["HITLayoutId"]}))
    else:
        print(project["HITLayoutId"])
        names = ", ".join(project["HITLayoutParameterNames"]) or "none"
        print(f"  {project['Title']}: {project['Reward']} x {project['MaxAssignments']} assignments; "
              f"variables: {names}", file=sys.stderr)
    return 0


def add_endpoint(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", help="server URL (default: KEMPELEN_ENDPOINT or http://127.0.0.1:8000)")


CREATE_EXAMPLE = example("kempelen project create --template page.html --properties props.json --json")


def register(commands) -> None:
    group = commands.add_parser("project", help="projects (HIT layouts) of the requester whose keys are in "
                                                "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY", epilog=CREATE_EXAMPLE)
    sub = group.add_subparsers(dest="project_command", required=True)
    create = sub.add_parser("create", help="make a project from an HTML template with ${variables}; prints its "
                                           "id, which is a HITLayoutId", epilog=CREATE_EXAMPLE)
    create.add_argument("--template", required=True, metavar="FILE", help="the design layout (HTML)")
    create.add_argument("--properties", required=True, metavar="FILE",
                        help="JSON named as in CreateHIT: Title, Description, Reward, MaxAssignments, "
                             "AssignmentDurationInSeconds, LifetimeInSeconds, ...")
    create.add_argument("--json", action="store_true", help='print {"HITLayoutId": ...}')
    add_endpoint(create)
    create.set_defaults(func=cmd_project_create)
