"""A QuestionForm with every answer specification, rendered by app/web/question_form.py, in Chromium: filled
in with the keyboard and mouse as a worker would, posted by the browser itself (multipart, with a file),
read back with answers_from_form and checked by the worker API's own checks; refused answers shown beside
their fields. Screenshots at desktop and phone width go to docs/screenshots/ with KEMPELEN_SCREENSHOTS=1."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.datastructures import FormData
from starlette.requests import Request

from kempelen.operations import worksite as ops
from kempelen.web.question_form import answers_from_form, check_form_answers, form_enctype, render_question_form
from tests.question_form_xml import QUESTION_FORM_2005, file_upload_question, selection_question

NS = QUESTION_FORM_2005
BOARD_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="160" viewBox="0 0 3 2">'
             '<rect width="3" height="2" fill="#f4f1de"/><path d="M1 0v2M2 0v2M0 1h3" stroke="#3d405b" '
             'stroke-width=".06"/><circle cx=".5" cy=".5" r=".3" fill="none" stroke="#e07a5f" stroke-width=".08"/>'
             '</svg>')


QUESTION = (
    f'<QuestionForm xmlns="{NS}">'
    "<Overview><Title>Rate a tic-tac-toe game</Title>"
    "<Text>Look at the board, then answer every question.\nRequired questions say so.</Text>"
    "<FormattedContent><![CDATA[<p>The rules are <a href=\"https://example.org/rules\" target=\"_blank\">here</a>."
    " <b>X</b> moved first.</p><table border=\"1\"><tr><th>Move</th><th>Player</th></tr>"
    "<tr><td>1</td><td>X</td></tr></table>]]></FormattedContent>"
    "<Binary><MimeType><Type>image</Type><SubType>svg+xml</SubType></MimeType>"
    "<DataURL>https://example.org/board.svg</DataURL><AltText>The board after three moves</AltText></Binary>"
    "</Overview>"
    "<Question><QuestionIdentifier>nextmove</QuestionIdentifier><DisplayName>Next move</DisplayName>"
    "<IsRequired>true</IsRequired><QuestionContent><Text>Which square should X take next?</Text>"
    "</QuestionContent><AnswerSpecification><FreeTextAnswer><Constraints><Length minLength=\"2\" maxLength=\"2\"/>"
    "<AnswerFormatRegex regex=\"^[A-C][1-3]$\" errorText=\"Write a column A-C and a row 1-3, like B2.\"/>"
    "</Constraints><DefaultText>C1</DefaultText></FreeTextAnswer></AnswerSpecification></Question>"
    "<Question><QuestionIdentifier>age</QuestionIdentifier><QuestionContent><Text>How old are you?</Text>"
    "</QuestionContent><AnswerSpecification><FreeTextAnswer><Constraints><IsNumeric minValue=\"18\" "
    "maxValue=\"120\"/></Constraints></FreeTextAnswer></AnswerSpecification></Question>"
    "<Question><QuestionIdentifier>why</QuestionIdentifier><QuestionContent><Text>Why that square?</Text>"
    "</QuestionContent><AnswerSpecification><FreeTextAnswer><Constraints><Length maxLength=\"300\"/>"
    "</Constraints><NumberOfLinesSuggestion>3</NumberOfLinesSuggestion></FreeTextAnswer></AnswerSpecification>"
    "</Question>"
    + selection_question("winner", [("x", "X"), ("o", "O"), ("draw", "Nobody")], text="Who will win?",
                         style="radiobutton", required=True)
    + selection_question("liked", [("speed", "Fast moves"), ("tactics", "Clever tactics"), ("ending", "The ending")],
                         text="What did you like?", style="checkbox", low=1, high=2,
                         other="<OtherSelection><Constraints><Length maxLength=\"20\"/></Constraints></OtherSelection>")
    + selection_question("skill", [("new", "Beginner"), ("mid", "Club player"), ("pro", "Expert")],
                         text="How skilled is X?", style="dropdown", other="<OtherSelection/>")
    + selection_question("seen", [("books", "Books"), ("online", "Online"), ("club", "At a club")],
                         text="Where have you seen this opening?", style="list", low=0, high=3)
    + file_upload_question("photo", 10, 200000, text="A photo of your own board (optional)")
    + "</QuestionForm>")


def posted_form(body: bytes, content_type: str) -> FormData:
    """What the browser posted, parsed by starlette as the worker site parses it."""
    async def parse() -> FormData:
        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}
        scope = {"type": "http", "method": "POST", "headers": [(b"content-type", content_type.encode("latin-1"))]}
        return await Request(scope, receive).form()
    # Playwright's sync API keeps an event loop running on this thread: parse on another one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, parse()).result()


class FormPage:
    """The rendered fragment inside a page on the server's origin, its POST captured."""

    def __init__(self, page, server):
        self.page, self.server, self.posts = page, server, []
        self.url = f"{server.endpoint}/_test/question-form"
        page.route("https://example.org/board.svg",
                   lambda route: route.fulfill(body=BOARD_SVG, content_type="image/svg+xml"))
        page.route(self.url + "/submit", self._capture)

    def _capture(self, route, request):
        self.posts.append((request.post_data_buffer, request.headers["content-type"]))  # parsed after the wait
        route.fulfill(body="<!DOCTYPE html><title>Posted</title><h1>Posted</h1>", content_type="text/html")

    def show(self, **render) -> None:
        html = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Work on a HIT</title>'
                '<link rel="stylesheet" href="/static/question_form.css"><style>body{margin:0;background:#f4f6fa;'
                'font:16px/1.45 system-ui,sans-serif;color:#1d2433}main{padding:1rem}'
                'button{font:inherit;padding:.55rem 1.2rem;border-radius:6px;border:0;background:#1a5fb4;'
                'color:#fff}</style></head><body><main><h1>Tic-tac-toe survey</h1>'
                f'<form method="post" action="{self.url}/submit" enctype="{form_enctype(QUESTION)}" novalidate>'
                f'{render_question_form(QUESTION, **render)}<button type="submit">Submit</button></form>'
                '</main></body></html>')
        self.page.route(self.url, lambda route: route.fulfill(body=html, content_type="text/html"))
        self.page.goto(self.url)

    def submit(self) -> FormData:
        self.page.get_by_role("button", name="Submit").click()
        self.page.wait_for_url(self.url + "/submit")
        return posted_form(*self.posts[-1])


@pytest.fixture
def form_page(page, server):
    return FormPage(page, server)


def fill_well(page) -> None:
    page.get_by_role("group", name="Next move").get_by_label("Your answer").fill("B2")
    page.get_by_role("group", name="How old are you?").get_by_label("Your answer").fill("34")
    page.get_by_role("group", name="Why that square?").get_by_label("Your answer").fill("It blocks O\nand forks.")
    page.get_by_role("radio", name="Nobody").check()
    page.get_by_role("checkbox", name="Clever tactics").check()
    page.get_by_role("group", name="What did you like?").get_by_label("Other").fill("The tension")
    page.get_by_role("group", name="How skilled is X?").get_by_label("Your choice").select_option("mid")
    page.get_by_role("group", name="Where have you seen").get_by_label("Your choices").select_option(
        ["books", "club"])
    page.get_by_label("Your file").set_input_files(
        files=[{"name": "board.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"0" * 60}])


def test_a_filled_question_form_posts_what_the_worker_api_takes(form_page, page, screenshot):
    form_page.show()
    fill_well(page)
    answers = answers_from_form(QUESTION, form_page.submit())
    photo = answers.pop("photo")
    assert isinstance(photo, ops.IncomingFile) and (photo.file_name, photo.size) == ("board.png", 64)
    assert answers == {
        "nextmove": "B2", "age": "34", "why": "It blocks O\r\nand forks.", "winner": ["draw"],
        "liked": {"SelectionIdentifiers": ["tactics"], "OtherSelectionText": "The tension"},
        "skill": ["mid"], "seen": ["books", "club"]}
    assert check_form_answers(QUESTION, {**answers, "photo": photo}) == {}
    assert page.refused_requests == []


def test_refused_answers_come_back_beside_their_fields_with_what_was_typed(form_page, page, screenshot):
    form_page.show()
    page.get_by_role("group", name="Next move").get_by_label("Your answer").fill("D4")
    page.get_by_role("group", name="How old are you?").get_by_label("Your answer").fill("twelve")
    for name in ("Fast moves", "Clever tactics", "The ending"):
        page.get_by_role("checkbox", name=name).check()
    posted = form_page.submit()
    answers = answers_from_form(QUESTION, posted)
    problems = check_form_answers(QUESTION, answers)
    assert problems == {"nextmove": "Write a column A-C and a row 1-3, like B2.",
                        "age": "The answer must be a number, not 'twelve'.",
                        "liked": "Select at most 2 options (3 selected).",
                        "winner": "This question requires an answer."}
    form_page.show(values=posted, errors=problems)
    for group, message in (("Next move", problems["nextmove"]), ("How old are you?", problems["age"]),
                           ("What did you like?", problems["liked"]), ("Who will win?", problems["winner"])):
        field = page.get_by_role("group", name=group).locator("input, select, textarea").first
        assert field.get_attribute("aria-invalid") == "true"
        assert message in field.evaluate(
            "f => f.getAttribute('aria-describedby').split(' ').map(i => document.getElementById(i).innerText)"
            ".join(' ')")
    assert page.get_by_role("group", name="How old are you?").get_by_label("Your answer").input_value() == "twelve"
    assert page.get_by_role("checkbox", name="The ending").is_checked()
    screenshot(page, "question-form-errors.png")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than a phone
    screenshot(page, "question-form-phone.png")


def test_every_field_is_reached_with_the_keyboard(form_page, page):
    form_page.show()
    names = set(page.eval_on_selector_all("form [name]", "nodes => nodes.map(n => n.name)"))
    reached = set()
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.name || document.activeElement.textContent")
        reached.add(name)
        if name == "Submit":
            break
    assert names <= reached


def test_the_question_form_screenshot(form_page, page, screenshot):
    form_page.show()
    fill_well(page)
    screenshot(page, "question-form.png")
