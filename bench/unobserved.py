"""`kempelen serve` with the request observer taken out: the baseline bench.observer measures its cost
against. A bench-only launcher; the product has no switch for this."""

import sys

import kempelen.main
from kempelen.cli import main
from kempelen.observability.requests import RequestObserver


class Passthrough(RequestObserver):
    """Counts and logs nothing, whether a call goes through the middleware stack or the front applies the
    stack's work inline (kempelen.front: it recognizes the observer by its class)."""

    def __init__(self, app, **_options):
        self.app = app

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)

    def record(self, *_answered) -> None:
        pass


kempelen.main.RequestObserver = Passthrough
sys.exit(main())
