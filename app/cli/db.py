"""`kempelen db ...`: database maintenance."""

from __future__ import annotations

from kempelen.cli.common import add_database_options, example, redact, settings_from


def cmd_db_upgrade(args) -> int:
    from kempelen.clock import make_clock
    from kempelen.main import prepare_database
    from kempelen.store.db import Database

    settings = settings_from(args)
    prepare_database(settings, Database(settings.database_url), make_clock("system"))
    print(f"database at head: {redact(settings.database_url)}")
    return 0


def register(commands) -> None:
    group = commands.add_parser("db", help="database maintenance", epilog=example("kempelen db upgrade"))
    db = group.add_subparsers(dest="db_command", required=True)
    db_upgrade = db.add_parser("upgrade", help="apply migrations", epilog=example(
        "kempelen db upgrade --database-url postgresql://kempelen@127.0.0.1/kempelen"))
    add_database_options(db_upgrade)
    db_upgrade.set_defaults(func=cmd_db_upgrade)
