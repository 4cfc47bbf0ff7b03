"""The application factory, and the start-up work `kempelen serve` does before listening."""

from __future__ import annotations

import contextlib

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from kempelen.auth.sigv4 import SignedRequest
from kempelen.clock import Clock, make_clock
from kempelen.config import Settings
from kempelen.protocol import CONTENT_TYPE, RequesterAPI
from kempelen.store import requesters
from kempelen.store.db import Database
from kempelen.store.migrate import upgrade
from kempelen.events.delivery import Deliverer
from kempelen.sweeper import Sweeper
from kempelen.limits import EdgeLimits
from kempelen.web import admin, content, envelope, files, qualifications, workers
from kempelen.web import shell, worker_site
from kempelen.web import requester_api as requester_routes
from kempelen.web import requester_logins, requester_site
from kempelen.web.requester_site.host import RequesterHost


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

    app = FastAPI(title="Kempelen", version="0.1.0", docs_url="/_kempelen/docs",
                  openapi_url="/_kempelen/openapi.json", redoc_url=None, lifespan=lifespan)
    app.state.settings, app.state.db, app.state.clock, app.state.sweeper = settings, db, clock, sweeper
    app.state.deliverer = deliverer
    app.include_router(admin.router)
    app.include_router(workers.router)
    app.include_router(content.router)
    app.include_router(qualifications.router)
    app.include_router(files.router)
    app.include_router(requester_routes.router)
    requester_site.install(app)
    app.include_router(requester_logins.router)
    app.include_router(worker_site.router)
    envelope.install(app)
    if settings.requester_host:
        app.add_middleware(RequesterHost, host=settings.requester_host)
    app.add_middleware(EdgeLimits, max_body_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes)
    shell.install(app)

    @app.post("/", include_in_schema=False)
    async def requester_api(request: Request) -> Response:
        """MTurk's Requester API: every operation is POST / with X-Amz-Target."""
        body = await request.body()
        signed = SignedRequest(
            method=request.method, path=request.scope.get("raw_path", b"/").decode("latin-1").split("?")[0],
            query_string=request.scope.get("query_string", b"").decode("latin-1"),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]],
            body=body)
        # A worker-thread hop costs more than a SQLite point read; see RequesterAPI.runs_inline.
        origin = workers.public_url(request)
        result = (api.handle(signed, origin) if api.runs_inline(signed)
                  else await run_in_threadpool(api.handle, signed, origin))
        return Response(result.body, status_code=result.status, media_type=CONTENT_TYPE,
                        headers={"x-amzn-RequestId": result.request_id})

    return app
