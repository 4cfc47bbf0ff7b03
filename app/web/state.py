"""Admin routes for tests and CI (/_kempelen/...): reset, snapshots, fault rules. The work is done in
kempelen.operations.state and kempelen.faults; these routes only translate."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from kempelen import errors
from kempelen.operations import state as ops
from kempelen.web.admin import require_admin

router = APIRouter(prefix="/_kempelen", tags=["admin"], dependencies=[Depends(require_admin)])
# Routes whose every accepted request changes the whole server (empties it, rewinds it, makes it misbehave):
# a fuzzer that expects each request to be refused with the database unchanged leaves them to their own tests.
WHOLE_STATE = {"x-kempelen-whole-state": True}


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requester: str | None = Field(default=None, description="Only this requester's activity (an AccessKeyId).")
    everything: bool = Field(default=False, description="Accounts too: requesters' keys, workers, funds. The "
                                                        "development requester comes back if it is enabled.")


class FaultRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="throttle, service-fault, latency or duplicate-notification")
    operations: list[str] | None = Field(default=None, description='Operation names (EventTypes for '
                                         'duplicate-notification); absent or ["*"]: all')
    share: float = Field(default=1.0, description="0..1: the share of matching requests hit (evenly spread "
                                                  "unless seed is given)")
    latency_ms: int = Field(default=0, description="latency: the delay added")
    count: int | None = Field(default=None, description="stop after this many hits")
    seed: int | None = Field(default=None, description="choose the requests hit at random, reproducibly")


def _forget_cached_accounts(request: Request) -> None:
    # The Requester API remembers active keys for a few seconds; a reset or restore may have removed some.
    request.app.state.requester_api.requesters.clear()


@router.post("/reset", openapi_extra=WHOLE_STATE)
def reset(body: ResetRequest, request: Request) -> dict:
    """Empty HITs, HIT types, assignments, qualifications, bonuses, messages and events, of every requester or
    of one; access keys and workers stay unless ``everything``. Returns the rows deleted per table."""
    state = request.app.state
    deleted = ops.reset(state.db, state.clock, state.settings, requester=body.requester,
                        everything=body.everything)
    _forget_cached_accounts(request)
    return {"Deleted": deleted}


@router.get("/snapshots")
def list_snapshots(request: Request) -> dict:
    state = request.app.state
    return {"Snapshots": ops.list_snapshots(state.db, state.settings)}


@router.put("/snapshots/{name}", openapi_extra=WHOLE_STATE)
def save_snapshot(name: str, request: Request) -> dict:
    """Save the whole database (and a manual clock's time, and seeded ids' progress) as `name`, replacing a
    snapshot of that name."""
    state = request.app.state
    return ops.save_snapshot(state.db, state.clock, state.settings, name)


@router.post("/snapshots/{name}/restore", openapi_extra=WHOLE_STATE)
def restore_snapshot(name: str, request: Request) -> dict:
    """Put the database back as it was saved (and a manual clock back to the saved time)."""
    state = request.app.state
    restored = ops.restore_snapshot(state.db, state.clock, state.settings, name)
    _forget_cached_accounts(request)
    return restored


@router.delete("/snapshots/{name}", status_code=204, openapi_extra=WHOLE_STATE)
def delete_snapshot(name: str, request: Request) -> Response:
    state = request.app.state
    ops.delete_snapshot(state.db, state.settings, name)
    return Response(status_code=204)


@router.get("/faults")
def read_faults(request: Request) -> dict:
    """The fault rules in force in this process, with how many requests each has seen and hit."""
    return {"Rules": request.app.state.faults.describe()}


class FaultRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    Rules: list[FaultRuleIn] = Field(description="The rules, in order; an empty list turns faults off.")


@router.put("/faults", openapi_extra=WHOLE_STATE)
def set_faults(body: FaultRules, request: Request) -> dict:
    """Replace every fault rule: ``{"Rules": [{"kind": "throttle", "operations": ["CreateHIT"], "share": 0.5}]}``."""
    try:
        described = request.app.state.faults.set([rule.model_dump(exclude_none=True) for rule in body.Rules])
    except ValueError as exc:
        raise errors.fault_rules_invalid(str(exc)) from None
    return {"Rules": described}


@router.delete("/faults", status_code=204, openapi_extra=WHOLE_STATE)
def clear_faults(request: Request) -> Response:
    request.app.state.faults.clear()
    return Response(status_code=204)


@router.get("/hits/{hit_id}")
def hit_facts(hit_id: str, request: Request) -> dict:
    """A HIT's owner and RequesterAnnotation (hidden from workers), for simulated crowds whose answers are
    keyed by annotation."""
    return ops.hit_facts(request.app.state.db, hit_id)
