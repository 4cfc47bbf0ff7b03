"""HTML made for MTurk, made to work offline: the addresses of MTurk's scripts and submit endpoints in a
HIT's HTMLContent are pointed at this server before the page is served.

- Crowd HTML Elements (``https://assets.crowd.aws/crowd-html-elements.js`` and its variants) -> Kempelen's
  own implementation, ``{assets_base}/crowd/crowd-html-elements.js``;
- the legacy helper (``https://s3.amazonaws.com/mturk-public/externalHIT_v1.js``, also in the
  ``mturk-public.s3.amazonaws.com`` spelling) -> ``{assets_base}/mturk/externalHIT_v1.js``;
- ``https://www.mturk.com/mturk/externalSubmit`` and ``https://workersandbox.mturk.com/mturk/externalSubmit``
  -> ``submit_url``.

The rewrite is textual, so an address is found wherever the page has it: in ``src``/``action`` attributes
and in its scripts' strings (also written with JSON's ``\\/``). Scheme-relative (``//host/...``) and
``http:`` forms count; host names are matched without regard to case; a query string or fragment after a
script's address is dropped with it. Anything else is left exactly as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.staticfiles import StaticFiles

STATIC_PATH = "/static"  # where app/web/static is served
CROWD_ELEMENTS_PATH = "/crowd/crowd-html-elements.js"
EXTERNAL_HIT_PATH = "/mturk/externalHIT_v1.js"

_SLASH = r"(?:/|\\/)"          # "/" or JSON's "\/"
_SCHEME = rf"(?:https?:)?{_SLASH}{_SLASH}"
_TAIL = r"(?:\?[^\s\"'<>#]*)?(?:#[^\s\"'<>]*)?"

# every file name AWS served the elements under (with or without the custom-elements polyfill)
_CROWD = re.compile(rf"{_SCHEME}assets\.crowd\.aws{_SLASH}crowd-html-elements(?:-without-ce-polyfill)?\.js{_TAIL}",
                    re.IGNORECASE)
_EXTERNAL_HIT = re.compile(
    rf"{_SCHEME}(?:s3\.amazonaws\.com{_SLASH}mturk-public|mturk-public\.s3\.amazonaws\.com){_SLASH}"
    rf"externalHIT_v1\.js{_TAIL}", re.IGNORECASE)
_EXTERNAL_SUBMIT = re.compile(rf"{_SCHEME}(?:www|workersandbox)\.mturk\.com{_SLASH}mturk{_SLASH}externalSubmit"
                              r"(?![\w-])", re.IGNORECASE)


def static_files() -> StaticFiles:
    """app/web/static (the crowd elements, externalHIT_v1.js), to mount at STATIC_PATH."""
    return StaticFiles(directory=Path(__file__).parent / "static")


def prepare_html_question(html: str, *, assets_base: str, submit_url: str) -> str:
    """``html`` with MTurk's script and submit addresses replaced by this server's.

    ``assets_base``: where app/web/static is served (e.g. ``https://kempelen.example/static``);
    ``submit_url``: this server's externalSubmit (e.g. ``https://kempelen.example/mturk/externalSubmit``)."""
    base = assets_base.rstrip("/")
    html = _CROWD.sub(_to(base + CROWD_ELEMENTS_PATH), html)
    html = _EXTERNAL_HIT.sub(_to(base + EXTERNAL_HIT_PATH), html)
    return _EXTERNAL_SUBMIT.sub(_to(submit_url), html)


def _to(url: str):
    """A replacement keeping the match's spelling of "/" (plain, or escaped as in a JSON string)."""
    escaped = url.replace("/", "\\/")
    return lambda match: escaped if "\\/" in match[0] else url
