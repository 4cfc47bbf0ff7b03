"""`kempelen`: the server's one entry point, and the tools around it."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from kempelen import __version__
from kempelen.cli.common import HelpFormatter, example, report_refusal
from kempelen.cli.examples import EXAMPLES
from kempelen.client import KempelenError, Unreachable

# One module per command group, in the order `kempelen --help` lists them, with the commands it adds. Each
# module has `register(commands)`, which adds its group to the `kempelen` parser. A new group is one line here.
GROUPS = {
    "serve": ("serve",),
    "db": ("db",),
    "requester": ("requester",),
    "clock": ("clock",),
    "worker": ("worker",),
    "workforce": ("workforce",),
    "state": ("reset", "snapshot"),
    "faults": ("faults",),
    "project": ("project",),
    "batch": ("batch",),
}
_MODULE_OF = {command: module for module, commands in GROUPS.items() for command in commands}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `kempelen` parser. When `command` names one of its commands, only that command's group is imported
    and registered: a command needs no other (all ten cost every start, `kempelen serve`'s included, 20-40
    ms). Otherwise (no command, --help, a mistyped one) every group, for the help and the error to list."""
    parser = argparse.ArgumentParser(prog="kempelen", description=__doc__, formatter_class=HelpFormatter,
                                     epilog=example("kempelen serve --clock manual",
                                                    "kempelen worker create", "kempelen worker --help"))
    parser.add_argument("--version", action="version", version=f"kempelen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in [_MODULE_OF[command]] if command in _MODULE_OF else GROUPS:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    for sub in parsers(parser):
        if sub.formatter_class is argparse.HelpFormatter:  # a group's own choice (e.g. raw text) stays
            sub.formatter_class = HelpFormatter
        if not sub.epilog and sub.prog in EXAMPLES:
            sub.epilog = example(*EXAMPLES[sub.prog])
    return parser


def parsers(parser: argparse.ArgumentParser):
    """The parser and every parser below it: the groups and their commands."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases share a parser
                yield from parsers(sub)


def _quiet_closed_pipe() -> None:
    """The reader went away (`kempelen worker list | head -1`): nothing more to say, and no complaint from
    the interpreter when it flushes stdout on the way out."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, where it can be caught
        return code
    except BrokenPipeError:
        _quiet_closed_pipe()
        return 0
    except KeyboardInterrupt:
        return 130
    except KempelenError as exc:
        report_refusal(exc)
    except Unreachable as exc:
        print(f"kempelen: {exc} (is `kempelen serve` running there? --endpoint or KEMPELEN_ENDPOINT names "
              f"another server)", file=sys.stderr)
    except Exception as exc:  # anything else is still one line, not a traceback, unless asked for
        if os.environ.get("KEMPELEN_DEBUG"):
            raise
        print(f"kempelen: {_one_line(exc)} (KEMPELEN_DEBUG=1 shows the traceback)", file=sys.stderr)
    return 1
