"""The `kempelen` command and the AWS CLI, as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kempelen.testing import LiveServer
from tests.commands import kempelen


def test_requester_create_json_and_db_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    upgraded = kempelen("db", "upgrade", "--database-url", url)
    assert upgraded.returncode == 0, upgraded.stderr
    created = kempelen("requester", "create", "--json", "--database-url", url)
    assert created.returncode == 0, created.stderr
    keys = json.loads(created.stdout)
    assert keys["AccessKeyId"].startswith("AKIA") and len(keys["SecretAccessKey"]) == 40
    plain = kempelen("requester", "create", "--database-url", url)
    assert "AWS_ACCESS_KEY_ID=" in plain.stdout and "AWS_SECRET_ACCESS_KEY=" in plain.stdout


def test_a_created_requester_can_call_the_live_server(tmp_path):
    with LiveServer() as server:
        keys = json.loads(kempelen("requester", "create", "--json", "--database-url",
                                   server.database_url).stdout)
        assert server.client(keys).get_account_balance()["AvailableBalance"] == "10000.00"


def test_serve_refuses_a_public_address_with_development_credentials(tmp_path):
    result = kempelen("serve", "--host", "0.0.0.0", "--database-url", f"sqlite:///{tmp_path / 'k.db'}",
                      env={"KEMPELEN_DEVELOPMENT_CREDENTIALS": "on"})
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0" in result.stderr


def test_serve_refuses_an_unknown_password_hashing(tmp_path):
    result = kempelen("serve", "--database-url", f"sqlite:///{tmp_path / 'k.db'}",
                      env={"KEMPELEN_PASSWORD_HASHING": "md5"})
    assert (result.returncode, result.stdout) == (2, "")
    assert "KEMPELEN_PASSWORD_HASHING must be one of standard, test, not 'md5'" in result.stderr


def test_disabled_development_credentials_are_refused():
    from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY

    dev = {"AccessKeyId": DEVELOPMENT_ACCESS_KEY_ID, "SecretAccessKey": DEVELOPMENT_SECRET_ACCESS_KEY}
    with LiveServer() as server:
        assert server.client(dev).get_account_balance()["AvailableBalance"] == "10000.00"
    with LiveServer(env={"KEMPELEN_DEVELOPMENT_CREDENTIALS": "off", "KEMPELEN_ADMIN_TOKEN": "t0ken"}) as server:
        server.admin_token = "t0ken"
        client = server.client(dev)
        with pytest.raises(client.exceptions.ClientError) as excinfo:
            client.get_account_balance()
        assert excinfo.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_clock_commands_move_a_manual_server():
    with LiveServer() as server:
        env = {"KEMPELEN_ENDPOINT": server.endpoint}
        before = server.now()
        advanced = kempelen("clock", "advance", "3600", env=env)
        assert advanced.returncode == 0, advanced.stderr
        assert (server.now() - before).total_seconds() == 3600
        assert kempelen("clock", "set", "2030-01-01T00:00:00Z", env=env).returncode == 0
        assert server.now().isoformat().startswith("2030-01-01T00:00:00")
        shown = kempelen("clock", "show", env=env)
        assert shown.stdout.startswith("2030-01-01")


def test_clock_refuses_on_a_system_clock_server():
    with LiveServer(clock="system") as server:
        result = kempelen("clock", "advance", "60", env={"KEMPELEN_ENDPOINT": server.endpoint})
        assert result.returncode != 0
        assert "system clock" in result.stderr


AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


@pytest.mark.skipif(AWS is None, reason="the AWS CLI is not installed")
def test_aws_cli_create_get_list_expire_delete(server, credentials):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
           "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"], "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}

    def aws(*args: str) -> dict:
        result = subprocess.run([AWS, "mturk", *args, "--endpoint-url", server.endpoint, "--output", "json"],
                                capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else {}

    question = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
                '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/</ExternalURL>'
                '<FrameHeight>0</FrameHeight></ExternalQuestion>')
    hit = aws("create-hit", "--title", "CLI", "--description", "From the AWS CLI", "--reward", "0.05",
              "--assignment-duration-in-seconds", "60", "--lifetime-in-seconds", "600",
              "--question", question)["HIT"]
    assert aws("get-hit", "--hit-id", hit["HITId"])["HIT"]["Title"] == "CLI"
    assert [h["HITId"] for h in aws("list-hits")["HITs"]] == [hit["HITId"]]
    aws("update-expiration-for-hit", "--hit-id", hit["HITId"], "--expire-at", "0")
    assert aws("get-hit", "--hit-id", hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"
    aws("delete-hit", "--hit-id", hit["HITId"])
    assert aws("list-hits")["HITs"] == []
