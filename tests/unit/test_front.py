"""The requester front door answers in-process ASGI clients too, not only uvicorn."""

from __future__ import annotations

import json

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY, Settings
from kempelen.main import create_app, prepare_database
from kempelen.store.db import Database


def test_a_signed_call_through_starlettes_test_client(tmp_path):
    """Starlette's TestClient hands the ASGI `server` as a list, not uvicorn's tuple."""
    from fastapi.testclient import TestClient

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'front.db'}", data_dir=tmp_path, clock="system",
                        development_credentials=True)
    db = Database(settings.database_url)
    try:
        app = create_app(settings, db=db)
        prepare_database(settings, db, app.requester_api.clock)
        request = AWSRequest(method="POST", url="http://testserver/", data=b"{}", headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "MTurkRequesterServiceV20170117.GetAccountBalance"})
        SigV4Auth(Credentials(DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY), "mturk-requester",
                  "us-east-1").add_auth(request)
        with TestClient(app) as client:
            answer = client.post("/", content=b"{}", headers=dict(request.headers.items()))
        assert answer.status_code == 200, answer.text
        assert "AvailableBalance" in json.loads(answer.content)
    finally:
        db.dispose()
