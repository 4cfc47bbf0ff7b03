"""Strings no database of ours can store, decided once for every door.

PostgreSQL refuses NUL (U+0000) in text; neither driver can encode an unpaired surrogate (JSON's "\\ud800"
decodes to one) as UTF-8. SQLite would store the NUL, so without this check the two databases would answer
the same request differently.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")

#: How a refusal describes the rule (in Coral's "Member must ..." wording on the requester API).
RULE = "Member must not contain the NUL character (U+0000) or unpaired surrogates"


def unstorable(value: str) -> bool:
    """Whether `value` holds a character the databases cannot store. Cheap for the usual ASCII value."""
    if "\x00" in value:
        return True
    return not value.isascii() and _SURROGATE.search(value) is not None
