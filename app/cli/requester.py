"""`kempelen requester ...`: requester accounts and their money."""

from __future__ import annotations

import json

from kempelen.cli.common import (add_database_options, add_endpoint_options, amount, client, print_json,
                            settings_from, signed_amount, table, utc)


def cmd_requester_create(args) -> int:
    from kempelen.clock import SystemClock
    from kempelen.domain.money import parse_amount, to_cents
    from kempelen.store import ledger, requesters
    from kempelen.store.db import Database
    from kempelen.store.migrate import upgrade

    if args.balance is not None and args.mode != "ledger":
        args.parser.error("--balance needs --mode ledger (a sandbox requester always has 10000.00)")
    settings = settings_from(args)
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
    _print_balance(client(args).add_funds(args.access_key_id, args.amount, args.memo))
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
    requester = commands.add_parser("requester", help="requester accounts").add_subparsers(
        dest="requester_command", required=True)
    create = requester.add_parser("create", help="create a requester in the database and print its key pair")
    create.add_argument("--name")
    create.add_argument("--mode", choices=["sandbox", "ledger"], default="sandbox",
                        help="sandbox (default): always 10000.00, nothing charged; ledger: charged as MTurk charged")
    create.add_argument("--balance", type=amount, metavar="AMOUNT",
                        help="with --mode ledger: the funds the account opens with, e.g. 100.00")
    create.add_argument("--json", action="store_true", help='print {"AccessKeyId": ..., "SecretAccessKey": ...}')
    add_database_options(create)
    create.set_defaults(func=cmd_requester_create, parser=create)

    fund = requester.add_parser("fund", help="put money into a ledger-mode account on a running server; "
                                             "prints the balance")
    fund.add_argument("access_key_id", metavar="ACCESS_KEY_ID")
    fund.add_argument("amount", type=signed_amount, metavar="AMOUNT",
                      help="e.g. 25.00; negative (-5.00) takes money out")
    fund.add_argument("--memo", default="", help="shown on the statement")
    add_endpoint_options(fund)
    fund.set_defaults(func=cmd_requester_fund)

    statement = requester.add_parser("statement", help="a ledger-mode account's movements of money on a "
                                                       "running server, with the balance")
    statement.add_argument("access_key_id", metavar="ACCESS_KEY_ID")
    statement.add_argument("--json", action="store_true", help="print the admin API's JSON")
    add_endpoint_options(statement)
    statement.set_defaults(func=cmd_requester_statement)
