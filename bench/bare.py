"""The baseline: a bare FastAPI app with one `POST /` that returns a small JSON body.

Served exactly as `kempelen serve` serves Kempelen (app/cli.py: `uvicorn.run(app, host=, port=, log_level=,
access_log=False)`, so the same default loop and HTTP implementation, one worker), in its own process:

    python -m bench.bare --port 8100
"""

from __future__ import annotations

import argparse

from fastapi import FastAPI

app = FastAPI()


@app.post("/")
async def root() -> dict:
    return {"ok": True, "service": "bare"}


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
