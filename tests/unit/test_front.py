"""The requester front door answers in-process ASGI clients too, not only uvicorn."""

from __future__ import annotations

from tests.in_process import requester_calls


def test_a_signed_call_through_starlettes_test_client(tmp_path):
    """Starlette's TestClient hands the ASGI `server` as a list, not uvicorn's tuple."""
    with requester_calls(tmp_path) as call:
        status, body = call("GetAccountBalance", {})
    assert status == 200, body
    assert "AvailableBalance" in body
