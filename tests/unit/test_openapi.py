"""openapi/kempelen.json is what the application says about itself."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import export_openapi  # noqa: E402


def test_openapi_file_is_up_to_date():
    rendered = export_openapi.render()
    assert export_openapi.TARGET.read_text() == rendered
    assert {"/_kempelen/clock", "/_kempelen/requesters", "/_kempelen/health"} <= set(json.loads(rendered)["paths"])
