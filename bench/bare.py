"""The baseline: a bare FastAPI app with one `POST /` that reads and parses the JSON body, as Kempelen does,
and returns a small JSON body.

Served exactly as `kempelen serve` serves Kempelen (`uvicorn.run(app, host=, port=, log_level=,
access_log=False)`: the same default loop and HTTP implementation, uvloop and httptools here, one worker),
in its own process:

    python -m bench.bare --port 8100
"""

from __future__ import annotations

import argparse
import json

from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/")
async def root(request: Request) -> dict:
    body = await request.body()
    # a worker's accept has no body (bench.workers sends it here too); Kempelen reads none there either
    parameters = json.loads(body) if body else {}
    return {"ok": True, "service": "bare", "members": len(parameters)}


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.bare")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
