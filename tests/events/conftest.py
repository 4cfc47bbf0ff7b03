"""Fixtures for notification delivery: moto's standalone server as SQS and SNS, a real SMTP server, and a
live Kempelen server configured to deliver to them (it overrides the suite's `server` for this folder)."""

from __future__ import annotations

import os

import pytest
from aiosmtpd.controller import Controller

from kempelen.testing import LiveServer
from kempelen.testing.server import free_port
from tests.databases import drop, postgres_database
from emulators import Mailbox, MotoServer, Queue


@pytest.fixture(scope="session")
def moto():
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


def delivery_env(moto: MotoServer, mailbox: Mailbox) -> dict[str, str]:
    """A server delivering to the fixtures, passing over its delivery loop often and retrying quickly."""
    return {"KEMPELEN_SNS_ENDPOINT": moto.endpoint, "KEMPELEN_SMTP_HOST": "127.0.0.1",
            "KEMPELEN_SMTP_PORT": str(mailbox.port), "KEMPELEN_SMTP_FROM": "mturk@kempelen.test",
            "KEMPELEN_NOTIFICATION_AWS_ACCESS_KEY_ID": "testing",
            "KEMPELEN_NOTIFICATION_AWS_SECRET_ACCESS_KEY": "testing",
            "KEMPELEN_DELIVERY_INTERVAL": "0.1", "KEMPELEN_DELIVERY_RETRY_SECONDS": "0.2"}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request, moto, mailbox):
    env = delivery_env(moto, mailbox)
    if request.param == "sqlite":
        with LiveServer(env=env) as live:
            yield live
        return
    admin, name, url = postgres_database()
    try:
        with LiveServer(url, env=env) as live:
            yield live
    finally:
        drop(admin, name)


@pytest.fixture
def queue(moto, request):
    sqs = moto.client("sqs")
    name = f"q-{request.node.name[:40].replace('[', '-').replace(']', '')}-{os.urandom(3).hex()}"
    return Queue(sqs, sqs.create_queue(QueueName=name)["QueueUrl"])


class LateQueue:
    """A queue URL whose server is down until come_up() starts moto on its port and creates the queue."""

    def __init__(self, name: str):
        self.moto = MotoServer(free_port())
        self.url = f"{self.moto.endpoint}/123456789012/{name}"
        self.queue: Queue | None = None

    def come_up(self) -> Queue:
        self.moto.start()
        sqs = self.moto.client("sqs")
        self.queue = Queue(sqs, sqs.create_queue(QueueName=self.url.rsplit("/", 1)[1])["QueueUrl"])
        assert self.queue.url == self.url
        return self.queue


@pytest.fixture
def late_queue():
    late = LateQueue(f"late-{os.urandom(4).hex()}")
    yield late
    late.moto.stop()


@pytest.fixture
def delivery_settings(moto, mailbox) -> dict[str, str]:
    return delivery_env(moto, mailbox)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A database that outlives one server process: an SQLite file, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kempelen.db'}"
        return
    admin, name, url = postgres_database()
    try:
        yield url
    finally:
        drop(admin, name)
