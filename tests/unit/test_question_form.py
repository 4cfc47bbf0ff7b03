"""A QuestionForm rendered for a worker, filled in as a browser fills a form, read back and checked by the
same code the worker API uses (kempelen.operations.worksite.answers)."""

from __future__ import annotations

import io
from pathlib import Path

import lxml.html
import pytest
from starlette.datastructures import FormData, Headers, UploadFile

from kempelen import errors
from kempelen.operations.worksite import answers as worker_answers
from kempelen.operations import worksite as ops
from kempelen.questions import parse_question
from kempelen.questions.model import Binary, FormattedContent, FormQuestion, FreeTextAnswer, Question, Text
from kempelen.web.question_form import (answers_from_form, check_form_answers, field_errors, form_enctype,
                                        other_choice, render_question_form, selection_control)
from tests.question_form_xml import (QUESTION_FORM_2005, file_upload_question, free_text_question, question_form,
                                     selection_question)

NS = QUESTION_FORM_2005
FULL_2005 = (Path(__file__).parent / "questions_form_2005_full.xml").read_text()


def form(*questions: str) -> Question:
    return parse_question(question_form(*questions))


def selection(identifier: str, style: str | None, *, choices=("red", "green", "blue"), **options) -> str:
    return selection_question(identifier, choices, style=style, **options)


EVERY_KIND = form(
    free_text_question("nextmove", '<Length minLength="2" maxLength="2"/><AnswerFormatRegex regex="^[A-C][1-3]$" '
              'errorText="Use A1..C3"/>', default="C1", required=True),
    free_text_question("age", '<IsNumeric minValue="18" maxValue="120"/>'),
    free_text_question("story", '<Length maxLength="500"/>', lines=4),
    selection("radio", None, required=True),
    selection("checks", "checkbox", low=1, high=2),
    selection("drop", "dropdown"),
    selection("listed", "list", low=0, high=3),
    selection("combo", "combobox"),
    selection("chooser", "multichooser", low=1, high=3),
    selection("radio_other", "radiobutton", other='<OtherSelection><Constraints><Length maxLength="10"/>'
                                                  '</Constraints></OtherSelection>'),
    selection("checks_other", "checkbox", high=3, other="<OtherSelection/>"),
    selection("drop_other", "dropdown", other="<OtherSelection/>"),
    file_upload_question("photo", 10, 2000),
)


def textarea_value(field) -> str:
    """A textarea's value as HTML5 reads it: one newline right after the start tag is dropped (lxml keeps it)."""
    text = field.text or ""
    return text[1:] if text.startswith("\n") else text


def page(question, **kwargs) -> lxml.html.HtmlElement:
    """The fragment inside a <form>, as the worker page embeds it."""
    return lxml.html.fromstring(f"<form>{render_question_form(question, **kwargs)}</form>")


class Browser:
    """Fills the rendered form and collects what a browser would post (successful controls, in order)."""

    def __init__(self, question: Question, **render):
        self.root = page(question, **render)
        self.files: list[tuple[str, UploadFile]] = []

    def control(self, name: str):
        return self.root.xpath("//*[@name=$name]", name=name)

    def type(self, name: str, text: str) -> None:
        (field,) = self.control(name)
        if field.tag == "textarea":
            field.text = "\n" + text
        else:
            field.set("value", text)

    def tick(self, name: str, *values: str) -> None:
        for field in self.control(name):
            if field.get("type") == "radio" and values:
                field.attrib.pop("checked", None)
            if field.get("value") in values:
                field.set("checked", "checked")

    def choose(self, name: str, *values: str) -> None:
        (field,) = self.control(name)
        for option in field.iter("option"):
            option.attrib.pop("selected", None)
            if option.get("value") in values:
                option.set("selected", "selected")

    def attach(self, name: str, data: bytes, filename: str = "photo.png") -> None:
        self.files.append((name, UploadFile(io.BytesIO(data), size=len(data), filename=filename,
                                            headers=Headers({"content-type": "image/png"}))))

    def post(self) -> FormData:
        items: list = []
        for field in self.root.iter("input", "textarea", "select"):
            name, kind = field.get("name"), field.get("type", "text")
            if field.tag == "textarea":
                items.append((name, textarea_value(field).replace("\n", "\r\n")))
            elif field.tag == "select":
                options = list(field.iter("option"))
                chosen = [o for o in options if o.get("selected") is not None]
                if not chosen and field.get("multiple") is None and field.get("size") in (None, "1"):
                    chosen = options[:1]  # a drop-down always sends its first option
                items.extend((name, o.get("value")) for o in chosen)
            elif kind in ("radio", "checkbox"):
                if field.get("checked") is not None:
                    items.append((name, field.get("value", "on")))
            elif kind == "file":
                sent = [part for part_name, part in self.files if part_name == name]
                items.extend((name, part) for part in sent) if sent else items.append(
                    (name, UploadFile(io.BytesIO(b""), size=0, filename="")))
            else:
                items.append((name, field.get("value", "")))
        return FormData(items)


# --- rendering ----------------------------------------------------------------------------------------------


def test_every_answer_specification_gets_its_control():
    root = page(EVERY_KIND)
    kinds = {}
    for field in root.iter("input", "textarea", "select"):
        description = field.tag if field.tag != "input" else field.get("type")
        if field.tag == "select":
            description += " multiple" if field.get("multiple") is not None else ""
            description += f" size={field.get('size')}" if field.get("size") else ""
        kinds.setdefault(field.get("name"), set()).add(description)
    assert kinds == {
        "nextmove": {"text"}, "age": {"text"}, "story": {"textarea"}, "radio": {"radio"}, "checks": {"checkbox"},
        "drop": {"select"}, "listed": {"select multiple size=3"}, "combo": {"select size=3"},
        "chooser": {"select multiple size=3"}, "radio_other": {"radio"},
        "radio_other.OtherSelectionText": {"text"}, "checks_other": {"checkbox"},
        "checks_other.OtherSelectionText": {"text"}, "drop_other": {"select"},
        "drop_other.OtherSelectionText": {"text"}, "photo": {"file"}}
    (story,) = root.xpath("//textarea")
    assert story.get("rows") == "4"
    (age,) = root.xpath("//input[@name='age']")
    assert age.get("inputmode") == "decimal"
    (nextmove,) = root.xpath("//input[@name='nextmove']")
    assert nextmove.get("value") == "C1" and nextmove.get("required") is not None
    # a drop-down starts on an empty choice, so nothing is chosen for the worker
    assert root.xpath("//select[@name='drop']/option[1]/@value") == [""]
    # exclusive choices get an "Other" choice of their own; checkboxes just the text
    assert root.xpath("//input[@name='radio_other'][@type='radio']/@value")[-1] == "OtherSelection"
    assert root.xpath("//select[@name='drop_other']/option[last()]/@value") == ["OtherSelection"]
    assert "OtherSelection" not in root.xpath("//input[@name='checks_other']/@value")


def test_style_suggestions_follow_max_selection_count():
    spec = lambda style, high: form(selection("x", style, high=high)).questions[0].answer_specification  # noqa: E731
    assert [selection_control(spec(style, 1)) for style in (None, "radiobutton", "checkbox", "dropdown", "list",
                                                            "combobox", "multichooser")] == \
        ["radio", "radio", "checkbox", "dropdown", "list", "list", "list"]
    # radio buttons and a drop-down cannot take several choices: checkboxes and a multiple list instead
    assert [selection_control(spec(style, 2)) for style in (None, "radiobutton", "dropdown")] == \
        ["checkbox", "checkbox", "list"]


def test_other_choice_never_equals_a_selection_identifier():
    question = form(selection("x", None, other="<OtherSelection/>", choices=("OtherSelection", "OtherSelection_")))
    assert other_choice(question.questions[0].answer_specification) == "OtherSelection__"


def test_every_field_has_a_label_and_every_reference_resolves():
    root = page(EVERY_KIND, errors={"checks": "Select at least 1 option (0 selected)."})
    ids = root.xpath("//@id")
    assert len(ids) == len(set(ids))
    for field in root.iter("input", "textarea", "select"):
        assert root.xpath("//label[@for=$id]", id=field.get("id")), field.get("name")
        for reference in (field.get("aria-describedby") or "").split():
            assert reference in ids
    for fieldset in root.iter("fieldset"):
        assert fieldset[0].tag == "legend"
        assert all(reference in ids for reference in fieldset.get("aria-labelledby").split())


def test_required_questions_say_so():
    root = page(EVERY_KIND)
    required = [legend.text_content() for legend in root.iter("legend") if "(required)" in legend.text_content()]
    assert required == ["Question 1 (required)", "Question 4 (required)"]
    assert all(radio.get("required") is not None for radio in root.xpath("//input[@name='radio']"))


def test_constraints_become_hints_tied_to_the_field():
    root = page(EVERY_KIND)

    def hint(name: str) -> str:
        (field,) = [f for f in root.xpath("//*[@name=$n]", n=name)][:1]
        return " ".join(root.get_element_by_id(i).text_content() for i in field.get("aria-describedby").split())

    assert hint("nextmove") == "2 characters."
    assert hint("age") == "A number from 18 to 120."
    assert hint("story") == "At most 500 characters."
    assert hint("checks") == "Choose 1 to 2."
    assert hint("chooser").startswith("Choose 1 to 3. To choose several, hold Ctrl")
    assert hint("radio_other.OtherSelectionText") == "At most 10 characters."
    assert hint("photo") == "A file of 10 bytes to 2 KB (2,000 bytes)."


def test_an_error_sits_next_to_its_field():
    root = page(EVERY_KIND, errors={"nextmove": "Use A1..C3", "nowhere": "There is no such question."})
    (error,) = root.find_class("qf-error")
    assert error.text_content() == "Error: Use A1..C3"
    assert error.getparent().get("id") == "q1"
    (field,) = root.xpath("//input[@name='nextmove']")
    assert field.get("aria-invalid") == "true" and error.get("id") in field.get("aria-describedby").split()
    # an error for no question of the form is listed above it, not lost
    assert "nowhere: There is no such question." in root.find_class("qf-errors")[0].text_content()


def test_content_blocks_are_rendered_and_formatted_content_is_kept_to_the_subset():
    root = page(FULL_2005)
    overview = root.find_class("qf-overview")[0]
    assert overview.xpath(".//h2/text()") == ["Game survey"]
    assert "Plain text: <b> is shown literally." in overview.xpath(".//p[@class='qf-text']/text()")
    assert overview.xpath(".//ul[@class='qf-list']/li/text()") == ["first", "second"]
    assert overview.xpath(".//div[@class='qf-formatted']//a[@target='_blank']/@rel") == ["noopener noreferrer"]
    assert overview.xpath(".//figure/img/@alt") == ["The board"]
    assert overview.xpath(".//video/@src") == ["https://example.org/replay.mp4"]
    assert "Java applet" in overview.text_content() and "Flash movie" in overview.text_content()
    # a Selection's Binary image and FormattedContent label the choice
    assert root.xpath("//label[@for='q2-2']/img/@alt") == ["Pears"]
    assert root.xpath("//label[@for='q2-3']//b/text()") == ["Plums"]


def test_markup_outside_the_subset_never_reaches_the_page():
    # built by hand: the parser refuses such a document, but one stored before a rule changed could hold it
    question = Question("QuestionForm", NS, items=(FormQuestion(
        "q", (FormattedContent('<p>fine<script>alert(1)</script> <a href="javascript:alert(2)">x</a>'
                               '<img src="https://e.org/i.png" alt="i" onerror="alert(3)"/></p><!-- c -->'),
              Text("<script>alert(4)</script>")),
        FreeTextAnswer()),))
    html = str(render_question_form(question))
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in html
    assert '<p>fine <a>x</a><img src="https://e.org/i.png" alt="i"></p>' in html


def test_values_are_shown_again_instead_of_the_defaults():
    values = {"nextmove": "Z9", "age": "17", "story": "line one\r\nline two", "radio": ["green"],
              "checks": ["red", "blue"], "drop": ["blue"], "listed": ["red", "green"],
              "radio_other": {"SelectionIdentifiers": [], "OtherSelectionText": "teal"},
              "checks_other": {"SelectionIdentifiers": ["red"], "OtherSelectionText": "pink"}}
    root = page(EVERY_KIND, values=values)
    assert root.xpath("//input[@name='nextmove']/@value") == ["Z9"]
    assert [textarea_value(t) for t in root.iter("textarea")] == ["line one\nline two"]  # CR LF read as LF
    again = page(EVERY_KIND, values={"story": "\nindented"})
    assert [textarea_value(t) for t in again.iter("textarea")] == ["\nindented"]
    assert root.xpath("//input[@name='radio'][@checked]/@value") == ["green"]
    assert root.xpath("//input[@name='checks'][@checked]/@value") == ["red", "blue"]
    assert root.xpath("//select[@name='drop']/option[@selected]/@value") == ["blue"]
    assert root.xpath("//select[@name='listed']/option[@selected]/@value") == ["red", "green"]
    assert root.xpath("//input[@name='radio_other'][@checked]/@value") == ["OtherSelection"]
    assert root.xpath("//input[@name='radio_other.OtherSelectionText']/@value") == ["teal"]
    assert root.xpath("//input[@name='checks_other'][@checked]/@value") == ["red"]
    assert root.xpath("//input[@name='checks_other.OtherSelectionText']/@value") == ["pink"]


def test_the_posted_form_itself_can_be_shown_again():
    browser = Browser(EVERY_KIND)
    browser.type("nextmove", "B2")
    browser.tick("checks", "green")
    again = page(EVERY_KIND, values=browser.post())
    assert again.xpath("//input[@name='nextmove']/@value") == ["B2"]
    assert again.xpath("//input[@name='checks'][@checked]/@value") == ["green"]


def test_only_a_question_form_is_rendered():
    html_question = parse_question(
        '<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/'
        'HTMLQuestion.xsd"><HTMLContent><![CDATA[<p>x</p>]]></HTMLContent><FrameHeight>0</FrameHeight>'
        '</HTMLQuestion>')
    with pytest.raises(ValueError, match="HTMLQuestion"):
        render_question_form(html_question)


def test_the_form_needs_multipart_only_for_files():
    assert form_enctype(EVERY_KIND) == "multipart/form-data"
    assert form_enctype(form(free_text_question("a"))) == "application/x-www-form-urlencoded"


# --- the posted form, read back and checked --------------------------------------------------------------


def test_a_filled_form_becomes_the_worker_apis_answers():
    browser = Browser(EVERY_KIND)
    browser.type("nextmove", "B2")
    browser.type("age", "42")
    browser.type("story", "once\nupon")
    browser.tick("radio", "blue")
    browser.tick("checks", "red", "green")
    browser.choose("drop", "green")
    browser.choose("listed", "red", "blue")
    browser.choose("chooser", "green")
    browser.tick("radio_other", "OtherSelection")
    browser.type("radio_other.OtherSelectionText", "teal")
    browser.tick("checks_other", "blue")
    browser.type("checks_other.OtherSelectionText", "pink")
    browser.choose("drop_other", "red")
    browser.attach("photo", b"x" * 100)
    answers = answers_from_form(EVERY_KIND, browser.post())
    photo = answers.pop("photo")
    assert isinstance(photo, ops.IncomingFile) and (photo.size, photo.file_name) == (100, "photo.png")
    assert answers == {
        "nextmove": "B2", "age": "42", "story": "once\r\nupon", "radio": ["blue"], "checks": ["red", "green"],
        "drop": ["green"], "listed": ["red", "blue"], "combo": [], "chooser": ["green"],
        "radio_other": {"SelectionIdentifiers": [], "OtherSelectionText": "teal"},
        "checks_other": {"SelectionIdentifiers": ["blue"], "OtherSelectionText": "pink"},
        "drop_other": ["red"]}
    assert check_form_answers(EVERY_KIND, {**answers, "photo": photo}) == {}


def test_the_answers_are_written_as_question_form_answers():
    browser = Browser(EVERY_KIND)
    browser.tick("radio", "red")
    browser.tick("checks_other", "green")
    browser.type("checks_other.OtherSelectionText", "quince")
    answers = answers_from_form(EVERY_KIND, browser.post())
    written = worker_answers.checked(EVERY_KIND, worker_answers.answers_from_json(EVERY_KIND, answers))
    by_question = {answer.question_identifier: answer for answer in written}
    assert by_question["nextmove"].free_text == "C1"  # DefaultText, left unchanged, is the answer
    assert by_question["checks_other"].selection_identifiers == ("green",)
    assert by_question["checks_other"].other_selection_text == "quince"
    assert by_question["drop"].selection_identifiers == () and by_question["drop"].is_empty
    assert "photo" not in by_question  # no file chosen: no answer


def test_other_text_counts_only_when_other_is_the_choice():
    browser = Browser(EVERY_KIND)
    browser.type("radio_other.OtherSelectionText", "teal")
    browser.tick("radio_other", "green")  # typed, then chose a listed colour instead
    browser.type("drop_other.OtherSelectionText", "mauve")  # typed, chose nothing: the text is the answer
    answers = answers_from_form(EVERY_KIND, browser.post())
    assert answers["radio_other"] == ["green"]
    assert answers["drop_other"] == {"SelectionIdentifiers": [], "OtherSelectionText": "mauve"}


def test_refused_answers_are_mapped_to_their_fields():
    browser = Browser(EVERY_KIND)
    browser.type("nextmove", "Z")
    browser.type("age", "twelve")
    browser.tick("checks", "red", "green", "blue")
    browser.tick("radio_other", "OtherSelection")
    browser.type("radio_other.OtherSelectionText", "much too long a colour")
    browser.attach("photo", b"x" * 5)
    problems = check_form_answers(EVERY_KIND, answers_from_form(EVERY_KIND, browser.post()))
    assert problems == {
        "nextmove": "The answer must be at least 2 characters long (it has 1). Use A1..C3",
        "age": "The answer must be a number, not 'twelve'.",
        "checks": "Select at most 2 options (3 selected).",
        "radio_other": "The 'other' text must be at most 10 characters long (it has 22).",
        "photo": "The uploaded file is 5 bytes; it must be between 10 and 2000 bytes.",
        "radio": "This question requires an answer.",
    }
    # shown again: each message beside its own question, with what the worker typed
    root = page(EVERY_KIND, values=browser.post(), errors=problems)
    for name, message in problems.items():
        (fieldset,) = [f for f in root.iter("fieldset") if f.xpath(".//*[@name=$n]", n=name)]
        assert fieldset.find_class("qf-error")[0].text_content() == "Error: " + message
    assert root.xpath("//input[@name='age']/@value") == ["twelve"]


def test_an_empty_file_is_refused_by_the_uploads_own_rule():
    browser = Browser(EVERY_KIND)
    browser.tick("radio", "red")
    browser.attach("photo", b"")
    assert check_form_answers(EVERY_KIND, answers_from_form(EVERY_KIND, browser.post())) == {
        "photo": "The file is 0 bytes; it must be between 10 and 2000 bytes."}


def test_a_badly_shaped_answer_names_its_question():
    # text posted where a file is expected: the same check the API runs says so, on that field
    answers = {**answers_from_form(EVERY_KIND, Browser(EVERY_KIND).post()), "radio": ["red"], "photo": "a.png"}
    assert check_form_answers(EVERY_KIND, answers) == {
        "photo": "The question expects a file upload, not free text."}
    assert field_errors(errors.answers_malformed("The answer to x must be text.", "x")) == {
        "x": "The answer to x must be text."}
    assert field_errors(errors.answers_malformed("Send exactly one of Answers and QuestionFormAnswers.")) == {}


def test_field_errors_reads_the_operations_refusal():
    with pytest.raises(errors.WorkerError) as refused:
        worker_answers.checked(EVERY_KIND, worker_answers.answers_from_json(
            EVERY_KIND, {"nextmove": "D4", "checks": ["red", "red"]}))
    assert field_errors(refused.value) == {
        "nextmove": "Use A1..C3",
        "checks": "'red' is selected more than once.",
        "radio": "This question requires an answer."}


def test_binary_content_becomes_media_with_its_alt_text_and_a_link():
    question = Question("QuestionForm", NS, items=(FormQuestion("q", (
        Binary("image", "png", "https://e.org/a.png", "A chart"),
        Binary("video", "mp4", "https://e.org/b.mp4", "A replay"),
        Binary("audio", "mpeg", "https://e.org/c.mp3", "A voice"),
        Binary("application", "pdf", "https://e.org/d.pdf", "The rules")), FreeTextAnswer()),))
    root = page(question)
    assert root.xpath("//figure/img/@src") == ["https://e.org/a.png"]
    assert root.xpath("//figure/img/@alt") == ["A chart"]
    assert root.xpath("//video[@controls]/@src") == ["https://e.org/b.mp4"]
    assert root.xpath("//audio[@controls]/@src") == ["https://e.org/c.mp3"]
    assert [f.text_content().split(" (")[0] for f in root.xpath("//figcaption")] == ["A replay", "A voice"]
    assert root.xpath("//p[@class='qf-media']/a/@href") == ["https://e.org/d.pdf"]
    assert root.xpath("//p[@class='qf-media']/a/text()") == ["The rules"]
