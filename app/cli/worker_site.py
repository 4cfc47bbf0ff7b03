"""`kempelen worker` commands for the worker website: a password for a new worker (read from stdin, never
from the command line, where `ps` would show it), one-time sign-in links and invite codes."""

from __future__ import annotations

import sys

from kempelen.cli.common import client, print_json


def read_password(stream=None) -> str:
    """The first line of stdin, without its line ending (so `echo pw | ...` and a here-string both work)."""
    line = (stream or sys.stdin).readline()
    return line.rstrip("\r\n")


def cmd_worker_sign_in_link(args) -> int:
    made = client(args).sign_in_link(args.worker)
    if args.json:
        print_json(made)
    else:
        print(made["SignInURL"])
    return 0


def cmd_worker_invite(args) -> int:
    made = client(args).create_invite()
    if args.json:
        print_json(made)
    else:
        print(f"{made['InviteCode']}\n{made['SignUpURL']}")
    return 0


def register(command) -> None:
    """Add the site's subcommands with `kempelen worker`'s own `command(...)` helper."""
    command("sign-in-link", cmd_worker_sign_in_link, "print a one-time link that signs the worker in to the "
                                                     "worker website (valid 7 days)",
            "kempelen worker sign-in-link --worker A1TESTWORKER")
    command("invite", cmd_worker_invite, "make an invite code for the worker website's sign-up "
                                         "(KEMPELEN_WORKER_SIGNUP=invite)", "kempelen worker invite",
            worker_option=False)
