"""The people of a requester account on the command line: `kempelen requester create --login EMAIL
--password-stdin` (the account and its first login at once), `kempelen requester add-login` and `kempelen
requester invite` (a one-time link) on a running server. Same code as the website's Account page."""

from __future__ import annotations

import sys

from kempelen.cli.common import add_endpoint_options, client, example, print_json


def read_password(args) -> str | None:
    """The password from stdin (one line), never from the command line where `ps` would show it."""
    if not getattr(args, "password_stdin", False):
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        args.parser.error("--password-stdin: no password on standard input")
    return password


def check_create_options(args) -> str | None:
    """`requester create`'s login options: both or neither. The password, if any."""
    if bool(args.login) != bool(args.password_stdin):
        args.parser.error("--login and --password-stdin go together")
    return read_password(args)


def add_login(session, now, access_key_id: str, email: str, password: str) -> str:
    """In `requester create`'s transaction: a refusal ends the command with one line, creating nothing."""
    from kempelen import errors
    from kempelen.operations import requester_accounts

    try:
        return requester_accounts.add_member(session, now, access_key_id, email, password).email
    except errors.WorkerError as exc:
        raise SystemExit(f"kempelen: {exc.code}: {exc.message}") from None


def cmd_add_login(args) -> int:
    password = read_password(args)
    found = client(args).call("POST", f"/_kempelen/requesters/{args.access_key_id}/logins",
                              {"Email": args.login, "Password": password})
    print(f"{found['Email']} signs in to {found['RequesterId']} at /requester/signin")
    return 0


def cmd_invite(args) -> int:
    found = client(args).call("POST", f"/_kempelen/requesters/{args.access_key_id}/invites", {"Email": args.email})
    if args.json:
        print_json(found)
    else:
        print(f"Send this one-time link to {found['Email']} (valid until {found['ExpiresAt']}):\n{found['InviteURL']}")
    return 0


def register(requester, create) -> None:
    """Adds the login options to `requester create` and the add-login / invite commands to the group."""
    create.add_argument("--login", metavar="EMAIL", help="also give the account a login for the requester "
                                                         "website (with --password-stdin)")
    create.add_argument("--password-stdin", action="store_true", help="read the login's password from stdin, "
                                                                      "e.g. `echo \"$PW\" | kempelen requester create "
                                                                      "--login ada@example.org --password-stdin`")

    add = requester.add_parser("add-login", help="let a person sign in to an account's requester website "
                                                 "(on a running server)",
                               epilog=example("kempelen requester add-login AKIAEXAMPLE --login grace@lab.example "
                                              "--password-stdin < password.txt"))
    add.add_argument("access_key_id", metavar="ACCESS_KEY_ID", help="the account (its original access key id)")
    add.add_argument("--login", metavar="EMAIL", required=True)
    add.add_argument("--password-stdin", action="store_true", required=True)
    add_endpoint_options(add)
    add.set_defaults(func=cmd_add_login, parser=add)

    invite = requester.add_parser("invite", help="a one-time link with which a person chooses a password and "
                                                 "joins an account (on a running server)",
                                  epilog=example("kempelen requester invite AKIAEXAMPLE grace@lab.example"))
    invite.add_argument("access_key_id", metavar="ACCESS_KEY_ID")
    invite.add_argument("email", metavar="EMAIL")
    invite.add_argument("--json", action="store_true", help="print the admin API's JSON")
    add_endpoint_options(invite)
    invite.set_defaults(func=cmd_invite)
