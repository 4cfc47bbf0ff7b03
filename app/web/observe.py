"""Routes for watching the server: Prometheus metrics, readiness, and the API docs served from local files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from kempelen.store.migrate import schema_versions

router = APIRouter(include_in_schema=False)
DOCS_ASSETS = "/_kempelen/docs/assets"


def swagger_ui_dir() -> Path:
    """Swagger UI's files as the fastapi-offline package ships them (only its files are used): no CDN, so
    the docs work offline."""
    spec = importlib.util.find_spec("fastapi_offline")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@router.get("/metrics")
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/_kempelen/ready")
def ready(request: Request) -> JSONResponse:
    """200 when the database answers and its schema is the one this server expects; 503 otherwise, so a
    load balancer or `docker compose` waits (/_kempelen/health only says the process answers)."""
    try:
        current, head = schema_versions(request.app.state.db)
    except Exception as exc:  # noqa: BLE001 - any failure to read is "not ready", said plainly
        return JSONResponse({"status": "unavailable", "reason": f"database: {type(exc).__name__}"}, 503)
    if current != head:
        return JSONResponse({"status": "unavailable", "reason": f"schema at {current}, this server needs {head}"},
                            503)
    return JSONResponse({"status": "ready", "schema": current})


@router.get("/_kempelen/docs")
def docs() -> Response:
    return get_swagger_ui_html(openapi_url="/_kempelen/openapi.json", title="Kempelen API",
                               swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                               swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png")


@router.get("/_kempelen/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    allowed = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
               "favicon.png": "image/png"}
    if name not in allowed:
        return JSONResponse({"Error": {"Code": "NotFound", "Message": f"No docs asset {name}."}}, 404)
    return FileResponse(swagger_ui_dir() / name, media_type=allowed[name],
                        headers={"Cache-Control": "public, max-age=86400"})
