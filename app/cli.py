"""`kempelen`: the server's one entry point, and the tools around it."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import sys
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path

from kempelen.client import DEFAULT_ENDPOINT, KempelenClient, KempelenError, Unreachable
from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY, Settings, default_database_url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _settings(args) -> Settings:
    settings = Settings()
    if getattr(args, "data_dir", None):
        settings.data_dir = Path(args.data_dir)
        if not os.environ.get("KEMPELEN_DATABASE_URL"):
            settings.database_url = default_database_url(settings.data_dir)
    if getattr(args, "database_url", None):
        settings.database_url = args.database_url
    if getattr(args, "clock", None):
        settings.clock = args.clock
    return settings


def cmd_serve(args) -> int:
    import uvicorn

    from kempelen.clock import make_clock
    from kempelen.main import create_app, prepare_database
    from kempelen.store.db import Database

    settings = _settings(args)
    if settings.development_credentials and not _is_loopback(args.host):
        print(f"kempelen: refusing to listen on {args.host} while the development credentials are enabled.\n"
              "Anyone who can reach the server could use them. Set KEMPELEN_DEVELOPMENT_CREDENTIALS=off, "
              "create a requester with `kempelen requester create`, and set KEMPELEN_ADMIN_TOKEN.",
              file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    clock = make_clock(settings.clock)
    prepare_database(settings, db, clock)
    endpoint = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
    print(f"Kempelen is serving the MTurk Requester API at {endpoint}", flush=True)
    print(f"  database: {_redact(settings.database_url)}   clock: {settings.clock}", flush=True)
    if settings.development_credentials:
        print(f"  development credentials:\n"
              f"    AWS_ACCESS_KEY_ID={DEVELOPMENT_ACCESS_KEY_ID}\n"
              f"    AWS_SECRET_ACCESS_KEY={DEVELOPMENT_SECRET_ACCESS_KEY}\n"
              f"  boto3.client('mturk', endpoint_url='{endpoint}', region_name='us-east-1')", flush=True)
    uvicorn.run(create_app(settings, db=db, clock=clock), host=args.host, port=args.port,
                log_level=args.log_level, access_log=args.access_log)
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def cmd_db_upgrade(args) -> int:
    from kempelen.clock import make_clock
    from kempelen.main import prepare_database
    from kempelen.store.db import Database

    settings = _settings(args)
    prepare_database(settings, Database(settings.database_url), make_clock("system"))
    print(f"database at head: {_redact(settings.database_url)}")
    return 0


AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")


def _amount(text: str) -> str:
    if not AMOUNT.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected an amount in dollars such as 25.00, got {text!r}")
    return text


def _signed_amount(text: str) -> str:
    """An amount of funds: negative takes money out of the account."""
    _amount(text.removeprefix("-"))
    return text


def cmd_requester_create(args) -> int:
    from kempelen.clock import SystemClock
    from kempelen.domain.money import parse_amount, to_cents
    from kempelen.store import ledger, requesters
    from kempelen.store.db import Database
    from kempelen.store.migrate import upgrade

    if args.balance is not None and args.mode != "ledger":
        args.parser.error("--balance needs --mode ledger (a sandbox requester always has 10000.00)")
    settings = _settings(args)
    db = Database(settings.database_url)
    # Only migrate: switching the development requester on or off is `serve`'s decision, from its own settings.
    upgrade(db)
    now = SystemClock().now()
    with db.transaction() as session:
        requester = requesters.create(session, now, name=args.name or "", mode=args.mode)
        if args.balance is not None:
            session.flush()  # the ledger entry refers to the requester's row
            ledger.add_funds(session, requester.access_key_id, to_cents(parse_amount(args.balance)),
                             "opening balance", now)
        credentials = {"AccessKeyId": requester.access_key_id, "SecretAccessKey": requester.secret_access_key}
    if args.json:
        print(json.dumps(credentials))
    else:
        print(f"AWS_ACCESS_KEY_ID={credentials['AccessKeyId']}\n"
              f"AWS_SECRET_ACCESS_KEY={credentials['SecretAccessKey']}")
    return 0


def _print_balance(balance: dict) -> None:
    print(f"AvailableBalance: {balance['AvailableBalance']}\nOnHoldBalance: {balance['OnHoldBalance']}")


def cmd_requester_fund(args) -> int:
    _print_balance(_client(args).add_funds(args.access_key_id, args.amount, args.memo))
    return 0


def _utc(text: str) -> str:
    when = datetime.fromisoformat(text)
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S")


def cmd_requester_statement(args) -> int:
    statement = _client(args).statement(args.access_key_id)
    if args.json:
        _print_json(statement)
        return 0
    if statement["Lines"]:
        print(_table([[_utc(line["Time"]), line["Kind"], line["Amount"], line["Balance"], line["Memo"]]
                      for line in statement["Lines"]],
                     ["Time (UTC)", "Kind", "Amount", "Balance", "Memo"], right={2, 3}))
    else:
        print(f"No money has moved in {args.access_key_id}'s account.")
    print()
    _print_balance(statement)
    return 0


def _client(args) -> KempelenClient:
    return KempelenClient(args.endpoint, args.admin_token)


def cmd_clock(args) -> int:
    client = _client(args)
    if args.clock_command == "advance":
        state = client.advance_clock(args.seconds)
    elif args.clock_command == "set":
        state = client.set_clock(args.when)
    else:
        state = client.clock()
    print(state["now"])
    return 0


# --- kempelen worker ... ------------------------------------------------------------------------------


def _print_json(value) -> None:
    print(json.dumps(value, indent=2))


def _all_pages(fetch, key: str, **filters) -> list[dict]:
    found, token = [], None
    while True:
        page = fetch(max_results=100, next_token=token, **filters)
        found += page[key]
        token = page.get("NextToken")
        if not page[key] or not token:
            return found


def _table(rows: list[list[str]], header: list[str], right: frozenset[int] | set[int] = frozenset()) -> str:
    """Columns padded to their widest cell; those numbered in `right` (amounts) aligned to the right."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    return "\n".join("  ".join(str(cell).rjust(width) if i in right else str(cell).ljust(width)
                               for i, (cell, width) in enumerate(zip(row, widths))).rstrip()
                     for row in [header, *rows])


def _shorten(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def cmd_worker_create(args) -> int:
    created = _client(args).create_worker(args.worker_id)
    if args.json:
        _print_json({"WorkerId": created["WorkerId"], "Token": created["Token"]})
    else:
        # WorkerId first, so `$(kempelen worker create | head -1)` is the id.
        print(f"{created['WorkerId']}\nKEMPELEN_WORKER_TOKEN={created['Token']}")
    return 0


def cmd_worker_hits(args) -> int:
    client = _client(args)
    hits = _all_pages(lambda **page: client.hits(args.worker, **page), "HITs", hit_type_id=args.hit_type)
    if args.json:
        _print_json({"HITs": hits, "NumResults": len(hits), "NextToken": None})
    elif not hits:
        print(f"No HITs are available to {args.worker}.")
    else:
        print(_table([[h["HITId"], h["Reward"], _shorten(h["Title"]), h["NumberOfAssignmentsAvailable"]]
                      for h in hits], ["HITId", "Reward", "Title", "Available"]))
    return 0


def cmd_worker_preview(args) -> int:
    hit = _client(args).preview(args.worker, args.hit)
    if args.json:
        _print_json(hit)
        return 0
    for label, key in (("HITId", "HITId"), ("HITTypeId", "HITTypeId"), ("Title", "Title"),
                       ("Description", "Description"), ("Reward", "Reward"), ("Status", "HITStatus"),
                       ("Available", "NumberOfAssignmentsAvailable"), ("Expiration", "Expiration"),
                       ("QuestionType", "QuestionType"), ("FrameURL", "FrameURL")):
        if hit.get(key) is not None:
            print(f"{label}: {hit[key]}")
    if hit.get("QuestionType") == "QuestionForm":  # no frame to open: the form itself is the task
        print(f"Question:\n{hit['Question']}")
    return 0


def cmd_worker_accept(args) -> int:
    client = _client(args)
    assignment = (client.accept(args.worker, args.hit) if args.hit
                  else client.accept_next(args.worker, args.hit_type))
    if args.json:
        _print_json(assignment)
    else:
        print(assignment["AssignmentId"])
    return 0


def _answer_pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _answers_from_pairs(pairs: list[tuple[str, str]]) -> dict:
    """A name given several times becomes a list: several selections, or free text joined with |."""
    answers: dict[str, str | list[str]] = {}
    for name, value in pairs:
        if name not in answers:
            answers[name] = value
        elif isinstance(answers[name], list):
            answers[name].append(value)
        else:
            answers[name] = [answers[name], value]
    return answers


def _read_answers_file(args) -> dict | str:
    """A JSON object of answers, or a QuestionFormAnswers document, told apart by the first character."""
    try:
        text = sys.stdin.read() if args.answers_file == "-" else Path(args.answers_file).read_text(encoding="utf-8")
    except OSError as exc:
        args.parser.error(f"cannot read the answers file: {exc}")
    start = text.lstrip()[:1]
    if start == "<":
        return text.lstrip()  # an XML declaration must come first
    if start != "{":
        args.parser.error(f"{args.answers_file} is neither a JSON object nor a QuestionFormAnswers document")
    try:
        return json.loads(text)
    except ValueError as exc:
        args.parser.error(f"{args.answers_file} is not valid JSON: {exc}")


def _answers_argument(args) -> dict:
    """The keyword the client takes for `--answer`s or `--answers-file`: answers= or question_form_answers=."""
    if not args.answers_file:
        return {"answers": _answers_from_pairs(args.answer)}
    answers = _read_answers_file(args)
    return {"question_form_answers": answers} if isinstance(answers, str) else {"answers": answers}


def cmd_worker_submit(args) -> int:
    submitted = _client(args).submit(args.worker, args.assignment, **_answers_argument(args))
    print(submitted["AssignmentStatus"])
    return 0


def cmd_worker_return(args) -> int:
    print(_client(args).return_assignment(args.worker, args.assignment)["AssignmentStatus"])
    return 0


def cmd_worker_assignments(args) -> int:
    client = _client(args)
    assignments = _all_pages(lambda **page: client.assignments(args.worker, **page), "Assignments")
    if args.json:
        _print_json({"Assignments": assignments, "NumResults": len(assignments), "NextToken": None})
    elif not assignments:
        print(f"{args.worker} has no assignments.")
    else:
        print(_table([[a["AssignmentId"], a["HITId"], a["AssignmentStatus"], a["Reward"], _shorten(a["Title"])]
                      for a in assignments], ["AssignmentId", "HITId", "Status", "Reward", "Title"]))
    return 0


def cmd_worker_show(args) -> int:
    worker = _client(args).me(args.worker)
    if args.json:
        _print_json(worker)
        return 0
    print(f"WorkerId: {worker['WorkerId']}")
    for name, value in worker["Statistics"].items():
        print(f"  {name}: {value}")
    return 0


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def cmd_worker_profile(args) -> int:
    client = _client(args)
    country = args.country
    if args.subdivision is not None and country is None:
        # The API sets a Locale whole (Country and Subdivision): keep the worker's Country.
        country = client.get_worker(args.worker)["Locale"]["Country"]
    locale = None if country is None else {"Country": country, "Subdivision": args.subdivision}
    change = {key: value for key, value in (("Locale", locale), ("Adult", args.adult),
                                             ("Masters", args.masters), ("Email", args.email)) if value is not None}
    if not change:
        worker = client.get_worker(args.worker)
    else:
        worker = client.call("POST", f"/api/workers/{urllib.parse.quote(args.worker)}/profile", change)
    if args.json:
        _print_json({key: worker[key] for key in ("WorkerId", "Locale", "Adult", "Masters", "Email")
                     if key in worker})
        return 0
    print(f"WorkerId: {worker['WorkerId']}\nCountry: {worker['Locale']['Country']}")
    if worker["Locale"].get("Subdivision"):
        print(f"Subdivision: {worker['Locale']['Subdivision']}")
    print(f"Adult: {_yes_no(worker['Adult'])}\nMasters: {_yes_no(worker['Masters'])}")
    if worker.get("Email"):
        print(f"Email: {worker['Email']}")
    return 0


def _worker_pages(args, fetch, key: str) -> list[dict]:
    return _all_pages(lambda **page: fetch(args.worker, **page), key)


def _score(qualification: dict | None) -> str:
    if qualification is None:
        return "-"
    if qualification["Status"] != "Granted":
        return qualification["Status"]
    value = qualification["IntegerValue"]
    return "Granted" if value is None else str(value)


def cmd_worker_qualification_types(args) -> int:
    types = _worker_pages(args, _client(args).qualification_types, "QualificationTypes")
    if args.json:
        _print_json({"QualificationTypes": types, "NumResults": len(types), "NextToken": None})
    elif not types:
        print("No qualification types can be requested.")
    else:
        rows = []
        for t in types:
            request = t["QualificationRequestStatus"] or "-"
            # RequestableAt is null while a request is open, and when the type allows no (further) request
            requestable = (_utc(t["RequestableAt"]) if t["RequestableAt"]
                           else "-" if request in ("Pending", "TestStarted") else "never")
            rows.append([t["QualificationTypeId"], _shorten(t["Name"], 32), "yes" if t["HasTest"] else "no",
                         request, _score(t["Qualification"]), requestable])
        print(_table(rows, ["QualificationTypeId", "Name", "Test", "Request", "Score",
                                     "RequestableAt (UTC)"]))
    return 0


def cmd_worker_request_qualification(args) -> int:
    request = _client(args).request_qualification(args.worker, args.type)
    if args.json:
        _print_json(request)
        return 0
    print(request["Status"])
    if request["Status"] == "Granted" and request["Qualification"]["IntegerValue"] is not None:
        print(f"IntegerValue: {request['Qualification']['IntegerValue']}")
    if request.get("Test"):  # answer it with `kempelen worker answer-test --request ...`
        print(f"QualificationRequestId: {request['QualificationRequestId']}\n"
              f"TestDeadline: {request['TestDeadline']}\n{request['Test']}")
    return 0


def cmd_worker_answer_test(args) -> int:
    answered = _client(args).answer_test(args.worker, args.request, **_answers_argument(args))
    print(answered["Status"])  # Granted (scored by the answer key) or Pending (for the type's owner)
    if answered["Qualification"] and answered["Qualification"]["IntegerValue"] is not None:
        print(f"IntegerValue: {answered['Qualification']['IntegerValue']}")
    return 0


def cmd_worker_qualifications(args) -> int:
    found = _worker_pages(args, _client(args).qualifications, "Qualifications")
    if args.json:
        _print_json({"Qualifications": found, "NumResults": len(found), "NextToken": None})
    elif not found:
        print(f"{args.worker} has no qualifications.")
    else:
        print(_table([[q["QualificationTypeId"], _shorten(q["Name"], 32), q["Status"],
                       "-" if q["IntegerValue"] is None else q["IntegerValue"], _utc(q["GrantTime"])]
                      for q in found], ["QualificationTypeId", "Name", "Status", "IntegerValue", "GrantTime (UTC)"]))
    return 0


def cmd_worker_messages(args) -> int:
    found = _worker_pages(args, _client(args).messages, "Messages")
    if args.json:
        _print_json({"Messages": found, "NumResults": len(found), "NextToken": None})
    elif not found:
        print(f"{args.worker} has no messages.")
    else:
        print("\n\n".join(f"From: {m['RequesterId']}   Sent: {_utc(m['SendTime'])} UTC\n"
                          f"Subject: {m['Subject']}\n{m['Body']}" for m in found))
    return 0


def _report_refusal(exc: KempelenError) -> None:
    if exc.code:
        print(f"kempelen: {exc.code}: {exc.message}", file=sys.stderr)
    else:
        print(f"kempelen: the server refused ({exc.status}): {exc.message}", file=sys.stderr)
    for detail in exc.details:
        if isinstance(detail, dict) and {"QuestionIdentifier", "Reason"} <= detail.keys():
            print(f"  {detail['QuestionIdentifier']}: {detail['Reason']}", file=sys.stderr)
        else:
            print(f"  {json.dumps(detail) if not isinstance(detail, str) else detail}", file=sys.stderr)


def _add_database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: KEMPELEN_DATABASE_URL or SQLite "
                                               "in the data directory)")
    parser.add_argument("--data-dir", help="where SQLite and files live (default: KEMPELEN_DATA_DIR or ./data)")


def _add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", help=f"server URL (default: KEMPELEN_ENDPOINT or {DEFAULT_ENDPOINT})")
    parser.add_argument("--admin-token", help="admin token (default: KEMPELEN_ADMIN_TOKEN, else the "
                                              "development token)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kempelen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", default=os.environ.get("KEMPELEN_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("KEMPELEN_PORT", "8000")))
    serve.add_argument("--clock", choices=["system", "manual"], help="manual: time moves only when told")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    _add_database_options(serve)
    serve.set_defaults(func=cmd_serve)

    db = commands.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True)
    db_upgrade = db.add_parser("upgrade", help="apply migrations")
    _add_database_options(db_upgrade)
    db_upgrade.set_defaults(func=cmd_db_upgrade)

    requester = commands.add_parser("requester", help="requester accounts").add_subparsers(
        dest="requester_command", required=True)
    create = requester.add_parser("create", help="create a requester in the database and print its key pair")
    create.add_argument("--name")
    create.add_argument("--mode", choices=["sandbox", "ledger"], default="sandbox",
                        help="sandbox (default): always 10000.00, nothing charged; ledger: charged as MTurk charged")
    create.add_argument("--balance", type=_amount, metavar="AMOUNT",
                        help="with --mode ledger: the funds the account opens with, e.g. 100.00")
    create.add_argument("--json", action="store_true", help='print {"AccessKeyId": ..., "SecretAccessKey": ...}')
    _add_database_options(create)
    create.set_defaults(func=cmd_requester_create, parser=create)

    fund = requester.add_parser("fund", help="put money into a ledger-mode account on a running server; "
                                             "prints the balance")
    fund.add_argument("access_key_id", metavar="ACCESS_KEY_ID")
    fund.add_argument("amount", type=_signed_amount, metavar="AMOUNT",
                      help="e.g. 25.00; negative (-5.00) takes money out")
    fund.add_argument("--memo", default="", help="shown on the statement")
    _add_endpoint_options(fund)
    fund.set_defaults(func=cmd_requester_fund)

    statement = requester.add_parser("statement", help="a ledger-mode account's movements of money on a "
                                                       "running server, with the balance")
    statement.add_argument("access_key_id", metavar="ACCESS_KEY_ID")
    statement.add_argument("--json", action="store_true", help="print the admin API's JSON")
    _add_endpoint_options(statement)
    statement.set_defaults(func=cmd_requester_statement)

    clock = commands.add_parser("clock", help="read or move a running server's manual clock")
    clock_commands = clock.add_subparsers(dest="clock_command", required=True)
    show = clock_commands.add_parser("show")
    advance = clock_commands.add_parser("advance")
    advance.add_argument("seconds", type=float)
    set_ = clock_commands.add_parser("set")
    set_.add_argument("when", help="ISO 8601 with a time zone, e.g. 2027-01-01T00:00:00Z")
    for sub in (show, advance, set_):
        _add_endpoint_options(sub)
        sub.set_defaults(func=cmd_clock)

    _add_worker_commands(commands)
    return parser


def _add_worker_commands(commands) -> None:
    worker = commands.add_parser("worker", help="act as a worker on a running server (worker API)",
                                 description="Act as a worker on a running server, through its worker API "
                                             "with the admin token.")
    sub = worker.add_subparsers(dest="worker_command", required=True, metavar="COMMAND")

    def command(name: str, func, help_: str, *, worker_option: bool = True, json_option: bool = True):
        parser = sub.add_parser(name, help=help_, description=help_)
        if worker_option:
            parser.add_argument("--worker", required=True, metavar="WORKER_ID")
        if json_option:
            parser.add_argument("--json", action="store_true", help="print the API's JSON")
        _add_endpoint_options(parser)
        parser.set_defaults(func=func, parser=parser)
        return parser

    create = command("create", cmd_worker_create, "create a worker and print its WorkerId and API token",
                     worker_option=False)
    create.add_argument("--worker-id", help='an id of your own ("A" + uppercase letters and digits); '
                                            "random otherwise")

    hits = command("hits", cmd_worker_hits, "list the HITs the worker may take")
    hits.add_argument("--hit-type", metavar="HITTYPE_ID", help="only HITs of this HIT type")

    preview = command("preview", cmd_worker_preview, "preview a HIT")
    preview.add_argument("--hit", required=True, metavar="HITID")

    accept = command("accept", cmd_worker_accept, "accept a HIT (or the next HIT of a HIT type); "
                                                  "prints the AssignmentId")
    which = accept.add_mutually_exclusive_group(required=True)
    which.add_argument("--hit", metavar="HITID")
    which.add_argument("--hit-type", metavar="HITTYPE_OR_GROUP_ID")

    submit = command("submit", cmd_worker_submit, "submit an assignment's answers; prints its new status",
                     json_option=False)
    submit.add_argument("--assignment", required=True, metavar="ASSIGNMENT_ID")
    answers = submit.add_mutually_exclusive_group(required=True)
    answers.add_argument("--answer", action="append", type=_answer_pair, metavar="NAME=VALUE",
                         help="repeatable; a NAME given several times is a list (several selections, or "
                              "free text joined with |)")
    answers.add_argument("--answers-file", metavar="FILE",
                         help="a JSON object of answers or a QuestionFormAnswers XML document (- for stdin)")

    return_ = command("return", cmd_worker_return, "give an accepted assignment back", json_option=False)
    return_.add_argument("--assignment", required=True, metavar="ASSIGNMENT_ID")

    command("assignments", cmd_worker_assignments, "list the worker's assignments")
    command("show", cmd_worker_show, "show the worker's WorkerId and statistics")

    profile = command("profile", cmd_worker_profile, "show or set what the system qualifications read: "
                                                     "Locale, Adult, Masters; and the worker's Email")
    profile.add_argument("--country", metavar="CC", help="ISO 3166-1 alpha-2, e.g. US; replaces the whole "
                                                         "Locale (repeat --subdivision to keep one)")
    profile.add_argument("--subdivision", metavar="SS", help="ISO 3166-2 subdivision of the US, e.g. CA")
    profile.add_argument("--adult", action=argparse.BooleanOptionalAction)
    profile.add_argument("--masters", action=argparse.BooleanOptionalAction)
    profile.add_argument("--email", metavar="ADDRESS", help="where NotifyWorkers also mails the worker when the "
                                                            "server has an SMTP server; '' removes it")

    command("qualification-types", cmd_worker_qualification_types,
            "list the qualification types the worker may request, with its requests and scores")
    request = command("request-qualification", cmd_worker_request_qualification,
                      "request a qualification; prints the request's status (and its test, if it has one)")
    request.add_argument("--type", required=True, metavar="QUALIFICATION_TYPE_ID")

    answer = command("answer-test", cmd_worker_answer_test, "answer a qualification test; prints the request's "
                                                            "status", json_option=False)
    answer.add_argument("--request", required=True, metavar="QUALIFICATION_REQUEST_ID")
    answers = answer.add_mutually_exclusive_group(required=True)
    answers.add_argument("--answer", action="append", type=_answer_pair, metavar="NAME=VALUE",
                         help="repeatable; a NAME given several times is several selections")
    answers.add_argument("--answers-file", metavar="FILE",
                         help="a JSON object of answers or a QuestionFormAnswers XML document (- for stdin)")

    command("qualifications", cmd_worker_qualifications, "list the worker's qualifications and their values")
    command("messages", cmd_worker_messages, "the worker's inbox, oldest first")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KempelenError as exc:
        _report_refusal(exc)
    except Unreachable as exc:
        print(f"kempelen: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
