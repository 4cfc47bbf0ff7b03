"""`kempelen db ...`: database maintenance."""

from __future__ import annotations

from kempelen.cli.common import add_database_options, redact, settings_from


def cmd_db_upgrade(args) -> int:
    from kempelen.clock import make_clock
    from kempelen.main import prepare_database
    from kempelen.store.db import Database

    settings = settings_from(args)
    prepare_database(settings, Database(settings.database_url), make_clock("system"))
    print(f"database at head: {redact(settings.database_url)}")
    return 0


def register(commands) -> None:
    db = commands.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True)
    db_upgrade = db.add_parser("upgrade", help="apply migrations")
    add_database_options(db_upgrade)
    db_upgrade.set_defaults(func=cmd_db_upgrade)
