"""`kempelen reset` and `kempelen snapshot ...`: state controls of a running server, for tests and CI."""

from __future__ import annotations

import argparse
import sys
import urllib.parse

from kempelen.cli.common import add_endpoint_options, client, print_json, table, utc

RESET_EXAMPLE = """examples:
  kempelen reset                                  # every requester's HITs, assignments, ... (keys stay)
  kempelen reset --requester AKIAKEMPELENDEVELOP1 # one requester's
  kempelen reset --everything                     # accounts too (the development requester comes back)
"""
SNAPSHOT_EXAMPLE = """examples:
  kempelen snapshot save seeded       # the whole database (and a manual clock's time)
  kempelen snapshot restore seeded    # back to it, between tests
  kempelen snapshot list
"""


def cmd_reset(args) -> int:
    server = client(args)
    body = {"everything": args.everything, **({"requester": args.requester} if args.requester else {})}
    deleted = server.call("POST", "/_kempelen/reset", body)["Deleted"]
    scope = f"requester {args.requester}" if args.requester else "every requester"
    what = "everything" if args.everything else f"the activity of {scope}"
    print(f"reset {what} on {server.endpoint}: {sum(deleted.values())} rows", file=sys.stderr)
    if deleted:
        print(table([[name, count] for name, count in sorted(deleted.items())], ["table", "rows deleted"],
                    right={1}))
    return 0


def cmd_snapshot(args) -> int:
    server = client(args)
    command = args.snapshot_command
    if command == "list":
        found = server.call("GET", "/_kempelen/snapshots")["Snapshots"]
        if args.json:
            print_json(found)
        elif not found:
            print(f"No snapshots on {server.endpoint}.")
        else:
            print(table([[s["Name"], utc(s["Created"]), utc(s["Clock"]) if s["Clock"] else "-", s["SchemaRevision"]]
                         for s in found], ["Name", "Created (UTC)", "Clock (UTC)", "Schema"]))
        return 0
    path = f"/_kempelen/snapshots/{urllib.parse.quote(args.name, safe='')}"
    if command == "save":
        server.call("PUT", path)
        print(f"saved snapshot {args.name} of {server.endpoint}")
    elif command == "restore":
        restored = server.call("POST", path + "/restore")
        clock = f" (clock back at {restored['Clock']})" if restored.get("Clock") else ""
        print(f"restored snapshot {args.name} on {server.endpoint}{clock}")
    else:
        server.call("DELETE", path)
        print(f"deleted snapshot {args.name} of {server.endpoint}")
    return 0


def register(commands) -> None:
    reset = commands.add_parser("reset", help="empty a running server's HITs, assignments, qualifications, ...",
                                description="Empty the HITs, HIT types, assignments, qualifications, bonuses and "
                                            "messages of every requester (or one); access keys and workers stay "
                                            "unless --everything.", epilog=RESET_EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    which = reset.add_mutually_exclusive_group()
    which.add_argument("--requester", metavar="ACCESS_KEY_ID", help="only this requester's")
    which.add_argument("--everything", action="store_true", help="accounts too: requesters, workers, funds")
    add_endpoint_options(reset)
    reset.set_defaults(func=cmd_reset)

    snapshot = commands.add_parser("snapshot", help="save a running server's database, or go back to a save",
                                   epilog=SNAPSHOT_EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = snapshot.add_subparsers(dest="snapshot_command", required=True, metavar="COMMAND")
    for name, help_ in (("save", "save the database (and a manual clock's time) as NAME, replacing one of "
                                 "that name"),
                        ("restore", "put the database (and a manual clock) back as NAME was saved"),
                        ("delete", "delete snapshot NAME")):
        parser = sub.add_parser(name, help=help_, description=help_, epilog=SNAPSHOT_EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        parser.add_argument("name", metavar="NAME", help="letters, digits, - and _ (up to 40)")
        add_endpoint_options(parser)
        parser.set_defaults(func=cmd_snapshot)
    listing = sub.add_parser("list", help="the snapshots saved", epilog=SNAPSHOT_EXAMPLE)
    listing.add_argument("--json", action="store_true")
    add_endpoint_options(listing)
    listing.set_defaults(func=cmd_snapshot)
