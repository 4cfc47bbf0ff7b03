"""The requester website under /requester/ (the worker site is at /): sign-in, projects and batches, Manage
(HITs and review), workers, qualification types, the account and the Developer page.

Pages call kempelen.operations only; every change is a Requester API operation run for the signed-in member's
account (common.call), so the site and the API share their rules, events, fees and errors.
"""

from __future__ import annotations

from fastapi import APIRouter

from kempelen.web.requester_site import account, batches, manage, projects, qualifications, signin, workers
from kempelen.web.requester_site.common import PREFIX

router = APIRouter(prefix=PREFIX, include_in_schema=False)
for module in (signin, manage, projects, batches, workers, qualifications, account):
    router.include_router(module.router)
