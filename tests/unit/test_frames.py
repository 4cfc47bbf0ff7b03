"""Frame URLs and the externalSubmit field rules (app/domain/frames.py), without a server."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest

from kempelen.domain import frames

SITE = "http://127.0.0.1:8000"
ACCEPTED = "&assignmentId=3AS1&hitId=3HIT&workerId=AWORKER&turkSubmitTo=http%3A%2F%2F127.0.0.1%3A8000"
PREVIEWED = "&assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=3HIT"


def accepted(url: str, submit_to: str = SITE) -> str:
    return frames.external_frame_url(url, "3HIT", "3AS1", "AWORKER", submit_to)


def previewed(url: str) -> str:
    return frames.external_frame_url(url, "3HIT", None, None, SITE)


@pytest.mark.parametrize("url, expected", [
    ("https://example.org/task", "https://example.org/task?" + ACCEPTED[1:]),
    ("https://example.org/task?item=17", "https://example.org/task?item=17" + ACCEPTED),
    ("https://example.org/task?item=17&lang=en", "https://example.org/task?item=17&lang=en" + ACCEPTED),
    ("https://example.org/task?", "https://example.org/task?" + ACCEPTED[1:]),
    ("https://example.org/task?item=17&", "https://example.org/task?item=17&" + ACCEPTED[1:]),
    ("https://example.org/task?item=17#step-2", "https://example.org/task?item=17" + ACCEPTED + "#step-2"),
    # A hash route: the parameters go before the fragment, where location.search finds them.
    ("https://example.org/#/task?x=1", "https://example.org/?" + ACCEPTED[1:] + "#/task?x=1"),
    ("http://localhost:5000/ad", "http://localhost:5000/ad?" + ACCEPTED[1:]),
])
def test_accepted_frame_url(url, expected):
    assert accepted(url) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://example.org/task", "https://example.org/task?" + PREVIEWED[1:]),
    ("https://example.org/task?item=17#top", "https://example.org/task?item=17" + PREVIEWED + "#top"),
])
def test_preview_frame_url_has_only_assignment_and_hit(url, expected):
    assert previewed(url) == expected


def test_turk_submit_to_is_the_origin_without_trailing_slash():
    assert accepted("https://example.org/task", submit_to=SITE + "/") == accepted("https://example.org/task")


def test_parameters_are_plainly_url_encoded():
    """Old helper scripts unescape() what a regex finds, so a value must be encoded exactly once."""
    url = frames.external_frame_url("https://example.org/t", "3HIT", "3AS1", "AW", "https://turk.example/a b~c")
    query = urlsplit(url).query
    assert query.endswith("&turkSubmitTo=https%3A%2F%2Fturk.example%2Fa%20b~c")
    assert unquote(query.rsplit("=", 1)[1]) == "https://turk.example/a b~c"
    assert [name for name, _ in parse_qsl(query)] == ["assignmentId", "hitId", "workerId", "turkSubmitTo"]


def test_html_question_frame_is_hosted_on_the_server():
    assert frames.html_frame_url(SITE + "/", "3HIT", "3AS1", "AWORKER") == f"{SITE}/dynamic/hit?" + ACCEPTED[1:]
    assert frames.html_frame_url(SITE, "3HIT", None, None) == f"{SITE}/dynamic/hit?" + PREVIEWED[1:]


def test_html_question_frame_on_a_content_host_still_submits_to_the_site():
    url = frames.html_frame_url(SITE, "3HIT", "3AS1", "AWORKER", content_url="http://content.example:8001/")
    assert url.startswith("http://content.example:8001/dynamic/hit?assignmentId=3AS1&hitId=3HIT")
    assert url.endswith("&turkSubmitTo=" + quote(SITE, safe=""))


def test_external_answers_keep_order_join_repeats_and_drop_reserved_names():
    fields = [("assignmentId", "3AS1"), ("colour", "red"), ("hitId", "3HIT"), ("fruit", "apple"),
              ("workerId", "AW"), ("colour", "blue"), ("turkSubmitTo", SITE), ("note", ""),
              ("colour", ""), ("Submit", "Submit")]
    assert frames.external_answers(fields) == [("colour", "red|blue|"), ("fruit", "apple"), ("note", ""),
                                               ("Submit", "Submit")]


def test_external_answers_are_case_sensitive_and_may_be_empty():
    # Only the exact reserved names are dropped: "AssignmentId" is an answer like any other.
    assert frames.external_answers([("AssignmentId", "x"), ("assignmentid", "y")]) == \
        [("AssignmentId", "x"), ("assignmentid", "y")]
    assert frames.external_answers([("assignmentId", "3AS1")]) == []
