"""`kempelen clock ...`: read or move a running server's manual clock."""

from __future__ import annotations

from kempelen.cli.common import add_endpoint_options, client


def cmd_clock(args) -> int:
    server = client(args)
    if args.clock_command == "advance":
        state = server.advance_clock(args.seconds)
    elif args.clock_command == "set":
        state = server.set_clock(args.when)
    else:
        state = server.clock()
    print(state["now"])
    return 0


def register(commands) -> None:
    clock = commands.add_parser("clock", help="read or move a running server's manual clock")
    clock_commands = clock.add_subparsers(dest="clock_command", required=True)
    show = clock_commands.add_parser("show")
    advance = clock_commands.add_parser("advance")
    advance.add_argument("seconds", type=float)
    set_ = clock_commands.add_parser("set")
    set_.add_argument("when", help="ISO 8601 with a time zone, e.g. 2027-01-01T00:00:00Z")
    for sub in (show, advance, set_):
        add_endpoint_options(sub)
        sub.set_defaults(func=cmd_clock)
