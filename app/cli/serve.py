"""`kempelen serve`: run the server."""

from __future__ import annotations

import ipaddress
import os
import sys

from kempelen.cli.common import add_database_options, redact, settings_from
from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args) -> int:
    import uvicorn

    from kempelen.clock import make_clock
    from kempelen.main import create_app, prepare_database
    from kempelen.store.db import Database

    settings = settings_from(args)
    if settings.development_credentials and not _is_loopback(args.host):
        print(f"kempelen: refusing to listen on {args.host} while the development credentials are enabled.\n"
              "Anyone who can reach the server could use them. Set KEMPELEN_DEVELOPMENT_CREDENTIALS=off, "
              "create a requester with `kempelen requester create`, and set KEMPELEN_ADMIN_TOKEN.",
              file=sys.stderr)
        return 2
    if args.workers > 1 and settings.clock != "system":
        print("kempelen: --workers needs --clock system (a manual clock lives in one process)", file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    clock = make_clock(settings.clock)
    prepare_database(settings, db, clock)
    endpoint = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
    print(f"Kempelen is serving the MTurk Requester API at {endpoint}", flush=True)
    print(f"  database: {redact(settings.database_url)}   clock: {settings.clock}", flush=True)
    if settings.development_credentials:
        print(f"  development credentials:\n"
              f"    AWS_ACCESS_KEY_ID={DEVELOPMENT_ACCESS_KEY_ID}\n"
              f"    AWS_SECRET_ACCESS_KEY={DEVELOPMENT_SECRET_ACCESS_KEY}\n"
              f"  boto3.client('mturk', endpoint_url='{endpoint}', region_name='us-east-1')", flush=True)
    if args.workers > 1:
        from kempelen.serving import run_workers

        db.dispose()  # the worker processes open their own
        return run_workers(settings, workers=args.workers, host=args.host, port=args.port,
                           log_level=args.log_level, access_log=args.access_log)
    uvicorn.run(create_app(settings, db=db, clock=clock), host=args.host, port=args.port,
                log_level=args.log_level, access_log=args.access_log)
    return 0


def register(commands) -> None:
    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", default=os.environ.get("KEMPELEN_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("KEMPELEN_PORT", "8000")))
    serve.add_argument("--clock", choices=["system", "manual"], help="manual: time moves only when told")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument("--workers", type=int, default=int(os.environ.get("KEMPELEN_WORKERS", "1")),
                       help="server processes sharing the port, e.g. one per core (needs --clock system)")
    add_database_options(serve)
    serve.set_defaults(func=cmd_serve)
