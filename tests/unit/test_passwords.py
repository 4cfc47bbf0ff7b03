"""Password hashing: argon2id as RFC 9106 recommends, or at its cheapest on a test server."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters

from kempelen.auth import passwords


@pytest.fixture
def hashing():
    yield passwords.use
    passwords.use("standard")


def test_standard_hashing_is_rfc_9106s_second_recommendation():
    params = extract_parameters(passwords.hash_password("a long passphrase"))
    assert (params.type.name, params.time_cost, params.memory_cost, params.parallelism) == ("ID", 3, 65536, 4)


def test_a_test_servers_hashes_are_cheap_and_either_setting_verifies_the_others(hashing):
    standard = passwords.hash_password("a long passphrase")
    hashing("test")
    cheap = passwords.hash_password("a long passphrase")
    assert extract_parameters(cheap).memory_cost < extract_parameters(standard).memory_cost
    for stored in (standard, cheap):
        assert passwords.verify_password(stored, "a long passphrase")
        assert not passwords.verify_password(stored, "a long passphrasE")
    assert not passwords.verify_password(None, "a long passphrase")  # the dummy hash, made with this setting
    hashing("standard")
    assert passwords.verify_password(cheap, "a long passphrase")
    with pytest.raises(KeyError):
        hashing("md5")
