"""`kempelen serve --workers N`: N server processes sharing one listening socket, for every core.

uvicorn's own supervisor starts the processes (and restarts one that dies); each builds the app with
`worker_app()` from the settings the parent puts in its environment. The parent migrates the database once
before any of them starts. The processes share nothing but the database, exactly as replicas on several
hosts do: the sweeper and the outbox deliverer already take their rows with SKIP LOCKED and conditional
updates (kempelen.sweeper, kempelen.events.delivery), so N of them still write each transition and send each
event once. A manual clock lives in one process's memory, so it cannot be shared: --workers needs the
system clock; and seeded ids (--seed) would repeat in every process, so it refuses those too.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator

from kempelen.config import Settings


@contextlib.contextmanager
def collections_held() -> Iterator[None]:
    """Around a serving process's start: no garbage collection until settle_heap() (or the end of the
    block, however it ends). Start-up builds most of the heap in one go, and the collector, set off every
    few hundred allocations, walked what was built so far again and again: 0.13 s of the 1.2 s of CPU that
    importing and building the app cost."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def settle_heap() -> None:
    """Called once a serving process has imported and built everything, before its first request: moves what
    exists (modules, the app, SQLAlchemy's and pydantic's machinery: most of the heap) out of the garbage
    collector's reach, and lets it run again. Otherwise every full collection walks all of it again: pauses
    of tens of milliseconds several times a second under load (bench: PostgreSQL GetAccountBalance p99 78 ms
    before, 3.5 ms after). What is frozen lives as long as the process anyway.

    No collection first: it walked the whole heap (0.10 s of a start on SQLite, 0.14 s on PostgreSQL) to free
    what start-up left unreachable, 1,400 objects (0.25 MB) on SQLite and 12,000 (1.6 MB) on PostgreSQL,
    which are now kept for the process's life instead."""
    gc.freeze()
    gc.enable()


def worker_app():
    """The app of one worker process (uvicorn factory): settings from the KEMPELEN_* environment."""
    with collections_held():
        from kempelen.main import create_app

        app = create_app(Settings())
        settle_heap()
    return app


def run_workers(settings: Settings, sock, *, workers: int, log_config: dict, log_level: str) -> int:
    """Serves on the bound socket `sock` until stopped; the caller has migrated the database and checked the
    clock is the system's."""
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    # What the command line chose, for the worker processes' Settings() to read.
    os.environ["KEMPELEN_DATABASE_URL"] = settings.database_url
    os.environ["KEMPELEN_DATA_DIR"] = str(settings.data_dir)
    os.environ["KEMPELEN_CLOCK"] = settings.clock
    if settings.faults:
        os.environ["KEMPELEN_FAULTS"] = settings.faults
    config = Config("kempelen.serving:worker_app", factory=True, workers=workers, log_level=log_level,
                    log_config=log_config, access_log=False)
    Multiprocess(config, sockets=[sock]).run()
    return 0
