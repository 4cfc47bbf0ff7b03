"""What the command groups share: settings from flags, the admin-API client, tables and refusals."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

from kempelen.client import DEFAULT_ENDPOINT, KempelenClient, KempelenError
from kempelen.config import Settings, default_database_url


def settings_from(args) -> Settings:
    settings = Settings()
    if getattr(args, "data_dir", None):
        settings.data_dir = Path(args.data_dir)
        if not os.environ.get("KEMPELEN_DATABASE_URL"):
            settings.database_url = default_database_url(settings.data_dir)
    if getattr(args, "database_url", None):
        settings.database_url = args.database_url
    if getattr(args, "clock", None):
        settings.clock = args.clock
    if getattr(args, "seed", None) is not None:
        settings.seed = args.seed
    if getattr(args, "faults", None):
        settings.faults = args.faults
    return settings


def redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def client(args) -> KempelenClient:
    return KempelenClient(args.endpoint, args.admin_token)


def note(message: str) -> None:
    """Where a command did its work (which server, which database), on stderr so stdout stays parseable."""
    print(f"kempelen: {message}", file=sys.stderr)


def example(*lines: str) -> str:
    """A parser's epilog: the lines of an example, shown as written under --help."""
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


class HelpFormatter(argparse.HelpFormatter):
    """Descriptions wrapped as usual; an example epilog kept line for line."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(("example:", "examples:")):
            return "\n".join(indent + line for line in text.splitlines())
        return super()._fill_text(text, width, indent)


def add_database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: KEMPELEN_DATABASE_URL or SQLite "
                                               "in the data directory)")
    parser.add_argument("--data-dir", help="where SQLite and files live (default: KEMPELEN_DATA_DIR or ./data)")


def add_offline_database_options(parser: argparse.ArgumentParser) -> None:
    """For a command that asks the running server by default: name a database to work on it directly."""
    parser.add_argument("--database-url", help="offline: write into this database directly (SQLAlchemy URL) "
                                               "instead of asking the running server")
    parser.add_argument("--data-dir", help="offline: write into the SQLite database in this directory")


def is_offline(args) -> bool:
    return bool(getattr(args, "database_url", None) or getattr(args, "data_dir", None))


def add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", help=f"server URL (default: KEMPELEN_ENDPOINT or {DEFAULT_ENDPOINT})")
    parser.add_argument("--admin-token", help="admin token (default: KEMPELEN_ADMIN_TOKEN, else the "
                                              "development token)")


AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")


def amount(text: str) -> str:
    if not AMOUNT.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected an amount in dollars such as 25.00, got {text!r}")
    return text


def signed_amount(text: str) -> str:
    """An amount of funds: negative takes money out of the account."""
    amount(text.removeprefix("-"))
    return text


def share(text: str) -> float:
    """A share of things, from 0 to 1 (--accuracy, --throttle, ...)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 1, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 1, got {text}")
    return value


def utc(text: str) -> str:
    when = datetime.fromisoformat(text)
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S")


def print_json(value) -> None:
    print(json.dumps(value, indent=2))


def all_pages(fetch, key: str, **filters) -> list[dict]:
    found, token = [], None
    while True:
        page = fetch(max_results=100, next_token=token, **filters)
        found += page[key]
        token = page.get("NextToken")
        if not page[key] or not token:
            return found


def table(rows: list[list[str]], header: list[str], right: frozenset[int] | set[int] = frozenset()) -> str:
    """Columns padded to their widest cell; those numbered in `right` (amounts) aligned to the right."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    return "\n".join("  ".join(str(cell).rjust(width) if i in right else str(cell).ljust(width)
                               for i, (cell, width) in enumerate(zip(row, widths))).rstrip()
                     for row in [header, *rows])


def shorten(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def report_refusal(exc: KempelenError) -> None:
    if exc.code:
        print(f"kempelen: {exc.code}: {exc.message}", file=sys.stderr)
    else:
        print(f"kempelen: the server refused ({exc.status}): {exc.message}", file=sys.stderr)
    for detail in exc.details:
        if isinstance(detail, dict) and {"QuestionIdentifier", "Reason"} <= detail.keys():
            print(f"  {detail['QuestionIdentifier']}: {detail['Reason']}", file=sys.stderr)
        else:
            print(f"  {json.dumps(detail) if not isinstance(detail, str) else detail}", file=sys.stderr)
