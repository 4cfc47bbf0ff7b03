"""KEMPELEN_REQUESTER_HOST: the requester site answers at that host's root too; other hosts keep the worker
site at /, and the Requester API keeps POST / everywhere."""

from __future__ import annotations

import httpx

from kempelen.testing import LiveServer


def test_the_requester_site_on_a_host_name_of_its_own():
    with LiveServer(env={"KEMPELEN_REQUESTER_HOST": "requester.lab.example"}) as server:
        on_its_host = httpx.get(server.endpoint + "/manage", headers={"Host": "requester.lab.example:8000"})
        assert on_its_host.status_code == 303
        assert on_its_host.headers["location"] == "/requester/signin?next=/requester/manage"
        sign_in = httpx.get(server.endpoint + "/signin", headers={"Host": "requester.lab.example"})
        assert "Sign in as a requester" in sign_in.text
        elsewhere = httpx.get(server.endpoint + "/signin")
        assert "Sign in as a requester" not in elsewhere.text
        credentials = server.create_requester()
        assert server.client(credentials).get_account_balance()["AvailableBalance"] == "10000.00"
