"""RequestIds are random version-4 UUIDs in their usual text form, as AWS sends them."""

from __future__ import annotations

import os
import random
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


def test_seeding_pythons_generator_does_not_repeat_request_ids():
    # test runners seed the random module before every test; request ids must not follow it
    random.seed(7)
    first = ids.request_id()
    random.seed(7)
    assert ids.request_id() != first


def test_a_forked_process_draws_request_ids_of_its_own():
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: its next id, then out at once
        os.write(write, ids.request_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read) as pipe:
        assert pipe.read() != ids.request_id()
