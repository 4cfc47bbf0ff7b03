"""Sending one event document to an SQS queue, an SNS topic or an email address, or one NotifyWorkers message
to a worker's email address (transport MESSAGE: ours, never a requester's NotificationTransport).

SQS and SNS calls are SigV4-signed by botocore. A queue URL names its own host, so SendMessage goes there
(an emulator's URL reaches the emulator); a topic ARN names no host, so SNS goes to KEMPELEN_SNS_ENDPOINT
when set. Any failure is raised as DeliveryFailed, for the caller to retry or report.
"""

from __future__ import annotations

import re
import smtplib
import threading
from email.message import EmailMessage
from urllib.parse import urlsplit

from kempelen.clock import epoch_ms, wall_time
from kempelen.config import Settings
from kempelen.events.documents import email_text, message_email

MESSAGE = "Message"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$")
_AWS_QUEUE_HOST = re.compile(r"^(?:sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?|([a-z0-9-]+)\.queue\.amazonaws\.com)$")
# Our own retries do the retrying: one HTTP attempt per delivery attempt, with bounded waits.
_CLIENT_CONFIG = dict(connect_timeout=5, read_timeout=15, retries={"total_max_attempts": 1})


class DeliveryFailed(Exception):
    pass


def destination_problem(transport: str, destination: str) -> str | None:
    """Why a destination cannot be used with a transport, or None."""
    if transport == "Email":
        return None if _EMAIL.match(destination) else "an email address"
    if transport == "SNS":
        return None if _TOPIC_ARN.match(destination) else "an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)"
    parts = urlsplit(destination)
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme in ("http", "https") and parts.hostname and len(segments) == 2:
        return None
    return "an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>)"


def send(settings: Settings, transport: str, destination: str, body: str) -> None:
    try:
        if transport == "SQS":
            _send_sqs(settings, destination, body)
        elif transport == "SNS":
            _send_sns(settings, destination, body)
        elif transport == "Email":
            _send_email(settings, destination, *email_text(body))
        elif transport == MESSAGE:
            _send_email(settings, destination, *message_email(body))
        else:
            raise DeliveryFailed(f"unknown transport {transport!r}")
    except DeliveryFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - network, protocol and service errors alike are a failed delivery
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def _send_sqs(settings: Settings, queue_url: str, body: str) -> None:
    parts = urlsplit(queue_url)
    match = _AWS_QUEUE_HOST.match(parts.hostname or "")
    region = (match.group(1) or match.group(2)) if match else settings.notification_aws_region
    client = _client(settings, "sqs", f"{parts.scheme}://{parts.netloc}", region)
    client.send_message(QueueUrl=queue_url, MessageBody=body)


def _send_sns(settings: Settings, topic_arn: str, body: str) -> None:
    region = _TOPIC_ARN.match(topic_arn).group(1)
    client = _client(settings, "sns", settings.sns_endpoint, region)
    # Real deliveries carried the send moment, in epoch milliseconds, as the Subject.
    client.publish(TopicArn=topic_arn, Message=body, Subject=str(epoch_ms(wall_time())))


def _send_email(settings: Settings, address: str, subject: str, text: str) -> None:
    if not settings.smtp_host:
        raise DeliveryFailed("no SMTP server is configured (KEMPELEN_SMTP_HOST)")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_from, address, subject
    message.set_content(text)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        smtp.send_message(message)


_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()
_fallback_credentials: tuple[str, str, str | None] | None = None


def _client(settings: Settings, service: str, endpoint: str | None, region: str):
    """A cached botocore client (they are thread-safe, and costly to build)."""
    key_id, secret, token = _credentials(settings)
    key = (service, endpoint, region, key_id, secret, token)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            # botocore is imported when a notification is first sent, not at every server start
            import botocore.session
            from botocore.config import Config

            session = botocore.session.get_session()
            client = session.create_client(service, region_name=region, endpoint_url=endpoint,
                                           aws_access_key_id=key_id, aws_secret_access_key=secret,
                                           aws_session_token=token, config=Config(**_CLIENT_CONFIG))
            _clients[key] = client
        return client


def _credentials(settings: Settings) -> tuple[str, str, str | None]:
    if settings.notification_aws_access_key_id and settings.notification_aws_secret_access_key:
        return settings.notification_aws_access_key_id, settings.notification_aws_secret_access_key, None
    global _fallback_credentials
    if _fallback_credentials is None:
        import botocore.session

        found = botocore.session.get_session().get_credentials()
        if found is not None:
            frozen = found.get_frozen_credentials()
            _fallback_credentials = (frozen.access_key, frozen.secret_key, frozen.token)
        else:  # local emulators accept any signature: dummy credentials keep them reachable out of the box
            _fallback_credentials = ("kempelen", "kempelen", None)
    return _fallback_credentials
