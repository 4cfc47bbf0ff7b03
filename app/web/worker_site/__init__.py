"""The worker website: routes only; every rule lives in kempelen.operations (the same code the worker API runs).

Modules: accounts (sign up, sign in/out, one-time links, admin invite/link routes), groups (the HIT groups
list), work (preview, accept, the task page, submit, return), mine (My HITs, dashboard), qualifications,
messages, links (MTurk's URLs that clients print).
"""

from fastapi import APIRouter

from kempelen.web.worker_site import accounts, home

router = APIRouter(include_in_schema=False)
for module in (accounts, home):
    router.include_router(module.router)
