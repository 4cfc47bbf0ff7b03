"""The outside world notifications go to: moto's standalone server (SQS, SNS), an SMTP mailbox, a queue
read the way a requester's consumer reads it."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from email import message_from_bytes
from email.message import Message

import boto3

from kempelen.testing.server import free_port

AWS_KEYS = dict(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


class MotoServer:
    """moto's standalone server (real HTTP, SigV4 accepted) in a child process, on a given or free port."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None

    def start(self) -> MotoServer:
        self._process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                                          str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2).close()
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)  # waiting for a child process to listen
        self.stop()
        raise RuntimeError("moto server did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.endpoint, **AWS_KEYS)


class Mailbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


class Queue:
    """An SQS queue on moto, read the way a requester's consumer would."""

    def __init__(self, sqs, url: str):
        self.sqs, self.url = sqs, url
        self.received: list[str] = []

    def wait_for(self, count: int, timeout: float = 20.0) -> list[str]:
        """Bodies received so far, once at least `count` arrived (bounded real-time wait)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            self._receive(wait=1)
        assert len(self.received) >= count, f"{len(self.received)} of {count} messages arrived: {self.received}"
        return list(self.received)

    def settle(self) -> list[str]:
        """Everything, after one more look. Rows are sent in outbox order, so an event that should not have
        been sent but came before the awaited ones has arrived by now; a duplicate would show up too."""
        while self._receive(wait=0):
            pass
        return list(self.received)

    def _receive(self, wait: int) -> int:
        response = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
        for message in response.get("Messages", []):
            self.received.append(message["Body"])
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return len(response.get("Messages", []))
