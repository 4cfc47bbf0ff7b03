"""Kempelen's own requester JSON routes (``/_kempelen/requester/...``) for the CLI and scripts: projects
(HIT layouts), batches, results CSV and review upload. MTurk had no API for these (its website did them), so
the routes are Kempelen's, but the caller is a requester signing with its access keys exactly as for the
Requester API (SigV4, service ``mturk-requester``): the same verification, the same requester.

Errors come as ``{"Error": {"Code", "Message"}}`` (with ``Details`` listing every bad CSV line), the Code
being MTurk's TurkErrorCode where the operation has one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from kempelen import errors, ids
from kempelen.auth.sigv4 import SignedRequest, verify
from kempelen.clock import wall_time
from kempelen.limits import CSV_BODY_BYTES
from kempelen.operations import batches, projects, results
from kempelen.operations.context import OperationContext
from kempelen.store import requesters
from kempelen.web.envelope import error_response, unstorable_member
from kempelen.web.workers import public_url

PREFIX = "/_kempelen/requester"
MAX_BODY_BYTES = CSV_BODY_BYTES  # the edge lets this much through to the CSV routes (others stop at 1 MiB)
PUBLISH_CHUNK_MAX = 1000

router = APIRouter(prefix=PREFIX, tags=["requester (Kempelen)"])


# --- bodies, for the OpenAPI description only: routes read the raw body, whose bytes the signature covers ---


class ProjectBody(BaseModel):
    Template: str | None = None
    Properties: projects.ProjectProperties | None = None


class BatchBody(BaseModel):
    HITLayoutId: str
    CSV: str
    BatchName: str | None = None


class ExtendBody(BaseModel):
    AdditionalSeconds: int = 0
    AdditionalAssignments: int = 0


class CSVBody(BaseModel):
    CSV: str


class HITIdsBody(BaseModel):
    HITIds: list[str]


class ValuesBody(BaseModel):
    Values: dict[str, str] = {}


class ReviewOutcomes(BaseModel):
    Outcomes: list[dict]


def _inline(schema: Any, definitions: dict | None = None) -> Any:
    """A pydantic JSON schema with its local ``$defs`` references written out in place (self-contained)."""
    if definitions is None and isinstance(schema, dict):
        definitions = schema.get("$defs", {})
    if isinstance(schema, dict):
        if "$ref" in schema and schema["$ref"].startswith("#/$defs/"):
            return _inline(definitions[schema["$ref"].rsplit("/", 1)[1]], definitions)
        return {k: _inline(v, definitions) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(item, definitions) for item in schema]
    return schema


def _doc(body: type[BaseModel] | None = None, answer: type[BaseModel] | None = None, *, csv: bool = False,
         large: bool = False) -> dict:
    """route keyword arguments describing the JSON body and the answer (`large`: a CSV travels in the body,
    which the edge lets grow to CSV_BODY_BYTES instead of the 1 MiB of every other door)"""
    extra: dict[str, Any] = {}
    if body is not None:
        extra["openapi_extra"] = {"requestBody": {"required": True, "content": {
            "application/json": {"schema": _inline(body.model_json_schema())}}}}
        if large:
            extra["openapi_extra"]["x-kempelen-max-body-bytes"] = CSV_BODY_BYTES
    if answer is not None:
        extra["responses"] = {200: {"model": answer}}
    if csv:
        extra["responses"] = {200: {"content": {"text/csv": {}}, "description": "the results file, streamed"}}
    extra["description"] = ("Signed with the requester's keys (AWS Signature Version 4, service "
                            "`mturk-requester`), as for the Requester API.")
    return extra


class _TooLarge(Exception):
    pass


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def _signed(request: Request, body: bytes) -> SignedRequest:
    return SignedRequest(
        method=request.method, path=request.scope.get("raw_path", b"/").decode("latin-1").split("?")[0],
        query_string=request.scope.get("query_string", b"").decode("latin-1"),
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]], body=body)


def _error(exc: errors.ServiceError) -> JSONResponse:
    return error_response(errors.as_route_error(exc))


def _context(request: Request, session, signed: SignedRequest) -> OperationContext:
    """The signature checked against the caller's secret, as on the Requester API; the caller's context."""
    state = request.app.state
    found = {}

    def lookup_secret(access_key_id: str) -> str | None:
        key = requesters.find_signing_key(session, access_key_id)  # any active key of the account
        found["requester"] = key[0] if key else None
        return key[1] if key else None

    verify(signed, lookup_secret, wall_time())
    return OperationContext(session=session, requester=found["requester"], now=state.clock.now(),
                            request_id=ids.request_id(), settings=state.settings, origin=public_url(request))


def _in_transaction(request: Request, signed: SignedRequest, work: Callable[[OperationContext], Any], *,
                    writes: bool) -> Any:
    if writes:  # verified before the write transaction begins: a bad signature never takes the write lock
        with request.app.state.db.transaction(writes=False) as session:
            _context(request, session, signed)
    with request.app.state.db.transaction(writes=writes) as session:
        result = work(_context(request, session, signed))
        session.flush()
        return result


def _json_object(raw: bytes) -> dict | errors.WorkerError:
    """The body as a JSON object ({} for none), or the refusal: not an object (nesting too deep included), or
    a string the databases cannot store."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_constant=_not_json)
    except (ValueError, RecursionError):
        return errors.body_not_an_object()
    if not isinstance(body, dict):
        return errors.body_not_an_object()
    member = unstorable_member(body)
    return body if member is None else errors.unstorable_member(member)


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")  # NaN, Infinity: Python reads them, JSON has no such thing


def _too_large() -> JSONResponse:
    return error_response(errors.request_too_large(MAX_BODY_BYTES))


async def _call(request: Request, work: Callable[[OperationContext, Any], Any], *, writes: bool = True,
                json_body: bool = True) -> Response:
    """Authenticate, parse the JSON body (if any), run `work(ctx, body)` in one transaction, answer JSON."""
    try:
        raw = await _body(request)
    except _TooLarge:
        return _too_large()
    body = _json_object(raw) if json_body else {}
    if isinstance(body, errors.WorkerError):
        return error_response(body)
    try:
        result = await run_in_threadpool(_in_transaction, request, _signed(request, raw),
                                         lambda ctx: work(ctx, body), writes=writes)
    except errors.ServiceError as exc:
        return _error(exc)
    if isinstance(result, Response):
        return result
    return JSONResponse(json.loads(json.dumps(result, default=_json_default)))


def _json_default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return value.__dict__
    raise TypeError(type(value).__name__)


def _int(value: Any, name: str, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise errors.invalid_parameter(f"The value {value} for parameter {name} is not a whole number.") from None


def _text(body: dict, name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and required:
        raise errors.missing_parameters(name)
    if value is not None and not isinstance(value, str):
        raise errors.invalid_parameter(f"The value for parameter {name} must be a string.")
    return value


async def _list(request: Request, member: str, lister: Callable, *args: Any, shape: Callable = lambda x: x,
                **filters: Any) -> Response:
    """A keyset page of `lister`'s results (NextToken / MaxResults in the query string, as in the API)."""
    def work(ctx, _):
        query = request.query_params
        found, token = lister(ctx, *args, next_token=query.get("NextToken"),
                              max_results=_int(query.get("MaxResults"), "MaxResults"), **filters)
        return {member: [shape(item) for item in found], "NextToken": token, "NumResults": len(found)}
    return await _call(request, work, writes=False)


# --- projects -----------------------------------------------------------------------------------------


@router.post("/projects", **_doc(ProjectBody, projects.ProjectView))
async def create_project(request: Request) -> Response:
    """Body: ``{"Template": "<html with ${vars}>", "Properties": {"Title": ..., "Reward": ..., ...}}``."""
    return await _call(request, lambda ctx, body: projects.create_project(
        ctx, template=_text(body, "Template"), properties=body.get("Properties") or {}))


@router.get("/projects", **_doc())
async def list_projects(request: Request) -> Response:
    return await _list(request, "Projects", projects.list_projects)


@router.get("/projects/{hit_layout_id}", **_doc(answer=projects.ProjectView))
async def get_project(request: Request, hit_layout_id: str) -> Response:
    return await _call(request, lambda ctx, _: projects.get_project(ctx, hit_layout_id), writes=False)


@router.patch("/projects/{hit_layout_id}", **_doc(ProjectBody, projects.ProjectView))
async def update_project(request: Request, hit_layout_id: str) -> Response:
    """Body: ``{"Template"?: ..., "Properties"?: {only the properties to change}}``."""
    return await _call(request, lambda ctx, body: projects.update_project(
        ctx, hit_layout_id, template=_text(body, "Template", required=False), properties=body.get("Properties")))


@router.get("/projects/{hit_layout_id}/hits", **_doc())
async def project_hits(request: Request, hit_layout_id: str) -> Response:
    """The HITs made from the project, by its batches and through the API's HITLayoutId alike."""
    return await _list(request, "HITs", projects.list_project_hits, hit_layout_id,
                       shape=lambda hit: hit.model_dump(mode="json", exclude_none=True))


@router.post("/projects/{hit_layout_id}/preview", **_doc(ValuesBody))
async def preview_project(request: Request, hit_layout_id: str) -> Response:
    """Body: ``{"Values": {"var": "sample"}}`` -> ``{"HTML": the worker's page}``."""
    return await _call(request, lambda ctx, body: {"HTML": projects.preview_project(
        ctx, hit_layout_id, _values(body))}, writes=False)


def _values(body: dict) -> dict[str, str]:
    values = body.get("Values", {})
    if values is None:
        values = {}
    if not isinstance(values, dict) or not all(isinstance(value, str) for value in values.values()):
        raise errors.invalid_parameter("Values must be an object of strings: {\"variable\": \"sample value\"}.")
    return values


# --- batches ------------------------------------------------------------------------------------------


@router.post("/batches", **_doc(BatchBody, batches.BatchView, large=True))
async def create_batch(request: Request) -> Response:
    """Body: ``{"HITLayoutId": ..., "CSV": "the file's text", "BatchName"?: ...}``: an Unpublished batch, or a
    400 whose Error.Details lists every bad line."""
    return await _call(request, lambda ctx, body: batches.create_batch(
        ctx, hit_layout_id=_text(body, "HITLayoutId"), csv_data=_text(body, "CSV"),
        name=_text(body, "BatchName", required=False)))


@router.get("/batches", **_doc())
async def list_batches(request: Request) -> Response:
    return await _list(request, "Batches", batches.list_batches,
                       hit_layout_id=request.query_params.get("HITLayoutId"))


@router.get("/batches/{batch_id}", **_doc(answer=batches.BatchView))
async def get_batch(request: Request, batch_id: str) -> Response:
    return await _call(request, lambda ctx, _: batches.get_batch(ctx, batch_id), writes=False)


@router.post("/batches/{batch_id}/publish", **_doc(answer=batches.BatchView))
async def publish_batch(request: Request, batch_id: str) -> Response:
    """Publishes the next ``?Limit=`` rows (default 100, at most 1000) and answers the batch: call again
    while its Status is Publishing. Each call is one transaction, so progress is visible to every reader."""
    def work(ctx, _):
        limit = _int(request.query_params.get("Limit"), "Limit", batches.PUBLISH_CHUNK)
        if not 1 <= limit <= PUBLISH_CHUNK_MAX:
            raise errors.parameter_out_of_range("Limit", limit, 1, PUBLISH_CHUNK_MAX)
        return batches.publish_batch(ctx, batch_id, limit=limit)
    return await _call(request, work)


@router.get("/batches/{batch_id}/hits", **_doc())
async def batch_hits(request: Request, batch_id: str) -> Response:
    return await _list(request, "HITIds", batches.list_batch_hit_ids, batch_id)


@router.post("/batches/{batch_id}/preview", **_doc())
async def preview_batch(request: Request, batch_id: str) -> Response:
    return await _call(request, lambda ctx, body: {"HTML": batches.preview_batch(
        ctx, batch_id, _int(body.get("Index"), "Index", 0))}, writes=False)


@router.post("/batches/{batch_id}/cancel", **_doc(answer=batches.BatchView))
async def cancel_batch(request: Request, batch_id: str) -> Response:
    return await _call(request, lambda ctx, _: batches.cancel_batch(ctx, batch_id))


@router.post("/batches/{batch_id}/extend", **_doc(ExtendBody, batches.BatchView))
async def extend_batch(request: Request, batch_id: str) -> Response:
    """Body: ``{"AdditionalSeconds"?: n, "AdditionalAssignments"?: n}``."""
    return await _call(request, lambda ctx, body: batches.extend_batch(
        ctx, batch_id, additional_seconds=_int(body.get("AdditionalSeconds"), "AdditionalSeconds", 0),
        additional_assignments=_int(body.get("AdditionalAssignments"), "AdditionalAssignments", 0)))


@router.post("/batches/{batch_id}/review", **_doc(CSVBody, ReviewOutcomes, large=True))
async def review_batch(request: Request, batch_id: str) -> Response:
    """Body: ``{"CSV": "a results file with Approve / Reject filled in"}`` -> ``{"Outcomes": [per row]}``."""
    return await _call(request, lambda ctx, body: {"Outcomes": results.review_results_csv(
        ctx, _text(body, "CSV"), batch_id=batch_id)})


# --- results CSV (streamed) ---------------------------------------------------------------------------


def _stream(request: Request, signed: SignedRequest, make: Callable[[OperationContext], Iterator[str]]
            ) -> Iterator[bytes]:
    """The rows, from a read transaction of its own that stays open while the file is sent."""
    with request.app.state.db.transaction(writes=False) as session:
        for text in make(_context(request, session, signed)):
            yield text.encode("utf-8")


async def _csv_response(request: Request, make: Callable[[OperationContext, Any], Iterator[str]],
                        file_name: str) -> Response:
    """Everything (signature, ids) is checked before the first byte, so a refusal is a JSON error and not
    half a file; then the file streams."""
    try:
        raw = await _body(request)
        body = _json_object(raw)
        if isinstance(body, errors.WorkerError):
            return error_response(body)
        signed = _signed(request, raw)
        await run_in_threadpool(_in_transaction, request, signed, lambda ctx: make(ctx, body), writes=False)
    except _TooLarge:
        return _too_large()
    except errors.ServiceError as exc:
        return _error(exc)
    return StreamingResponse(_stream(request, signed, lambda ctx: make(ctx, body)),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


@router.get("/batches/{batch_id}/results", **_doc(csv=True))
async def batch_results(request: Request, batch_id: str) -> Response:
    """``Batch_<id>_batch_results.csv`` in MTurk's format, streamed."""
    return await _csv_response(request, lambda ctx, _: results.batch_results_csv(ctx, batch_id),
                               results.results_file_name(batch_id))


@router.post("/results", **_doc(HITIdsBody, csv=True))
async def hits_results(request: Request) -> Response:
    """Body: ``{"HITIds": [...]}``: the same file for any of the caller's HITs (API-made ones included)."""
    def make(ctx, body):
        hit_ids = body.get("HITIds")
        if not isinstance(hit_ids, list) or not hit_ids or not all(isinstance(h, str) for h in hit_ids):
            raise errors.missing_parameters("HITIds")
        return results.hits_results_csv(ctx, hit_ids)
    return await _csv_response(request, make, "Results_batch_results.csv")
