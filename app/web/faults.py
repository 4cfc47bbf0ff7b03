"""The Requester API's side of kempelen.faults: the response a faulted request gets instead of its operation."""

from __future__ import annotations

import asyncio
import json

from fastapi import Response

from kempelen import ids
from kempelen.clock import Clock, epoch_ms
from kempelen.faults import Faults



def _operation(headers: list[tuple[str, str]]) -> str | None:
    for key, value in headers:
        if key.lower() == "x-amz-target":
            return value.strip().rpartition(".")[2] or None
    return None


async def injected_response(faults: Faults, headers: list[tuple[str, str]], clock: Clock,
                            content_type: str) -> Response | None:
    """Wait out a latency rule (without holding up other requests), then answer a throttle or fault rule's
    error in the AWS JSON 1.1 envelope; None lets the request through to its operation."""
    injection = faults.for_request(_operation(headers))
    if injection is None:
        return None
    if injection.delay_seconds:
        await asyncio.sleep(injection.delay_seconds)  # real time: a slow network, not the service clock
    if injection.error is None:
        return None
    body = json.dumps(injection.error.body(epoch_ms(clock.now())), separators=(",", ":")).encode()
    return Response(body, status_code=injection.error.status_code, media_type=content_type,
                    headers={"x-amzn-RequestId": ids.request_id()})
