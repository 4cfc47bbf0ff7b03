"""RequestIds are random version-4 UUIDs in their usual text form, as AWS sends them."""

from __future__ import annotations

import re
import uuid

from kempelen import ids


def test_a_request_id_is_a_random_version_4_uuid():
    made = [ids.request_id() for _ in range(2000)]
    assert len(set(made)) == len(made)
    for text in made:
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", text)
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
    # every other digit is random: each hex digit turns up in each free position
    for position in (0, 9, 15, 20, 35):
        assert {text[position] for text in made} == set("0123456789abcdef")
