"""`kempelen worker ...`: act as a worker on a running server, through its worker API."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse
from pathlib import Path

from kempelen.cli import worker_site
from kempelen.cli.common import (add_endpoint_options, all_pages, client, example, note, print_json, shorten,
                                 table, utc)


def cmd_worker_create(args) -> int:
    password = worker_site.read_password() if args.password_stdin else None
    server = client(args)
    created = server.create_worker(args.worker_id, password)
    if args.json:
        print_json({"WorkerId": created["WorkerId"], "Token": created["Token"]})
    else:
        # WorkerId first, so `$(kempelen worker create | head -1)` is the id.
        print(f"{created['WorkerId']}\nKEMPELEN_WORKER_TOKEN={created['Token']}")
    note(f"created the worker on the server at {server.endpoint}")
    return 0


def cmd_worker_list(args) -> int:
    server = client(args)
    workers = all_pages(server.workers, "Workers")
    if args.json:
        print_json({"Workers": workers, "NumResults": len(workers), "NextToken": None})
    elif not workers:
        print("The server has no workers yet.")
    else:
        print(table([[w["WorkerId"], utc(w["CreationTime"])] for w in workers], ["WorkerId", "Created (UTC)"]))
    return 0


def cmd_worker_token(args) -> int:
    server = client(args)
    issued = server.reissue_token(args.worker)
    if args.json:
        print_json({"WorkerId": issued["WorkerId"], "Token": issued["Token"]})
    else:
        print(f"KEMPELEN_WORKER_TOKEN={issued['Token']}")
    note(f"re-issued the token on the server at {server.endpoint}; the old token no longer works")
    return 0


def cmd_worker_hits(args) -> int:
    server = client(args)
    hits = all_pages(lambda **page: server.hits(args.worker, **page), "HITs", hit_type_id=args.hit_type)
    if args.json:
        print_json({"HITs": hits, "NumResults": len(hits), "NextToken": None})
    elif not hits:
        print(f"No HITs are available to {args.worker}.")
    else:
        print(table([[h["HITId"], h["Reward"], shorten(h["Title"]), h["NumberOfAssignmentsAvailable"]]
                      for h in hits], ["HITId", "Reward", "Title", "Available"]))
    return 0


def cmd_worker_preview(args) -> int:
    hit = client(args).preview(args.worker, args.hit)
    if args.json:
        print_json(hit)
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
    server = client(args)
    assignment = (server.accept(args.worker, args.hit) if args.hit
                  else server.accept_next(args.worker, args.hit_type))
    if args.json:
        print_json(assignment)
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
    submitted = client(args).submit(args.worker, args.assignment, **_answers_argument(args))
    print(submitted["AssignmentStatus"])
    return 0


def cmd_worker_return(args) -> int:
    print(client(args).return_assignment(args.worker, args.assignment)["AssignmentStatus"])
    return 0


def cmd_worker_assignments(args) -> int:
    server = client(args)
    assignments = all_pages(lambda **page: server.assignments(args.worker, **page), "Assignments")
    if args.json:
        print_json({"Assignments": assignments, "NumResults": len(assignments), "NextToken": None})
    elif not assignments:
        print(f"{args.worker} has no assignments.")
    else:
        print(table([[a["AssignmentId"], a["HITId"], a["AssignmentStatus"], a["Reward"], shorten(a["Title"])]
                      for a in assignments], ["AssignmentId", "HITId", "Status", "Reward", "Title"]))
    return 0


def cmd_worker_show(args) -> int:
    worker = client(args).me(args.worker)
    if args.json:
        print_json(worker)
        return 0
    print(f"WorkerId: {worker['WorkerId']}")
    for name, value in worker["Statistics"].items():
        print(f"  {name}: {value}")
    return 0


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def cmd_worker_profile(args) -> int:
    server = client(args)
    country = args.country
    if args.subdivision is not None and country is None:
        # The API sets a Locale whole (Country and Subdivision): keep the worker's Country.
        country = server.get_worker(args.worker)["Locale"]["Country"]
    locale = None if country is None else {"Country": country, "Subdivision": args.subdivision}
    change = {key: value for key, value in (("Locale", locale), ("Adult", args.adult),
                                             ("Masters", args.masters), ("Email", args.email)) if value is not None}
    if not change:
        worker = server.get_worker(args.worker)
    else:
        worker = server.call("POST", f"/api/workers/{urllib.parse.quote(args.worker)}/profile", change)
    if args.json:
        print_json({key: worker[key] for key in ("WorkerId", "Locale", "Adult", "Masters", "Email")
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
    return all_pages(lambda **page: fetch(args.worker, **page), key)


def _score(qualification: dict | None) -> str:
    if qualification is None:
        return "-"
    if qualification["Status"] != "Granted":
        return qualification["Status"]
    value = qualification["IntegerValue"]
    return "Granted" if value is None else str(value)


def cmd_worker_qualification_types(args) -> int:
    types = _worker_pages(args, client(args).qualification_types, "QualificationTypes")
    if args.json:
        print_json({"QualificationTypes": types, "NumResults": len(types), "NextToken": None})
    elif not types:
        print("No qualification types can be requested.")
    else:
        rows = []
        for t in types:
            request = t["QualificationRequestStatus"] or "-"
            # RequestableAt is null while a request is open, and when the type allows no (further) request
            requestable = (utc(t["RequestableAt"]) if t["RequestableAt"]
                           else "-" if request in ("Pending", "TestStarted") else "never")
            rows.append([t["QualificationTypeId"], shorten(t["Name"], 32), "yes" if t["HasTest"] else "no",
                         request, _score(t["Qualification"]), requestable])
        print(table(rows, ["QualificationTypeId", "Name", "Test", "Request", "Score",
                                     "RequestableAt (UTC)"]))
    return 0


def cmd_worker_request_qualification(args) -> int:
    request = client(args).request_qualification(args.worker, args.type)
    if args.json:
        print_json(request)
        return 0
    print(request["Status"])
    if request["Status"] == "Granted" and request["Qualification"]["IntegerValue"] is not None:
        print(f"IntegerValue: {request['Qualification']['IntegerValue']}")
    if request.get("Test"):  # answer it with `kempelen worker answer-test --request ...`
        print(f"QualificationRequestId: {request['QualificationRequestId']}\n"
              f"TestDeadline: {request['TestDeadline']}\n{request['Test']}")
    return 0


def cmd_worker_answer_test(args) -> int:
    answered = client(args).answer_test(args.worker, args.request, **_answers_argument(args))
    print(answered["Status"])  # Granted (scored by the answer key) or Pending (for the type's owner)
    if answered["Qualification"] and answered["Qualification"]["IntegerValue"] is not None:
        print(f"IntegerValue: {answered['Qualification']['IntegerValue']}")
    return 0


def cmd_worker_qualifications(args) -> int:
    found = _worker_pages(args, client(args).qualifications, "Qualifications")
    if args.json:
        print_json({"Qualifications": found, "NumResults": len(found), "NextToken": None})
    elif not found:
        print(f"{args.worker} has no qualifications.")
    else:
        print(table([[q["QualificationTypeId"], shorten(q["Name"], 32), q["Status"],
                       "-" if q["IntegerValue"] is None else q["IntegerValue"], utc(q["GrantTime"])]
                      for q in found], ["QualificationTypeId", "Name", "Status", "IntegerValue", "GrantTime (UTC)"]))
    return 0


def cmd_worker_messages(args) -> int:
    found = _worker_pages(args, client(args).messages, "Messages")
    if args.json:
        print_json({"Messages": found, "NumResults": len(found), "NextToken": None})
    elif not found:
        print(f"{args.worker} has no messages.")
    else:
        print("\n\n".join(f"From: {m['RequesterId']}   Sent: {utc(m['SendTime'])} UTC\n"
                          f"Subject: {m['Subject']}\n{m['Body']}" for m in found))
    return 0


def register(commands) -> None:
    worker = commands.add_parser("worker", help="act as a worker on a running server (worker API)",
                                 description="Act as a worker on a running server, through its worker API "
                                             "with the admin token.",
                                 epilog=example("WORKER=$(kempelen worker create | head -1)",
                                                "kempelen worker hits --worker $WORKER"))
    sub = worker.add_subparsers(dest="worker_command", required=True, metavar="COMMAND")

    def command(name: str, func, help_: str, example_: str, *, worker_option: bool = True,
                json_option: bool = True):
        parser = sub.add_parser(name, help=help_, description=help_, epilog=example(example_))
        if worker_option:
            parser.add_argument("--worker", required=True, metavar="WORKER_ID")
        if json_option:
            parser.add_argument("--json", action="store_true", help="print the API's JSON")
        add_endpoint_options(parser)
        parser.set_defaults(func=func, parser=parser)
        return parser

    create = command("create", cmd_worker_create, "create a worker and print its WorkerId and API token",
                     "kempelen worker create --worker-id A1TESTWORKER", worker_option=False)
    create.add_argument("--worker-id", help='an id of your own ("A" + uppercase letters and digits); '
                                            "random otherwise")
    create.add_argument("--password-stdin", action="store_true",
                        help="read a password for the worker website from stdin (first line), e.g. "
                             "echo 'a long passphrase' | kempelen worker create --password-stdin")
    worker_site.register(command)

    hits = command("hits", cmd_worker_hits, "list the HITs the worker may take",
                   "kempelen worker hits --worker A1TESTWORKER")
    hits.add_argument("--hit-type", metavar="HITTYPE_ID", help="only HITs of this HIT type")

    preview = command("preview", cmd_worker_preview, "preview a HIT",
                      "kempelen worker preview --worker A1TESTWORKER --hit $HIT_ID")
    preview.add_argument("--hit", required=True, metavar="HITID")

    accept = command("accept", cmd_worker_accept, "accept a HIT (or the next HIT of a HIT type); "
                                                  "prints the AssignmentId",
                     "ASSIGNMENT=$(kempelen worker accept --worker A1TESTWORKER --hit $HIT_ID)")
    which = accept.add_mutually_exclusive_group(required=True)
    which.add_argument("--hit", metavar="HITID")
    which.add_argument("--hit-type", metavar="HITTYPE_OR_GROUP_ID")

    submit = command("submit", cmd_worker_submit, "submit an assignment's answers; prints its new status",
                     "kempelen worker submit --worker A1TESTWORKER --assignment $ASSIGNMENT --answer animal=cat",
                     json_option=False)
    submit.add_argument("--assignment", required=True, metavar="ASSIGNMENT_ID")
    answers = submit.add_mutually_exclusive_group(required=True)
    answers.add_argument("--answer", action="append", type=_answer_pair, metavar="NAME=VALUE",
                         help="repeatable; a NAME given several times is a list (several selections, or "
                              "free text joined with |)")
    answers.add_argument("--answers-file", metavar="FILE",
                         help="a JSON object of answers or a QuestionFormAnswers XML document (- for stdin)")

    return_ = command("return", cmd_worker_return, "give an accepted assignment back",
                      "kempelen worker return --worker A1TESTWORKER --assignment $ASSIGNMENT", json_option=False)
    return_.add_argument("--assignment", required=True, metavar="ASSIGNMENT_ID")

    command("assignments", cmd_worker_assignments, "list the worker's assignments",
            "kempelen worker assignments --worker A1TESTWORKER --json")
    command("show", cmd_worker_show, "show the worker's WorkerId and statistics",
            "kempelen worker show --worker A1TESTWORKER")

    profile = command("profile", cmd_worker_profile, "show or set what the system qualifications read: "
                                                     "Locale, Adult, Masters; and the worker's Email",
                      "kempelen worker profile --worker A1TESTWORKER --country US --adult")
    profile.add_argument("--country", metavar="CC", help="ISO 3166-1 alpha-2, e.g. US; replaces the whole "
                                                         "Locale (repeat --subdivision to keep one)")
    profile.add_argument("--subdivision", metavar="SS", help="ISO 3166-2 subdivision of the US, e.g. CA")
    profile.add_argument("--adult", action=argparse.BooleanOptionalAction)
    profile.add_argument("--masters", action=argparse.BooleanOptionalAction)
    profile.add_argument("--email", metavar="ADDRESS", help="where NotifyWorkers also mails the worker when the "
                                                            "server has an SMTP server; '' removes it")

    command("qualification-types", cmd_worker_qualification_types,
            "list the qualification types the worker may request, with its requests and scores",
            "kempelen worker qualification-types --worker A1TESTWORKER")
    request = command("request-qualification", cmd_worker_request_qualification,
                      "request a qualification; prints the request's status (and its test, if it has one)",
                      "kempelen worker request-qualification --worker A1TESTWORKER --type $QUALIFICATION_TYPE_ID")
    request.add_argument("--type", required=True, metavar="QUALIFICATION_TYPE_ID")

    answer = command("answer-test", cmd_worker_answer_test, "answer a qualification test; prints the request's "
                                                            "status",
                     "kempelen worker answer-test --worker A1TESTWORKER --request $REQUEST_ID --answer q1=b",
                     json_option=False)
    answer.add_argument("--request", required=True, metavar="QUALIFICATION_REQUEST_ID")
    answers = answer.add_mutually_exclusive_group(required=True)
    answers.add_argument("--answer", action="append", type=_answer_pair, metavar="NAME=VALUE",
                         help="repeatable; a NAME given several times is several selections")
    answers.add_argument("--answers-file", metavar="FILE",
                         help="a JSON object of answers or a QuestionFormAnswers XML document (- for stdin)")

    command("qualifications", cmd_worker_qualifications, "list the worker's qualifications and their values",
            "kempelen worker qualifications --worker A1TESTWORKER")
    command("messages", cmd_worker_messages, "the worker's inbox, oldest first",
            "kempelen worker messages --worker A1TESTWORKER")
    command("list", cmd_worker_list, "list the server's workers", "kempelen worker list | head -5",
            worker_option=False)
    command("token", cmd_worker_token, "re-issue a worker's lost API token (the old one stops working)",
            "kempelen worker token --worker A1TESTWORKER")
