"""The worker website: routes only; every rule lives in kempelen.operations.worksite (the same code the worker
API runs).

Modules: accounts (sign up, sign in/out, one-time links, the admin's invite/link routes), home (front door,
My HITs, dashboard), groups (the HIT groups list), work (preview, accept, the task page, submit, return),
qualifications (scores, requestable types, tests), messages (the inbox), links (MTurk's legacy URLs).
"""

from fastapi import FastAPI

from kempelen.web.worker_site import accounts, groups, home, links, messages, qualifications, work


def install(app: FastAPI) -> None:
    # Each module's router straight into the app: FastAPI builds an included router's routes again for each
    # router that includes it, and checks a router included without a prefix by building its nested ones.
    for module in (accounts, home, groups, work, qualifications, messages, links):
        app.include_router(module.router, include_in_schema=False)
