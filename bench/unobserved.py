"""`kempelen serve` with the request observer taken out: the baseline bench.observer measures its cost
against. A bench-only launcher; the product has no switch for this."""

import sys

import kempelen.main
from kempelen.cli import main


class Passthrough:
    def __init__(self, app, **_options):
        self.app = app

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)


kempelen.main.RequestObserver = Passthrough
sys.exit(main())
