"""prepare_html_question: MTurk's script and submit addresses in HTMLContent become this server's."""

from __future__ import annotations

import pytest

from kempelen.web.hit_content import prepare_html_question

ASSETS = "https://kempelen.test/static"
SUBMIT = "https://kempelen.test/mturk/externalSubmit"


def prepare(html: str) -> str:
    return prepare_html_question(html, assets_base=ASSETS + "/", submit_url=SUBMIT)


CROWD = f"{ASSETS}/crowd/crowd-html-elements.js"
LEGACY = f"{ASSETS}/mturk/externalHIT_v1.js"


@pytest.mark.parametrize(("address", "served"), [
    ("https://assets.crowd.aws/crowd-html-elements.js", CROWD),
    ("http://assets.crowd.aws/crowd-html-elements.js", CROWD),
    ("//assets.crowd.aws/crowd-html-elements.js", CROWD),
    ("https://ASSETS.crowd.aws/crowd-html-elements.js", CROWD),
    ("https://assets.crowd.aws/crowd-html-elements-without-ce-polyfill.js", CROWD),
    ("https://assets.crowd.aws/crowd-html-elements.js?v=2#x", CROWD),
    ("https://s3.amazonaws.com/mturk-public/externalHIT_v1.js", LEGACY),
    ("http://s3.amazonaws.com/mturk-public/externalHIT_v1.js", LEGACY),
    ("//s3.amazonaws.com/mturk-public/externalHIT_v1.js", LEGACY),
    ("https://mturk-public.s3.amazonaws.com/externalHIT_v1.js", LEGACY),
])
def test_mturks_scripts_load_from_this_server(address, served):
    html = f"<script type='text/javascript' src='{address}'></script><crowd-form></crowd-form>"
    assert prepare(html) == f"<script type='text/javascript' src='{served}'></script><crowd-form></crowd-form>"


@pytest.mark.parametrize("address", [
    "https://www.mturk.com/mturk/externalSubmit",
    "https://workersandbox.mturk.com/mturk/externalSubmit",
    "http://workersandbox.mturk.com/mturk/externalSubmit",
    "//www.mturk.com/mturk/externalSubmit",
    "https://WorkerSandbox.MTurk.com/mturk/externalSubmit",
])
def test_hard_coded_submit_addresses_post_here(address):
    html = (f"<form method='post' id='mturk_form' action='{address}'></form>"
            f'<script>var url = "{address}"; $.post("{address}", data);</script>')
    assert prepare(html) == (f"<form method='post' id='mturk_form' action='{SUBMIT}'></form>"
                             f'<script>var url = "{SUBMIT}"; $.post("{SUBMIT}", data);</script>')


def test_addresses_escaped_as_json_keep_their_escaping():
    html = '<script>var config = {"submit": "https:\\/\\/www.mturk.com\\/mturk\\/externalSubmit"};</script>'
    assert prepare(html) == '<script>var config = {"submit": "https:\\/\\/kempelen.test\\/mturk\\/externalSubmit"};</script>'


def test_everything_else_is_left_alone():
    html = ("<p>Read https://www.mturk.com/mturk/welcome and https://www.mturk.com/mturk/externalSubmitted, "
            "use turkSubmitTo + '/mturk/externalSubmit'; see https://assets.crowd.aws/other.js and "
            "https://s3.amazonaws.com/my-bucket/externalHIT_v1.js. Caf\u00e9 \U0001f600</p>")
    assert prepare(html) == html
