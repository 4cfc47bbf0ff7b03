"""`kempelen clock ...`: read or move a running server's manual clock."""

from __future__ import annotations

from kempelen.cli.common import add_endpoint_options, client, example, note


def cmd_clock(args) -> int:
    server = client(args)
    if args.clock_command == "advance":
        state = server.advance_clock(args.seconds)
    elif args.clock_command == "set":
        state = server.set_clock(args.when)
    else:
        state = server.clock()
    print(state["now"])
    if args.clock_command != "show":  # moving time changes that server's database for good
        note(f"moved the clock of the server at {server.endpoint}")
    return 0


def register(commands) -> None:
    clock = commands.add_parser("clock", help="read or move a running server's manual clock",
                                description="Read or move the clock of a server started with --clock manual. "
                                            "Moving it changes that server's database for good: HITs expire, "
                                            "assignments are abandoned or approved. Time-travel on a server "
                                            "with its own --data-dir.",
                                epilog=example("kempelen clock advance 86400"))
    clock_commands = clock.add_subparsers(dest="clock_command", required=True)
    show = clock_commands.add_parser("show", help="print the server's time",
                                     epilog=example("kempelen clock show --endpoint http://127.0.0.1:8000"))
    advance = clock_commands.add_parser("advance", help="move the clock forward",
                                        epilog=example("kempelen clock advance 3600   # one hour later"))
    advance.add_argument("seconds", type=float)
    set_ = clock_commands.add_parser("set", help="set the clock to a moment",
                                     epilog=example("kempelen clock set 2027-01-01T00:00:00Z"))
    set_.add_argument("when", help="ISO 8601 with a time zone, e.g. 2027-01-01T00:00:00Z")
    for sub in (show, advance, set_):
        add_endpoint_options(sub)
        sub.set_defaults(func=cmd_clock)
