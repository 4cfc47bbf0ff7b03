"""Writes openapi/kempelen.json: the OpenAPI description of Kempelen's own JSON routes.

The MTurk Requester API itself is described by botocore's model, not here.
Run: python scripts/export_openapi.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "openapi" / "kempelen.json"


def render() -> str:
    import tempfile

    from kempelen.config import Settings
    from kempelen.main import create_app

    with tempfile.TemporaryDirectory() as tmp:  # the app is built, never served: the database stays empty
        app = create_app(Settings(database_url=f"sqlite:///{tmp}/openapi.db"))
        text = json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"
        app.state.db.dispose()
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if TARGET.read_text() != text:
            print(f"{TARGET} is out of date: run python scripts/export_openapi.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
