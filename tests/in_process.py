"""The Requester API served in process (Starlette's TestClient) on an SQLite file, called as boto3 signs."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY, Settings
from kempelen.main import create_app, prepare_database
from kempelen.store.db import Database

Call = Callable[[str, dict], tuple[int, dict]]


@contextlib.contextmanager
def requester_calls(directory) -> Iterator[Call]:
    """call(operation, params) -> (status, body), signed with the development credentials, against an app on
    a database in `directory`, its lifespan running for the block."""
    from fastapi.testclient import TestClient

    settings = Settings(database_url=f"sqlite:///{directory / 'kempelen.db'}", data_dir=directory,
                        clock="system", development_credentials=True)
    db = Database(settings.database_url)
    try:
        app = create_app(settings, db=db)
        prepare_database(settings, db, app.requester_api.clock)
        with TestClient(app) as client:
            def call(operation: str, params: dict) -> tuple[int, dict]:
                body = json.dumps(params).encode()
                request = AWSRequest(method="POST", url="http://testserver/", data=body, headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": f"MTurkRequesterServiceV20170117.{operation}"})
                SigV4Auth(Credentials(DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY), "mturk-requester",
                          "us-east-1").add_auth(request)
                answer = client.post("/", content=body, headers=dict(request.headers.items()))
                return answer.status_code, json.loads(answer.content)

            yield call
    finally:
        db.dispose()
