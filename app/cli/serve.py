"""`kempelen serve`: run the server."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

from kempelen.cli.common import add_database_options, example, redact, settings_from
from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY, PASSWORD_HASHINGS
from kempelen.observability.logs import FORMATS, LEVELS


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PortTaken(Exception):
    pass


def bind(host: str, port: int) -> socket.socket:
    """Listen before anything else: a taken port is one clear line, and the banner shows the real address
    (the port the system chose for --port 0 included)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise PortTaken(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        reason = "the port is taken (another server?); choose another with --port" \
            if exc.errno in (98, 48, 10048) else exc.strerror
        raise PortTaken(f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


def banner_address(sock: socket.socket) -> tuple[str, str]:
    """(what the socket is bound to, a URL that reaches it from this machine)."""
    host, port = sock.getsockname()[:2]
    bound = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if host in ("0.0.0.0", "::"):
        return bound, f"http://127.0.0.1:{port}"
    return bound, f"http://{bound}"


def cmd_serve(args) -> int:
    from kempelen.serving import collections_held

    with collections_held():  # until settle_heap(): the imports and the app are most of the heap
        return _serve(args)


def _serve(args) -> int:
    import uvicorn

    from kempelen.clock import make_clock
    from kempelen.main import create_app, prepare_database
    from kempelen.observability.logs import log_config
    from kempelen.serving import settle_heap
    from kempelen.store.db import Database

    settings = settings_from(args)
    if settings.development_credentials and not _is_loopback(args.host):
        print(f"kempelen: refusing to listen on {args.host} while the development credentials are enabled.\n"
              "Anyone who can reach the server could use them. Set KEMPELEN_DEVELOPMENT_CREDENTIALS=off, "
              "create a requester with `kempelen requester create`, and set KEMPELEN_ADMIN_TOKEN.",
              file=sys.stderr)
        return 2
    if settings.password_hashing not in PASSWORD_HASHINGS:
        print(f"kempelen: KEMPELEN_PASSWORD_HASHING must be one of {', '.join(PASSWORD_HASHINGS)}, not "
              f"{settings.password_hashing!r}", file=sys.stderr)
        return 2
    if args.workers > 1 and (settings.clock != "system" or settings.seed is not None):
        print("kempelen: --workers needs --clock system and no --seed (a manual clock, and a seeded id "
              "sequence, live in one process)", file=sys.stderr)
        return 2
    try:
        sock = bind(args.host, args.port)
    except PortTaken as exc:
        print(f"kempelen: {exc}", file=sys.stderr)
        return 1
    db = Database(settings.database_url)
    clock = make_clock(settings.clock)
    prepare_database(settings, db, clock)
    bound, endpoint = banner_address(sock)
    where = f"at {endpoint}" if endpoint == f"http://{bound}" else f"on {bound} (every interface), from this " \
                                                                  f"machine at {endpoint}"
    print(f"Kempelen is serving the MTurk Requester API {where}", flush=True)
    print(f"  database: {redact(settings.database_url)}   clock: {settings.clock}   "
          f"metrics: {endpoint}/metrics", flush=True)
    if settings.password_hashing == "test":
        print("  passwords: hashed at argon2's cheapest (KEMPELEN_PASSWORD_HASHING=test), for test servers only",
              flush=True)
    if settings.development_credentials:
        print(f"  development credentials:\n"
              f"    AWS_ACCESS_KEY_ID={DEVELOPMENT_ACCESS_KEY_ID}\n"
              f"    AWS_SECRET_ACCESS_KEY={DEVELOPMENT_SECRET_ACCESS_KEY}\n"
              f"  boto3.client('mturk', endpoint_url='{endpoint}', region_name='us-east-1')", flush=True)
    if args.workers > 1:
        from kempelen.serving import run_workers

        db.dispose()  # the worker processes open their own
        settle_heap()  # the supervisor has built all it will
        return run_workers(settings, sock, workers=args.workers, log_level=args.log_level,
                           log_config=log_config(args.log_level, args.log_format))
    app = create_app(settings, db=db, clock=clock, close_database=True)
    config = uvicorn.Config(app, log_level=args.log_level, log_config=log_config(args.log_level, args.log_format),
                            access_log=False)
    settle_heap()
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def register(commands) -> None:
    serve = commands.add_parser("serve", help="run the server", epilog=example(
        "kempelen serve --port 8000 --clock manual --data-dir /tmp/kempelen-ci --log-format json"))
    serve.add_argument("--host", default=os.environ.get("KEMPELEN_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("KEMPELEN_PORT", "8000")),
                       help="0: any free port (the banner says which)")
    serve.add_argument("--clock", choices=["system", "manual"], help="manual: time moves only when told")
    serve.add_argument("--log-level", default=os.environ.get("KEMPELEN_LOG_LEVEL", "info"),
                       choices=LEVELS,
                       help="info (default) logs one line per request; warning and above only problems")
    serve.add_argument("--log-format", default=os.environ.get("KEMPELEN_LOG_FORMAT", "plain"),
                       choices=FORMATS, help="plain lines (default) or one JSON object a line")
    serve.add_argument("--access-log", action="store_true",
                       help="kept for old scripts: requests are logged at --log-level info anyway")
    serve.add_argument("--workers", type=int, default=int(os.environ.get("KEMPELEN_WORKERS", "1")),
                       help="server processes sharing the port, e.g. one per core (needs --clock system)")
    serve.add_argument("--seed", help="reproducible ids: a rerun against a fresh database makes the same ones")
    serve.add_argument("--faults", metavar="JSON", help="fault rules to start with (KEMPELEN_FAULTS; see "
                                                        "`kempelen faults --help`)")
    add_database_options(serve)
    serve.set_defaults(func=cmd_serve)
