"""`kempelen`: the server's one entry point, and the tools around it."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from app.config import (DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_ADMIN_TOKEN, DEVELOPMENT_SECRET_ACCESS_KEY,
                        Settings, default_database_url)

DEFAULT_ENDPOINT = "http://127.0.0.1:8000"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _settings(args) -> Settings:
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


def cmd_serve(args) -> int:
    import uvicorn

    from app.clock import make_clock
    from app.main import create_app, prepare_database
    from app.store.db import Database

    settings = _settings(args)
    if settings.development_credentials and not _is_loopback(args.host):
        print(f"kempelen: refusing to listen on {args.host} while the development credentials are enabled.\n"
              "Anyone who can reach the server could use them. Set KEMPELEN_DEVELOPMENT_CREDENTIALS=off, "
              "create a requester with `kempelen requester create`, and set KEMPELEN_ADMIN_TOKEN.",
              file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    clock = make_clock(settings.clock)
    prepare_database(settings, db, clock)
    endpoint = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
    print(f"Kempelen is serving the MTurk Requester API at {endpoint}", flush=True)
    print(f"  database: {_redact(settings.database_url)}   clock: {settings.clock}", flush=True)
    if settings.development_credentials:
        print(f"  development credentials:\n"
              f"    AWS_ACCESS_KEY_ID={DEVELOPMENT_ACCESS_KEY_ID}\n"
              f"    AWS_SECRET_ACCESS_KEY={DEVELOPMENT_SECRET_ACCESS_KEY}\n"
              f"  boto3.client('mturk', endpoint_url='{endpoint}', region_name='us-east-1')", flush=True)
    uvicorn.run(create_app(settings, db=db, clock=clock), host=args.host, port=args.port,
                log_level=args.log_level, access_log=args.access_log)
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def cmd_db_upgrade(args) -> int:
    from app.clock import make_clock
    from app.main import prepare_database
    from app.store.db import Database

    settings = _settings(args)
    prepare_database(settings, Database(settings.database_url), make_clock("system"))
    print(f"database at head: {_redact(settings.database_url)}")
    return 0


def cmd_requester_create(args) -> int:
    from app.clock import SystemClock
    from app.main import prepare_database
    from app.store import requesters
    from app.store.db import Database

    settings = _settings(args)
    db = Database(settings.database_url)
    prepare_database(settings, db, SystemClock())
    with db.transaction() as session:
        requester = requesters.create(session, SystemClock().now(), name=args.name or "")
        credentials = {"AccessKeyId": requester.access_key_id, "SecretAccessKey": requester.secret_access_key}
    if args.json:
        print(json.dumps(credentials))
    else:
        print(f"AWS_ACCESS_KEY_ID={credentials['AccessKeyId']}\n"
              f"AWS_SECRET_ACCESS_KEY={credentials['SecretAccessKey']}")
    return 0


def _admin_call(args, method: str, path: str, body: dict | None = None) -> dict:
    endpoint = (args.endpoint or os.environ.get("KEMPELEN_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    token = args.admin_token or os.environ.get("KEMPELEN_ADMIN_TOKEN") or DEVELOPMENT_ADMIN_TOKEN
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(endpoint + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        try:
            detail = json.loads(detail).get("detail", detail)
        except ValueError:
            pass
        raise SystemExit(f"kempelen: the server refused ({exc.code}): {detail}") from None
    except urllib.error.URLError as exc:
        raise SystemExit(f"kempelen: cannot reach {endpoint}: {exc.reason}") from None


def cmd_clock(args) -> int:
    if args.clock_command == "advance":
        state = _admin_call(args, "POST", "/_kempelen/clock", {"advance_seconds": args.seconds})
    elif args.clock_command == "set":
        state = _admin_call(args, "POST", "/_kempelen/clock", {"set": args.when})
    else:
        state = _admin_call(args, "GET", "/_kempelen/clock")
    print(state["now"])
    return 0


def _add_database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: KEMPELEN_DATABASE_URL or SQLite "
                                               "in the data directory)")
    parser.add_argument("--data-dir", help="where SQLite and files live (default: KEMPELEN_DATA_DIR or ./data)")


def _add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", help=f"server URL (default: KEMPELEN_ENDPOINT or {DEFAULT_ENDPOINT})")
    parser.add_argument("--admin-token", help="admin token (default: KEMPELEN_ADMIN_TOKEN, else the "
                                              "development token)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kempelen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", default=os.environ.get("KEMPELEN_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("KEMPELEN_PORT", "8000")))
    serve.add_argument("--clock", choices=["system", "manual"], help="manual: time moves only when told")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    _add_database_options(serve)
    serve.set_defaults(func=cmd_serve)

    db = commands.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True)
    db_upgrade = db.add_parser("upgrade", help="apply migrations")
    _add_database_options(db_upgrade)
    db_upgrade.set_defaults(func=cmd_db_upgrade)

    requester = commands.add_parser("requester", help="requester accounts").add_subparsers(
        dest="requester_command", required=True)
    create = requester.add_parser("create", help="create a requester and print its key pair")
    create.add_argument("--name")
    create.add_argument("--json", action="store_true", help='print {"AccessKeyId": ..., "SecretAccessKey": ...}')
    _add_database_options(create)
    create.set_defaults(func=cmd_requester_create)

    clock = commands.add_parser("clock", help="read or move a running server's manual clock")
    clock_commands = clock.add_subparsers(dest="clock_command", required=True)
    show = clock_commands.add_parser("show")
    advance = clock_commands.add_parser("advance")
    advance.add_argument("seconds", type=float)
    set_ = clock_commands.add_parser("set")
    set_.add_argument("when", help="ISO 8601 with a time zone, e.g. 2027-01-01T00:00:00Z")
    for sub in (show, advance, set_):
        _add_endpoint_options(sub)
        sub.set_defaults(func=cmd_clock)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
