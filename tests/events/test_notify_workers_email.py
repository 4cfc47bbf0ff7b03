"""NotifyWorkers by email: a worker with an address gets the message by mail (a real SMTP server) as well as
in the inbox; mail waits out an SMTP server that is down; without an address or an SMTP server, the inbox."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from email.header import decode_header, make_header

from aiosmtpd.controller import Controller

from kempelen.testing import LiveServer
from kempelen.testing.server import free_port
from tests.commands import kempelen as run_kempelen
from emulators import Mailbox
from event_checks import hit, hit_type


def address(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.org"


def set_email(server, worker_id: str, email: str) -> dict:
    return server.admin("POST", f"/api/workers/{worker_id}/profile", {"Email": email})


def reviewed_worker(server, mturk, workforce, email: str | None = None):
    """A worker whose work the requester approved (NotifyWorkers reaches only those), with an address or not."""
    worker = workforce.new()
    assignment = worker.accept(hit(mturk, hit_type(mturk))["HITId"])["AssignmentId"]
    worker.submit(assignment, {"bird": "robin"})
    mturk.approve_assignment(AssignmentId=assignment)
    if email is not None:
        set_email(server, worker.worker_id, email)
    return worker


def wait_for_mail(mailbox, to: str, timeout: float = 20.0) -> list:
    deadline = time.monotonic() + timeout
    while not mailbox.to(to) and time.monotonic() < deadline:
        time.sleep(0.05)  # real time for the delivery thread, not service time
    assert mailbox.to(to), f"no mail to {to}"
    return mailbox.to(to)


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def text_of(message) -> str:
    """The body, with SMTP's CRLF line ends back to the newlines sent."""
    return message.get_payload(decode=True).decode(message.get_content_charset()).replace("\r\n", "\n")


def inbox(worker) -> list[tuple[str, str]]:
    return [(m["Subject"], m["Body"]) for m in worker.messages()]


def test_a_worker_with_an_address_gets_the_message_by_email_and_in_the_inbox(server, mturk, workforce, mailbox):
    to = address("reached")
    reached = reviewed_worker(server, mturk, workforce, email=to)
    without_address = reviewed_worker(server, mturk, workforce)
    stranger_address = address("stranger")
    stranger = workforce.new()  # has an address, but never did work for this requester
    set_email(server, stranger.worker_id, stranger_address)
    subject, text = f"Grüße, more birds {uuid.uuid4().hex[:6]}", "Thank you for the robins.\nMore HITs tomorrow.\n"

    # The others come first: any mail wrongly queued for them is sent before the one awaited.
    result = mturk.notify_workers(Subject=subject, MessageText=text, WorkerIds=[
        without_address.worker_id, stranger.worker_id, "ANOSUCHWORKER1", reached.worker_id])
    failures = {f["WorkerId"]: f["NotifyWorkersFailureCode"] for f in result["NotifyWorkersFailureStatuses"]}
    assert failures == {stranger.worker_id: "HardFailure", "ANOSUCHWORKER1": "HardFailure"}

    (mail,) = wait_for_mail(mailbox, to)
    assert (mail["From"], mail["To"], subject_of(mail), text_of(mail)) == ("mturk@kempelen.test", to, subject, text)
    assert inbox(reached)[-1] == inbox(without_address)[-1] == (subject, text)
    assert inbox(stranger) == [] and mailbox.to(stranger_address) == []
    assert [m for m in mailbox.messages if subject_of(m) == subject] == [mail]


def test_without_an_address_the_message_goes_to_the_inbox_only(server, mturk, workforce, mailbox):
    removed = address("removed")
    worker = reviewed_worker(server, mturk, workforce, email=removed)
    assert server.admin("GET", f"/api/workers/{worker.worker_id}")["Email"] == removed
    assert "Email" not in set_email(server, worker.worker_id, "")  # "" removes the address
    mturk.notify_workers(Subject="Inbox only", MessageText="No mail for you.", WorkerIds=[worker.worker_id])
    assert inbox(worker)[-1] == ("Inbox only", "No mail for you.")

    to = address("after")
    later = reviewed_worker(server, mturk, workforce, email=to)
    mturk.notify_workers(Subject="By mail", MessageText="Mail for you.", WorkerIds=[later.worker_id])
    wait_for_mail(mailbox, to)  # queued after anything the first call queued, so that would be here by now
    assert mailbox.to(removed) == []


def test_a_bad_address_is_refused(server, workforce):
    worker = workforce.new()
    for bad in ("not-an-address", "two@at@signs", "a b@example.org", "x@" + "y" * 260):
        status, body = post(server, f"/api/workers/{worker.worker_id}/profile", {"Email": bad})
        assert (status, body["Error"]["Code"]) == (400, "InvalidParameterValue"), (bad, body)
    assert "Email" not in server.admin("GET", f"/api/workers/{worker.worker_id}")


def post(server, path: str, body: dict) -> tuple[int, dict]:
    """An admin POST whose refusal is the answer (server.admin raises on it)."""
    request = urllib.request.Request(server.endpoint + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {server.admin_token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_mail_waits_for_an_smtp_server_that_is_down(database_url, delivery_settings):
    port = free_port()  # nothing listens here until the mailbox comes up
    # No delivery loop to speak of: the test drives each pass with a flush.
    env = {**delivery_settings, "KEMPELEN_SMTP_PORT": str(port), "KEMPELEN_DELIVERY_INTERVAL": "3600"}
    with LiveServer(database_url, env=env) as live:
        mturk = live.client(live.create_requester())
        to = address("patient")
        worker = reviewed_worker(live, mturk, live.workforce(), email=to)
        result = mturk.notify_workers(Subject="Later", MessageText="Whenever the mail is up.",
                                      WorkerIds=[worker.worker_id])
        assert result["NotifyWorkersFailureStatuses"] == []  # a mail server that is down fails nothing
        assert inbox(worker) == [("Later", "Whenever the mail is up.")]
        flush = lambda: live.admin("POST", "/_kempelen/notifications/flush")  # noqa: E731
        assert flush() == {"Delivered": 0, "Failed": 1}
        assert flush() == {"Delivered": 0, "Failed": 1}  # still pending: tried again

        late = Mailbox()
        controller = Controller(late, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            assert flush() == {"Delivered": 1, "Failed": 0}
            assert flush() == {"Delivered": 0, "Failed": 0}
            (mail,) = late.messages
            assert (mail["To"], mail["Subject"], text_of(mail)) == (to, "Later", "Whenever the mail is up.\n")
        finally:
            controller.stop()


def test_without_an_smtp_server_nothing_is_queued(database_url):
    with LiveServer(database_url) as live:
        mturk = live.client(live.create_requester())
        worker = reviewed_worker(live, mturk, live.workforce(), email=address("unmailed"))
        mturk.notify_workers(Subject="Inbox", MessageText="Only the inbox.", WorkerIds=[worker.worker_id])
        assert inbox(worker) == [("Inbox", "Only the inbox.")]
        assert live.admin("POST", "/_kempelen/notifications/flush") == {"Delivered": 0, "Failed": 0}


# --- kempelen worker profile --email ------------------------------------------------------------------


def kempelen(server, *args: str) -> subprocess.CompletedProcess:
    return run_kempelen(*args, env={"KEMPELEN_ENDPOINT": server.endpoint})


def test_cli_sets_the_address_notify_workers_mails(server, mturk, workforce, mailbox):
    worker = reviewed_worker(server, mturk, workforce)
    to = address("cli")
    shown = kempelen(server, "worker", "profile", "--worker", worker.worker_id, "--email", to)
    assert (shown.returncode, shown.stdout) == (0, f"WorkerId: {worker.worker_id}\nCountry: US\nAdult: no\n"
                                                   f"Masters: no\nEmail: {to}\n"), shown.stderr
    listed = kempelen(server, "worker", "profile", "--worker", worker.worker_id, "--json")
    assert json.loads(listed.stdout)["Email"] == to

    bad = kempelen(server, "worker", "profile", "--worker", worker.worker_id, "--email", "nobody")
    assert (bad.returncode, bad.stderr) == (1, "kempelen: InvalidParameterValue: Email 'nobody' is not an email "
                                               "address such as worker@example.org.\n")

    mturk.notify_workers(Subject="From the CLI", MessageText="Set by kempelen.", WorkerIds=[worker.worker_id])
    (mail,) = wait_for_mail(mailbox, to)
    assert (subject_of(mail), text_of(mail)) == ("From the CLI", "Set by kempelen.\n")

    removed = kempelen(server, "worker", "profile", "--worker", worker.worker_id, "--email", "")
    assert removed.returncode == 0 and "Email" not in removed.stdout
    assert "Email" not in json.loads(kempelen(server, "worker", "profile", "--worker", worker.worker_id,
                                              "--json").stdout)
