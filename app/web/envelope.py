"""One error shape for every door but the requester API: ``{"Error": {"Code", "Message"}}`` with a 4xx
status, built in app/errors.py. The framework's own refusals (FastAPI's 422 ``{"detail": ...}``, routing's
404/405, a body that is not JSON) are turned into it here, so no route answers another shape.
"""

from __future__ import annotations

import importlib
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, model_validator
from starlette.exceptions import HTTPException

from kempelen import errors
from kempelen.domain import text

log = logging.getLogger("kempelen.web")


def error_response(error: errors.WorkerError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status)


def _refused(_request: Request, exc: errors.WorkerError) -> JSONResponse:
    return error_response(exc)


# The websites' routes: a refusal of theirs is a page in the site's own layout, not the JSON envelope.
_SITES = ("kempelen.web.worker_site", "kempelen.web.requester_site")


def _invalid(request: Request, exc: RequestValidationError):
    problems = []
    for problem in exc.errors():
        location = [str(part) for part in problem.get("loc", ())]
        # ("body", "Locale", "Country") -> body.Locale.Country; a body that is not JSON says so plainly
        if problem.get("type") == "json_invalid":
            problems.append(("body", "The request body is not valid JSON."))
        else:
            problems.append((".".join(location) or "request", problem.get("msg", "invalid")))
    site = _site_of(request)
    if site is not None:  # a page's address edited by hand (?welcome=x): a page that says so
        return importlib.import_module(f"{site}.common").address_refused(request, problems)
    return error_response(errors.request_invalid(problems))


def _site_of(request: Request) -> str | None:
    """The website package whose route `request` matched, or None for the API's routes."""
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    module = getattr(endpoint, "__module__", "") or ""
    return next((site for site in _SITES if module.startswith(site + ".")), None)


def _http(_request: Request, exc: HTTPException) -> JSONResponse:
    response = error_response(errors.http_error(exc.status_code, str(exc.detail)))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


ENVELOPE_SCHEMA = {
    "type": "object", "required": ["Error"], "additionalProperties": False,
    "description": "Every refusal of the worker, admin and file routes.",
    "properties": {"Error": {"type": "object", "required": ["Code", "Message"], "properties": {
        "Code": {"type": "string", "description": "Stable, for scripts to branch on (e.g. ValidationException)."},
        "Message": {"type": "string"},
        "Details": {"type": "array", "items": {"type": "object"}}}}},
}


def _document_refusals(app: FastAPI) -> None:
    """The OpenAPI document says what the routes answer: the envelope with a 4xx, not FastAPI's 422."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                if "text/html" in responses.get("200", {}).get("content", {}):
                    continue  # a worker-site page refuses with a page
                responses["4XX"] = {"description": "Refused", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        components["ErrorEnvelope"] = ENVELOPE_SCHEMA
        return schema

    app.openapi = openapi


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.WorkerError, _refused)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
    _document_refusals(app)


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # The last resort: Starlette logs the trace; the client still gets the envelope, not plain text.
    return error_response(errors.internal_error())


def unstorable_member(value: object, where: str = "") -> str | None:
    """The first member (dotted path) of a decoded JSON body holding a string the databases cannot store,
    or None. The one check of every JSON body a web route reads (Body models, and raw bodies)."""
    if isinstance(value, str):
        return where if text.unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and text.unstorable(key):
                return path
            found = unstorable_member(item, path)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_member(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


class Body(BaseModel):
    """Base of every JSON body a web route takes: unknown members refused, and no string (at any depth) that
    the databases cannot store, so both databases answer the same 400 naming the member."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _only_storable_text(cls, data: object) -> object:
        member = unstorable_member(data)
        if member is not None:
            raise ValueError(f"member {member or '(body)'} contains a character that is not allowed "
                             "(NUL, U+0000, or an unpaired surrogate)")
        return data
