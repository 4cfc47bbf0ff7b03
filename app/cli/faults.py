"""`kempelen faults ...`: make a running server answer some requests with throttling, faults or delays."""

from __future__ import annotations

import json

from kempelen.cli.common import add_endpoint_options, client, print_json, share

EXAMPLE = """example:
  kempelen faults set --throttle 0.2                          # a fifth of all requests: ThrottlingException
  kempelen faults set --throttle 0.5 --operations CreateHIT,ListHITs --service-fault 0.05
  kempelen faults set --latency-ms 300 --operations GetHIT
  kempelen faults set --duplicate-notifications 1 --operations AssignmentSubmitted
  kempelen faults set --rules '[{"kind": "throttle", "share": 0.3, "seed": 7}]'
  kempelen faults show
  kempelen faults clear
"""


def _rules(args) -> list[dict]:
    if args.rules:
        try:
            rules = json.loads(args.rules)
        except ValueError as exc:
            args.parser.error(f"--rules is not JSON: {exc}")
        return rules if isinstance(rules, list) else [rules]
    operations = [name.strip() for name in args.operations.split(",")] if args.operations else None
    rules = []
    for kind, fraction in (("throttle", args.throttle), ("service-fault", args.service_fault),
                           ("duplicate-notification", args.duplicate_notifications)):
        if fraction is not None:
            rules.append({"kind": kind, "share": fraction, **({"operations": operations} if operations else {}),
                          **({"count": args.count} if args.count else {}),
                          **({"seed": args.seed} if args.seed is not None else {})})
    if args.latency_ms:
        rules.append({"kind": "latency", "latency_ms": args.latency_ms,
                      **({"operations": operations} if operations else {})})
    if not rules:
        args.parser.error("name a fault: --throttle, --service-fault, --latency-ms, --duplicate-notifications "
                          "or --rules")
    return rules


def _show(rules: list[dict]) -> None:
    if not rules:
        print("No faults: every request is answered normally.")
    for rule in rules:
        extra = f", {rule['latency_ms']} ms" if rule.get("latency_ms") else ""
        print(f"{rule['kind']} on {','.join(rule['operations'])}: share {rule['share']:g}{extra} "
              f"(seen {rule['seen']}, hit {rule['hits']})")


def cmd_faults(args) -> int:
    server = client(args)
    if args.faults_command == "set":
        rules = server.call("PUT", "/_kempelen/faults", {"Rules": _rules(args)})["Rules"]
    elif args.faults_command == "clear":
        server.call("DELETE", "/_kempelen/faults")
        rules = []
    else:
        rules = server.call("GET", "/_kempelen/faults")["Rules"]
    if getattr(args, "json", False):
        print_json(rules)
    else:
        _show(rules)
    return 0


def register(commands) -> None:
    faults = commands.add_parser("faults", help="answer some requests with throttling, faults or delays",
                                 epilog=EXAMPLE)
    sub = faults.add_subparsers(dest="faults_command", required=True, metavar="COMMAND")
    set_ = sub.add_parser("set", help="replace the fault rules", epilog=EXAMPLE)
    set_.add_argument("--throttle", type=share, metavar="SHARE", help="ThrottlingException (Rate exceeded)")
    set_.add_argument("--service-fault", type=share, metavar="SHARE", help="ServiceFault (HTTP 500)")
    set_.add_argument("--latency-ms", type=int, metavar="MS", help="delay each matching request")
    set_.add_argument("--duplicate-notifications", type=share, metavar="SHARE",
                      help="send delivered notifications twice")
    set_.add_argument("--operations", metavar="NAMES", help="comma-separated operations (EventTypes for "
                                                            "notifications); default all")
    set_.add_argument("--count", type=int, help="stop after this many hits")
    set_.add_argument("--seed", type=int, help="choose requests at random, reproducibly (default: evenly)")
    set_.add_argument("--rules", metavar="JSON", help="the rules as JSON instead (see GET /_kempelen/faults)")
    show = sub.add_parser("show", help="the rules in force, with what each has hit", epilog=EXAMPLE)
    clear = sub.add_parser("clear", help="no more faults", epilog=EXAMPLE)
    for parser in (set_, show, clear):
        parser.add_argument("--json", action="store_true")
        add_endpoint_options(parser)
        parser.set_defaults(func=cmd_faults, parser=parser)
