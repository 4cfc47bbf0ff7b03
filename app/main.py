"""The application factory, and the start-up work `kempelen serve` does before listening."""

from __future__ import annotations

import contextlib

from fastapi import FastAPI

from kempelen.clock import Clock, make_clock
from kempelen.config import Settings
from kempelen.front import KempelenApp
from kempelen.protocol import RequesterAPI
from kempelen.store import requesters
from kempelen.store.db import Database
from kempelen.store.migrate import upgrade
from kempelen.errors import WorkerError
from kempelen.events.delivery import Deliverer
from kempelen.sweeper import Sweeper
from kempelen.web import admin, external, files, qualifications, workers


def prepare_database(settings: Settings, db: Database, clock: Clock) -> None:
    """Migrate, and give a fresh database its development requester (or disable it)."""
    upgrade(db)
    with db.transaction() as session:
        requesters.set_development_requester(session, clock.now(), settings.development_credentials)


def create_app(settings: Settings | None = None, *, db: Database | None = None,
               clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    db = db or Database(settings.database_url)
    clock = clock or make_clock(settings.clock)
    api = RequesterAPI(db, clock, settings)
    sweeper = Sweeper(db, clock)
    deliverer = Deliverer(db, settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        # A manual clock is swept when it moves (admin route); the system clock needs the background thread.
        if clock.mode == "system":
            sweeper.start()
        # Notifications go out under either clock: delivery runs on real time, not the service clock.
        deliverer.start()
        yield
        sweeper.stop()
        deliverer.stop()
        app.shutdown_executor()

    app = KempelenApp(title="Kempelen", version="0.1.0", docs_url="/_kempelen/docs",
                      openapi_url="/_kempelen/openapi.json", redoc_url=None, lifespan=lifespan)
    app.state.settings, app.state.db, app.state.clock, app.state.sweeper = settings, db, clock, sweeper
    app.state.deliverer = deliverer
    app.include_router(admin.router)
    app.include_router(workers.router)
    app.include_router(external.router)
    app.include_router(qualifications.router)
    app.include_router(files.router)
    app.add_exception_handler(WorkerError, workers.worker_error_response)

    # MTurk's Requester API: every operation is POST / with X-Amz-Target, answered in front of the routers.
    app.serve_requester_api(api)

    return app
