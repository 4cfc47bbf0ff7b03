"""Requester logins: created with the CLI, invited (CLI and Account page), signing in with the shared sessions
and throttling, CSRF on every form, one account never seeing another's HITs; the Developer page's keys."""

from __future__ import annotations

import json
import re
import subprocess
import uuid

import pytest

from tests.commands import kempelen as run_kempelen
from tests.requester_site.helpers import Site, notice, problem

PASSWORD = "difference engine"


def kempelen(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return run_kempelen(*args, stdin=stdin)


def email() -> str:
    return f"{uuid.uuid4().hex[:10]}@lab.example"


@pytest.fixture
def member(server, credentials):
    address = email()
    server.admin("POST", f"/_kempelen/requesters/{credentials['AccessKeyId']}/logins",
                 {"Email": address, "Password": PASSWORD})
    site = Site(server.endpoint)
    site.sign_in(address, PASSWORD)
    return site


def test_requester_create_with_a_login_then_signing_in(server):
    address = email()
    created = kempelen("requester", "create", "--json", "--login", address.upper(), "--password-stdin",
                       "--database-url", server.database_url, stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    keys = json.loads(created.stdout)
    site = Site(server.endpoint)
    refused = site.sign_in(address, "not the password")
    assert refused.status_code == 400 and problem(refused) == "That email address and password do not match an account."
    page = site.sign_in(address, PASSWORD)  # addresses are compared lower-cased
    assert page.url.path == "/requester/manage"
    assert keys["AccessKeyId"] in page.text  # the banner names the account
    assert "Sandbox mode" in page.text
    again = kempelen("requester", "create", "--login", address, "--password-stdin", "--database-url",
                     server.database_url, stdin=PASSWORD + "\n")
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.strip() == f"kempelen: MemberAlreadyExists: {address} already signs in to a requester account."

    # Against the running server (the default): the account and its login in one admin call.
    online = email()
    made = kempelen("requester", "create", "--json", "--login", online, "--password-stdin", "--endpoint",
                    server.endpoint, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert Site(server.endpoint).sign_in(online, PASSWORD).url.path == "/requester/manage"
    refused = kempelen("requester", "create", "--login", online, "--password-stdin", "--endpoint", server.endpoint,
                       stdin=PASSWORD + "\n")
    assert refused.returncode == 1 and "MemberAlreadyExists" in refused.stderr and refused.stdout == ""


def test_repeated_failures_lock_the_address_out(server, credentials):
    address = email()
    server.admin("POST", f"/_kempelen/requesters/{credentials['AccessKeyId']}/logins",
                 {"Email": address, "Password": PASSWORD})
    site = Site(server.endpoint)
    for _ in range(6):
        site.sign_in(address, "wrong guess")
    locked = site.sign_in(address, PASSWORD)  # even the right password waits out the lock
    assert locked.status_code == 400
    assert re.fullmatch(r"Too many failed sign-ins\. Try again in \d+ seconds\.", problem(locked))
    server.advance_clock(16 * 60)
    assert site.sign_in(address, PASSWORD).url.path == "/requester/manage"


def test_invitations_from_the_cli_and_from_the_account_page(server, credentials):
    key = credentials["AccessKeyId"]
    first = email()
    invited = kempelen("requester", "invite", key, first, "--json", "--endpoint", server.endpoint)
    assert invited.returncode == 0, invited.stderr
    link = json.loads(invited.stdout)["InviteURL"]
    assert link.startswith(f"{server.endpoint}/requester/invite/")
    site = Site(server.endpoint)
    assert first in site.get(link).text
    joined = site.post(link.removeprefix(server.endpoint), {"password": PASSWORD, "password_again": PASSWORD})
    assert joined.url.path == "/requester/manage"
    used = Site(server.endpoint).get(link)
    assert used.status_code == 404 and "not valid" in problem(used)

    # Someone already in the account invites the next person from the Account page.
    second = email()
    made = site.post("/requester/account/invite", {"email": second})
    second_link = re.search(r"https?://\S+/requester/invite/[\w-]+", notice(made)).group(0)
    other = Site(server.endpoint)
    other.get(second_link)
    mismatch = other.post(second_link.removeprefix(server.endpoint), {"password": PASSWORD, "password_again": "x"})
    assert mismatch.status_code == 400 and problem(mismatch) == "The two passwords differ."
    other.post(second_link.removeprefix(server.endpoint), {"password": PASSWORD, "password_again": PASSWORD})
    people = other.get("/requester/account").text
    assert first in people and second in people and f"invited by {first}" in people


def test_a_form_without_its_csrf_token_changes_nothing(server, credentials, member):
    before = member.get("/requester/developer").text.count("<code>AKIA")
    refused = member.http.post("/requester/developer/keys", data={})
    assert refused.status_code == 403
    forged = member.http.post("/requester/developer/keys", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert member.get("/requester/developer").text.count("<code>AKIA") == before


def test_signing_out_ends_the_session(member):
    member.post("/requester/signout")
    assert member.get("/requester/manage").url.path == "/requester/signin"


def test_one_account_never_sees_another_accounts_hits(server, credentials, member, mturk):
    stranger = server.client(server.create_requester())
    hit = stranger.create_hit(Title="Theirs", Description="d", Reward="0.10", MaxAssignments=1,
                              AssignmentDurationInSeconds=60, LifetimeInSeconds=600,
                              Question=QUESTION)["HIT"]
    page = member.get(f"/requester/hits/{hit['HITId']}")
    assert page.status_code == 404 and problem(page).startswith(f"Hit {hit['HITId']} does not exist.")
    assert hit["HITId"] not in member.get("/requester/manage").text
    expired = member.post(f"/requester/hits/{hit['HITId']}/expire")
    assert problem(expired).startswith(f"Hit {hit['HITId']} does not exist.")
    assert stranger.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Assignable"


def test_developer_keys_act_for_the_account_until_deactivated(server, credentials, member, mturk):
    mine = mturk.create_hit(Title="Mine", Description="d", Reward="0.10", MaxAssignments=1,
                            AssignmentDurationInSeconds=60, LifetimeInSeconds=600, Question=QUESTION)["HIT"]
    created = member.post("/requester/developer/keys")
    assert created.headers["cache-control"] == "no-store"
    key_id = re.search(r'<code id="new-key-id">(\w+)</code>', created.text).group(1)
    secret = re.search(r'<code id="new-key-secret">([^<]+)</code>', created.text).group(1)
    assert secret not in member.get("/requester/developer").text  # shown once
    other = server.client({"AccessKeyId": key_id, "SecretAccessKey": secret.replace("&#43;", "+")})
    assert other.get_hit(HITId=mine["HITId"])["HIT"]["Title"] == "Mine"  # the same account's HITs
    made = other.create_hit(Title="Through the new key", Description="d", Reward="0.10", MaxAssignments=1,
                            AssignmentDurationInSeconds=60, LifetimeInSeconds=600, Question=QUESTION)["HIT"]
    assert mturk.get_hit(HITId=made["HITId"])["HIT"]["Title"] == "Through the new key"

    gone = member.post(f"/requester/developer/keys/{key_id}/deactivate")
    assert notice(gone) == f"Deactivated {key_id}: it can no longer sign requests."
    with pytest.raises(other.exceptions.ClientError) as refused:
        other.create_worker_block(WorkerId="AEXAMPLEWORKER", Reason="r")
    assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"

    # The original key can be switched off while another is active; the last active key cannot.
    member.post("/requester/developer/keys")
    original = credentials["AccessKeyId"]
    assert notice(member.post(f"/requester/developer/keys/{original}/deactivate")).startswith(f"Deactivated {original}")
    with pytest.raises(mturk.exceptions.ClientError):
        mturk.create_worker_block(WorkerId="AEXAMPLEWORKER", Reason="r")
    newest = re.findall(r"<code>(AKIA\w+)</code>", member.get("/requester/developer").text)[-1]
    last = member.post(f"/requester/developer/keys/{newest}/deactivate")
    assert problem(last) == (f"{newest} is the account's only active key: create another one before "
                             "deactivating it.")
    assert member.get("/requester/manage").url.path == "/requester/manage"  # the people still sign in


QUESTION = ("<HTMLQuestion xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/"
            "HTMLQuestion.xsd\"><HTMLContent><![CDATA[<p><input name=\"a\"></p>]]></HTMLContent>"
            "<FrameHeight>0</FrameHeight></HTMLQuestion>")
