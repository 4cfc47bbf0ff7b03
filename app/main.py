"""The application factory, and the start-up work `kempelen serve` does before listening."""

from __future__ import annotations

import contextlib

from fastapi import FastAPI

from kempelen import ids
from kempelen.auth import passwords
from kempelen.clock import Clock, make_clock
from kempelen.config import Settings
from kempelen.front import KempelenApp
from kempelen.protocol import RequesterAPI
from kempelen.store import requesters
from kempelen.store.db import Database
from kempelen.store.migrate import upgrade
from kempelen.events.delivery import Deliverer
from kempelen.faults import Faults
from kempelen.sweeper import Sweeper
from kempelen.limits import EdgeLimits
from kempelen.observability.metrics import Metrics
from kempelen.observability.requests import RequestObserver
from kempelen.web import accounts, admin, content, envelope, files, observe, qualifications, state, workers
from kempelen.web import shell, worker_site
from kempelen.web import requester_api as requester_routes
from kempelen.web import requester_logins, requester_site
from kempelen.web.requester_site.host import RequesterHost


def prepare_database(settings: Settings, db: Database, clock: Clock) -> None:
    """Migrate, and give a fresh database its development requester (or disable it)."""
    _seed_ids(settings)
    upgrade(db)
    with db.transaction() as session:
        requesters.set_development_requester(session, clock.now(), settings.development_credentials)


def _seed_ids(settings: Settings) -> None:
    """`serve --seed`: once per process, before the first id (the development requester's) is made."""
    if settings.seed is not None and not ids.seeded():
        ids.seed(settings.seed)


def create_app(settings: Settings | None = None, *, db: Database | None = None,
               clock: Clock | None = None, close_database: bool | None = None) -> FastAPI:
    """`close_database`: close `db` when the app shuts down (by default only a database made here)."""
    settings = settings or Settings()
    if close_database is None:
        close_database = db is None
    db = db or Database(settings.database_url)
    clock = clock or make_clock(settings.clock)
    _seed_ids(settings)
    passwords.use(settings.password_hashing)
    api = RequesterAPI(db, clock, settings)
    sweeper = Sweeper(db, clock)
    faults = Faults.from_setting(settings.faults)
    deliverer = Deliverer(db, settings, faults)

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
        await db.close_on_loop()
        if close_database:
            # On SQLite the last connection to close copies the write-ahead log back and removes it, so the
            # database is its one file again: a copy of that file alone (a backup) holds every write.
            db.dispose()

    # docs_url=None: kempelen.web.observe serves /_kempelen/docs from local files (no CDN)
    app = KempelenApp(title="Kempelen", version="0.1.0", docs_url=None,
                      openapi_url="/_kempelen/openapi.json", redoc_url=None, lifespan=lifespan)
    app.state.settings, app.state.db, app.state.clock, app.state.sweeper = settings, db, clock, sweeper
    app.state.deliverer, app.state.faults, app.state.requester_api = deliverer, faults, api
    app.state.metrics = Metrics(db, clock)
    # The worker API first: routes are tried in order, and its accepts and submits are most of what is
    # not `POST /` (taken in front of the routers); behind the admin, account and observe routers each
    # was first tried against their fifteen (0.2-0.4 ms of CPU a request).
    app.include_router(workers.router)
    app.include_router(qualifications.router)
    app.include_router(admin.router)
    app.include_router(accounts.router)
    app.include_router(observe.router)
    app.include_router(content.router)
    app.include_router(files.router)
    app.include_router(state.router)
    app.include_router(requester_routes.router)
    requester_site.install(app)
    app.include_router(requester_logins.router)
    worker_site.install(app)
    envelope.install(app)
    if settings.requester_host:
        app.add_middleware(RequesterHost, host=settings.requester_host)
    app.add_middleware(EdgeLimits, max_body_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes)
    shell.install(app)  # security headers on every answer (the edge's refusals too); /static
    # outermost: a log line and metrics for every request, those the edge refuses included
    app.add_middleware(RequestObserver, metrics=app.state.metrics)

    # MTurk's Requester API: every operation is POST / with X-Amz-Target, answered in front of the routers
    # (inside the middleware above: the observer, the edge limits and the headers see it like any request).
    app.serve_requester_api(api, faults)

    return app
