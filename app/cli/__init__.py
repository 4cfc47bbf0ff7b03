"""`kempelen`: the server's one entry point, and the tools around it."""

from __future__ import annotations

import argparse
import importlib
import sys

from kempelen.client import KempelenError, Unreachable
from kempelen.cli.common import report_refusal

# One module per command group, in the order `kempelen --help` lists them. Each module has
# `register(commands)`, which adds its group to the `kempelen` parser. A new group is one line here.
GROUPS = [
    "serve",
    "db",
    "requester",
    "clock",
    "worker",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kempelen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in GROUPS:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KempelenError as exc:
        report_refusal(exc)
    except Unreachable as exc:
        print(f"kempelen: {exc}", file=sys.stderr)
    return 1
