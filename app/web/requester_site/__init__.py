"""The requester website under /requester/ (the worker site is at /): sign-in, projects and batches, Manage
(HITs and review), workers, qualification types, the account and the Developer page.

Pages call kempelen.operations only; every change is a Requester API operation run for the signed-in member's
account (common.call), so the site and the API share their rules, events, fees and errors.
"""

from __future__ import annotations

from fastapi import FastAPI

from kempelen import errors
from kempelen.web.requester_site import account, batches, manage, projects, qualifications, signin, workers
from kempelen.web.requester_site.common import PREFIX, refused_page


def install(app: FastAPI) -> None:
    """The site's routes, and its answer to an operation's refusal that escaped a page (the Requester API
    answers its own refusals before they get here; so do the /_kempelen/requester routes)."""
    # each module's router straight into the app, as the worker site's (kempelen.web.worker_site.install)
    for module in (signin, manage, projects, batches, workers, qualifications, account):
        app.include_router(module.router, prefix=PREFIX, include_in_schema=False)
    app.add_exception_handler(errors.ServiceError, refused_page)
