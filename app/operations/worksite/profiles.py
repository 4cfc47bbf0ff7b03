"""Worker accounts as the API and the admin know them: creation (with the API token), the worker's own
view (statistics, earnings), and the profile system qualifications read."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from kempelen import errors, ids
from kempelen.domain.money import format_amount
from kempelen.events import transports
from kempelen.store import assignments as store
from kempelen.store import ledger
from kempelen.store import workers as worker_store
from kempelen.store.models import Worker


WORKER_ID_MAX = 64


EMAIL_MAX = 254  # the longest address SMTP carries (RFC 5321)


def valid_worker_id(worker_id: str) -> bool:
    return len(worker_id) <= WORKER_ID_MAX and bool(ids.WORKER_ID.match(worker_id))


def create_worker(session: Session, now: datetime, worker_id: str | None = None) -> tuple[Worker, str]:
    """A new worker and its API token (shown this once; only its digest is kept)."""
    if worker_id is not None and not valid_worker_id(worker_id):
        raise errors.invalid_worker_id(worker_id)
    token = secrets.token_urlsafe(32)
    worker = worker_store.create(session, worker_id or ids.worker_id(), token, now)
    if worker is None:
        raise errors.worker_already_exists(worker_id)
    return worker, token


def worker_view(session: Session, worker: Worker, now: datetime) -> dict:
    stats = store.worker_statistics(session, worker.worker_id, now)
    locale = {"Country": worker.locale_country}
    if worker.locale_subdivision:
        locale["Subdivision"] = worker.locale_subdivision
    rewards, bonuses = ledger.worker_earnings_cents(session, worker.worker_id, now)
    view = {"WorkerId": worker.worker_id, "CreationTime": worker.created_at, "Statistics": stats.as_dict(),
            "Locale": locale, "Adult": worker.adult, "Masters": worker.masters,
            "Earnings": {"Rewards": format_amount(rewards), "Bonuses": format_amount(bonuses),
                         "Total": format_amount(rewards + bonuses)}}
    if worker.email:
        view["Email"] = worker.email
    return view


def set_profile(worker: Worker, *, country: str | None = None, subdivision: str | None = None,
                clear_subdivision: bool = False, adult: bool | None = None, masters: bool | None = None,
                email: str | None = None) -> None:
    """What the system qualifications Worker_Locale, Worker_Adult and Masters read (an admin's call: Kempelen
    has no identity checks or statistical monitoring to decide them), and where NotifyWorkers mails the
    worker ("" removes the address)."""
    if email is not None:
        email = email.strip()
        if email and (len(email) > EMAIL_MAX or transports.destination_problem("Email", email)):
            raise errors.invalid_value(f"Email {email!r} is not an email address such as worker@example.org.")
    if country is not None:
        if not (len(country) == 2 and country.isascii() and country.isalpha() and country.isupper()):
            raise errors.invalid_value(f"Country {country!r} is not an ISO 3166-1 alpha-2 code such as US or DE.")
        worker.locale_country = country
        if country != "US":
            worker.locale_subdivision = None
    if clear_subdivision:
        worker.locale_subdivision = None
    if subdivision is not None:
        if worker.locale_country != "US":
            raise errors.invalid_value("A Subdivision can be set only for the Country US, as on MTurk.")
        if not (1 <= len(subdivision) <= 3 and subdivision.isascii() and subdivision.isalnum()
                and subdivision.isupper()):
            raise errors.invalid_value(f"Subdivision {subdivision!r} is not an ISO 3166-2 code such as CA or NY.")
        worker.locale_subdivision = subdivision
    if adult is not None:
        worker.adult = adult
    if masters is not None:
        worker.masters = masters
    if email is not None:
        worker.email = email or None

