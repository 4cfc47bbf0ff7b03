"""The Requester API's reading of a NextToken: MTurk's error for one that is not ours or not this list's."""

from __future__ import annotations

from kempelen import errors
from kempelen.store import pagination


def page_after(scope: str, token: str | None, kind: type = int) -> int | str | None:
    """The key the page starts after (None: the first page)."""
    try:
        return pagination.decode(scope, token, kind)
    except pagination.InvalidToken:
        raise errors.invalid_next_token() from None
