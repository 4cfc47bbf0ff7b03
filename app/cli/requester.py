"""`kempelen requester ...`: requester accounts and their money."""

from __future__ import annotations

import json

from kempelen.cli import requester_logins
from kempelen.cli.common import (add_endpoint_options, add_offline_database_options, amount, client, example,
                            is_offline, note, print_json, redact, settings_from, signed_amount, table, utc)


def _create_in_database(args, password: str | None) -> dict:
    """Offline: straight into the named database, which must be the one the server uses."""
    from kempelen.clock import SystemClock
    from kempelen.errors import WorkerError
    from kempelen.operations.account import move_funds
    from kempelen.store import requesters
    from kempelen.store.db import Database
    from kempelen.store.migrate import upgrade

    settings = settings_from(args)
    db = Database(settings.database_url)
    # Only migrate: switching the development requester on or off is `serve`'s decision, from its own settings.
    upgrade(db)
    now = SystemClock().now()
    try:
        with db.transaction() as session:
            requester = requesters.create(session, now, name=args.name or "", mode=args.mode)
            if args.balance is not None:
                session.flush()  # the ledger entry refers to the requester's row
                move_funds(session, requester.access_key_id, args.balance, "opening balance", now)
            if args.login:
                session.flush()
                requester_logins.add_login(session, now, requester.access_key_id, args.login, password)
            credentials = {"AccessKeyId": requester.access_key_id,
                           "SecretAccessKey": requester.secret_access_key}
    except WorkerError as exc:  # e.g. a balance beyond what the ledger holds
        args.parser.error(exc.message)
    note(f"wrote the requester into the database {redact(settings.database_url)} directly (offline); "
         "only a server on that database knows it")
    return credentials


def cmd_requester_create(args) -> int:
    if len(args.name or "") > 200:
        args.parser.error("--name is at most 200 characters")
    if args.balance is not None and args.mode != "ledger":
        args.parser.error("--balance needs --mode ledger (a sandbox requester always has 10000.00)")
    password = requester_logins.check_create_options(args)
    if is_offline(args):
        credentials = _create_in_database(args, password)
    else:
        server = client(args)
        created = server.create_requester(args.name or "", args.mode, args.balance, login=args.login,
                                          password=password)
        credentials = {"AccessKeyId": created["AccessKeyId"], "SecretAccessKey": created["SecretAccessKey"]}
        note(f"created the requester on the server at {server.endpoint}")
    if args.json:
        print(json.dumps(credentials))
    else:
        print(f"AWS_ACCESS_KEY_ID={credentials['AccessKeyId']}\n"
              f"AWS_SECRET_ACCESS_KEY={credentials['SecretAccessKey']}")
    if args.login:
        note(f"{args.login.strip().lower()} signs in to the requester website at /requester/signin")
    return 0


def cmd_requester_list(args) -> int:
    found = client(args).requesters()
    if args.json:
        print_json({"Requesters": found})
    else:
        print(table([[r["AccessKeyId"], r["Mode"], "yes" if r["Active"] else "no", utc(r["CreationTime"]),
                      r["Name"]] for r in found], ["AccessKeyId", "Mode", "Active", "Created (UTC)", "Name"]))
    return 0


def _print_balance(balance: dict) -> None:
    print(f"AvailableBalance: {balance['AvailableBalance']}\nOnHoldBalance: {balance['OnHoldBalance']}")


def cmd_requester_fund(args) -> int:
    server = client(args)
    _print_balance(server.add_funds(args.access_key_id, args.amount, args.memo))
    note(f"moved the money on the server at {server.endpoint}")
    return 0


def cmd_requester_statement(args) -> int:
    statement = client(args).statement(args.access_key_id)
    if args.json:
        print_json(statement)
        return 0
    if statement["Lines"]:
        print(table([[utc(line["Time"]), line["Kind"], line["Amount"], line["Balance"], line["Memo"]]
                     for line in statement["Lines"]],
                    ["Time (UTC)", "Kind", "Amount", "Balance", "Memo"], right={2, 3}))
    else:
        print(f"No money has moved in {args.access_key_id}'s account.")
    print()
    _print_balance(statement)
    return 0


def register(commands) -> None:
    requester = commands.add_parser("requester", help="requester accounts",
                                    description="Requester accounts on the running server (admin API).",
                                    epilog=example("kempelen requester create --name lab",
                                                   "kempelen requester list")).add_subparsers(
        dest="requester_command", required=True)
    create = requester.add_parser("create", help="create a requester on the running server and print its key pair",
                                  description="Create a requester on the running server (admin API) and print "
                                              "its key pair; with --database-url or --data-dir, write it into "
                                              "that database directly instead (offline).",
                                  epilog=example("kempelen requester create --name lab",
                                                 "export $(kempelen requester create)   "
                                                 "# sets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"))
    create.add_argument("--name")
    create.add_argument("--mode", choices=["sandbox", "ledger"], default="sandbox",
                        help="sandbox (default): always 10000.00, nothing charged; ledger: charged as MTurk charged")
    create.add_argument("--balance", type=amount, metavar="AMOUNT",
                        help="with --mode ledger: the funds the account opens with, e.g. 100.00")
    create.add_argument("--json", action="store_true", help='print {"AccessKeyId": ..., "SecretAccessKey": ...}')
    add_endpoint_options(create)
    add_offline_database_options(create)
    create.set_defaults(func=cmd_requester_create, parser=create)
    requester_logins.register(requester, create)

    listing = requester.add_parser("list", help="list the running server's requesters (no secrets)",
                                   epilog=example("kempelen requester list --json"))
    listing.add_argument("--json", action="store_true", help="print the admin API's JSON")
    add_endpoint_options(listing)
    listing.set_defaults(func=cmd_requester_list)

    fund = requester.add_parser("fund", help="put money into a ledger-mode account on a running server; "
                                             "prints the balance",
                                epilog=example("kempelen requester fund AKIAEXAMPLE 25.00 --memo 'top-up'"))
    fund.add_argument("access_key_id", metavar="ACCESS_KEY_ID")
    fund.add_argument("amount", type=signed_amount, metavar="AMOUNT",
                      help="e.g. 25.00; negative (-5.00) takes money out")
    fund.add_argument("--memo", default="", help="shown on the statement")
    add_endpoint_options(fund)
    fund.set_defaults(func=cmd_requester_fund)

    statement = requester.add_parser("statement", help="a ledger-mode account's movements of money on a "
                                                       "running server, with the balance",
                                     epilog=example("kempelen requester statement AKIAEXAMPLE"))
    statement.add_argument("access_key_id", metavar="ACCESS_KEY_ID")
    statement.add_argument("--json", action="store_true", help="print the admin API's JSON")
    add_endpoint_options(statement)
    statement.set_defaults(func=cmd_requester_statement)
