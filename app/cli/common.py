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
    return settings


def redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def client(args) -> KempelenClient:
    return KempelenClient(args.endpoint, args.admin_token)


def add_database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: KEMPELEN_DATABASE_URL or SQLite "
                                               "in the data directory)")
    parser.add_argument("--data-dir", help="where SQLite and files live (default: KEMPELEN_DATA_DIR or ./data)")


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
