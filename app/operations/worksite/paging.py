"""NextToken and MaxResults of the worker API's lists (keyset cursors, as the Requester API's)."""

from __future__ import annotations

from kempelen import errors
from kempelen.store import pagination


def cursor(scope: str, token: str | None) -> int | None:
    try:
        return pagination.decode(scope, token)
    except pagination.InvalidToken:
        raise errors.worker_invalid_next_token() from None


def limit_of(max_results: int | None) -> int:
    if max_results is None:
        return pagination.DEFAULT_PAGE_SIZE
    if not 1 <= max_results <= 100:
        raise errors.invalid_value("MaxResults must be between 1 and 100.")
    return max_results

