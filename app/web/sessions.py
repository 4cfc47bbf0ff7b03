"""Sessions, CSRF and sign-in throttling over HTTP, for both websites (worker site and requester site).

- The session cookie (``kempelen_session``) holds a random token; the row lives in the database
  (kempelen.auth.sessions). HttpOnly, SameSite=Lax, Secure when the site is reached over https.
- Every form carries a CSRF token: the session's own once signed in; before that (sign-in and sign-up
  forms) a random value also held in an HttpOnly, SameSite=Strict cookie (double submit). `csrf_form` is the
  one dependency every POST route uses: it parses the form and refuses it (403) without the right token, or
  when the browser says it comes from another origin.
- `throttled_sign_in` slows repeated failures (per account and per client address).

Pages use it like this::

    @router.post("/signin")
    def sign_in(request: Request, form: FormData = Depends(csrf_form)): ...

    @router.get("/dashboard")
    def dashboard(request: Request, who: SignedIn = Depends(require(WORKER, "/signin"))): ...
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kempelen.auth import sessions as rules
from kempelen.auth.sessions import REQUESTER_LOGIN, WORKER, SignedIn  # noqa: F401 - re-exported for the sites

SESSION_COOKIE = "kempelen_session"
ANONYMOUS_CSRF_COOKIE = "kempelen_csrf"
CSRF_FIELD = "csrf_token"


class CSRFRefused(Exception):
    """A state-changing request without the form's token (or from another origin)."""


class SignInRequired(Exception):
    def __init__(self, sign_in_path: str, next_url: str):
        super().__init__(sign_in_path)
        self.location = f"{sign_in_path}?next={quote(next_url, safe='/')}"


def _secure(request: Request) -> bool:
    configured = request.app.state.settings.public_url or ""
    return request.url.scheme == "https" or configured.startswith("https://")


def current(request: Request) -> SignedIn | None:
    """The signed-in session of this request (read once per request), kept alive while in use."""
    if "web_session" in request.state._state:
        return request.state.web_session
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token and len(token) < 200:
        state = request.app.state
        now = state.clock.now()
        with state.db.transaction(writes=False) as session:
            found = rules.resume(session, token, now)
            stale = found is not None and rules.needs_touch(session, token, now)
        if stale:
            with state.db.transaction() as session:
                rules.touch(session, token, now)
    request.state.web_session = found
    return found


def signed_in_as(request: Request, kind: str) -> SignedIn | None:
    found = current(request)
    return found if found is not None and found.kind == kind else None


def require(kind: str, sign_in_path: str) -> Callable[[Request], SignedIn]:
    """A dependency: the signed-in principal of `kind`, or a redirect to `sign_in_path` (back here after)."""
    def dependency(request: Request) -> SignedIn:
        found = signed_in_as(request, kind)
        if found is None:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(sign_in_path, here)
        return found
    return dependency


def sign_in(request: Request, response: Response, session: Session, kind: str, principal_id: str) -> SignedIn:
    """Start a session in `session`'s transaction (ending the browser's previous one) and set its cookie."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        rules.end(session, old)
    started = rules.start(session, kind, principal_id, request.app.state.clock.now())
    response.set_cookie(SESSION_COOKIE, started.token, max_age=int(rules.SESSION_IDLE_LIFETIME.total_seconds()),
                        path="/", httponly=True, samesite="lax", secure=_secure(request))
    response.delete_cookie(ANONYMOUS_CSRF_COOKIE, path="/")
    request.state.web_session = started
    return started


def sign_out(request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with request.app.state.db.transaction() as session:
            rules.end(session, token)
    response.delete_cookie(SESSION_COOKIE, path="/")
    request.state.web_session = None


# --- CSRF ---------------------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The token forms on this page carry. Before sign-in it is the anonymous cookie's value (a new one is
    made and `set_csrf_cookie` sets it on the response)."""
    found = current(request)
    if found is not None:
        return found.csrf_token
    if "anonymous_csrf" not in request.state._state:
        existing = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
        request.state.anonymous_csrf = existing if existing and 20 <= len(existing) <= 100 else None
        if request.state.anonymous_csrf is None:
            request.state.anonymous_csrf = rules.new_token()
            request.state.set_anonymous_csrf = True
    return request.state.anonymous_csrf


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the anonymous CSRF cookie if this page made one."""
    if request.state._state.get("set_anonymous_csrf"):
        response.set_cookie(ANONYMOUS_CSRF_COOKIE, request.state.anonymous_csrf, path="/", httponly=True,
                            samesite="strict", secure=_secure(request))


def _same_origin(request: Request) -> bool:
    """A browser names where a POST comes from (Origin, else Referer); when it does, it must be this site."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return True
    if claimed == "null":
        return False
    parts = urlsplit(claimed)
    here = request.url
    origins = {f"{here.scheme}://{here.netloc}"}
    configured = request.app.state.settings.public_url
    if configured:
        configured_parts = urlsplit(configured)
        origins.add(f"{configured_parts.scheme}://{configured_parts.netloc}")
    return f"{parts.scheme}://{parts.netloc}" in origins


def check_csrf(request: Request, submitted: str | None) -> None:
    found = current(request)
    expected = found.csrf_token if found is not None else request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    if not (submitted and expected and hmac.compare_digest(submitted.encode(), expected.encode())):
        raise CSRFRefused()
    if not _same_origin(request):
        raise CSRFRefused()


async def csrf_form(request: Request) -> FormData:
    """The dependency of every POST route of the sites: the parsed form, once its CSRF token checks out."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    check_csrf(request, token if isinstance(token, str) else None)
    return form


# --- sign-in throttling -------------------------------------------------------------------------------


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


class SignInLocked(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds

    @property
    def message(self) -> str:
        return (f"Too many failed sign-ins. Try again in {self.seconds} seconds.")


def throttled_sign_in(request: Request, session: Session, site: str, account: str,
                      check: Callable[[], str | None]) -> str | None:
    """Run `check` (returns the principal id when the credentials are right, else None) unless the account
    or the client is locked out (SignInLocked); count the outcome. Runs in the caller's write transaction,
    which must commit on a failure too: show the refusal after the transaction, do not raise inside it."""
    keys = rules.throttle_keys(site, account, client_address(request))
    now = request.app.state.clock.now()
    wait = rules.locked_for(session, keys, now)
    if wait:
        raise SignInLocked(wait)
    principal_id = check()
    if principal_id is None:
        rules.record_failure(session, keys, now)
    else:
        rules.record_success(session, keys)
    return principal_id
