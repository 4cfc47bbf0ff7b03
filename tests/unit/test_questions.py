"""kempelen.questions: Question/Test/AnswerKey parsing, QuestionFormAnswers writing, answer checks (pure, no server)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from kempelen.questions import (ANSWER_KEY, EXTERNAL_QUESTION, HTML_QUESTION, QUESTION_FORM_2005, QUESTION_FORM_2017,
                           QUESTION_FORM_ANSWERS, Answer, AnswerInvalid, Binary, EmbeddedBinary, FileUploadAnswer,
                           Flash, FormattedContent, FormQuestion, FreeTextAnswer, JavaApplet, ListContent, Overview,
                           PercentageMapping, QuestionInvalid, RangeMapping, ScaleMapping, SelectionAnswer, Text,
                           Title, answer_problems, check_answer_key, check_answers, parse_answer_key,
                           parse_question, parse_question_form_answers, parse_test, write_question_form_answers)
from kempelen.questions.jsregex import js_test

HERE = Path(__file__).parent
FULL_2005 = (HERE / "questions_form_2005_full.xml").read_text(encoding="utf-8")

MINIMAL = """<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd">
  <Overview><Title>Tic-tac-toe</Title><Text>Pick the next move.</Text></Overview>
  <Question>
    <QuestionIdentifier>nextmove</QuestionIdentifier>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>Coordinates?</Text></QuestionContent>
    <AnswerSpecification>
      <FreeTextAnswer>
        <Constraints><Length minLength="2" maxLength="2"/>
          <AnswerFormatRegex regex="^[A-C][1-3]$" errorText="Use A1..C3"/></Constraints>
        <DefaultText>C1</DefaultText>
      </FreeTextAnswer>
    </AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>likelytowin</QuestionIdentifier>
    <QuestionContent><Text>Will X win?</Text></QuestionContent>
    <AnswerSpecification>
      <SelectionAnswer>
        <StyleSuggestion>radiobutton</StyleSuggestion>
        <Selections>
          <Selection><SelectionIdentifier>yes</SelectionIdentifier><Text>Yes</Text></Selection>
          <Selection><SelectionIdentifier>no</SelectionIdentifier><Text>No</Text></Selection>
        </Selections>
      </SelectionAnswer>
    </AnswerSpecification>
  </Question>
</QuestionForm>"""

FREE_TEXT = "<AnswerSpecification><FreeTextAnswer/></AnswerSpecification>"
FILE_UPLOAD = ("<AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>5000</MaxFileSizeInBytes>"
               "<MinFileSizeInBytes>10</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification>")
APPLICATION = ("<Application><Flash><FlashMovieURL>https://example.org/m.swf</FlashMovieURL><Width>1</Width>"
               "<Height>1</Height></Flash></Application>")


def form(body: str, namespace: str = QUESTION_FORM_2017) -> str:
    return f'<QuestionForm xmlns="{namespace}">{body}</QuestionForm>'


def question(identifier: str = "q1", answer: str = FREE_TEXT, content: str = "<Text>?</Text>") -> str:
    return (f"<Question><QuestionIdentifier>{identifier}</QuestionIdentifier>"
            f"<QuestionContent>{content}</QuestionContent>{answer}</Question>")


def external(url: str = "https://example.org/task?item=17", height: str = "0") -> str:
    return (f'<ExternalQuestion xmlns="{EXTERNAL_QUESTION}"><ExternalURL>{url}</ExternalURL>'
            f"<FrameHeight>{height}</FrameHeight></ExternalQuestion>")


HTML_PAGE = """<!DOCTYPE html>
<html><head><script src="https://s3.amazonaws.com/mturk-public/externalHIT_v1.js"></script></head>
<body><form name='mturk_form' method='post' id='mturk_form' action='https://www.mturk.com/mturk/externalSubmit'>
<input type='hidden' value='' name='assignmentId' id='assignmentId'/>
<textarea name='comment'></textarea><input type='submit' id='submitButton' value='Submit'/></form>
<script language='Javascript'>turkSetAssignmentID();</script></body></html>"""


def html_question(content: str = HTML_PAGE, height: str = "450") -> str:
    return (f'<HTMLQuestion xmlns="{HTML_QUESTION}"><HTMLContent><![CDATA[{content}]]></HTMLContent>'
            f"<FrameHeight>{height}</FrameHeight></HTMLQuestion>")


def refused(xml: str, **kwargs) -> str:
    with pytest.raises(QuestionInvalid) as caught:
        parse_question(xml, **kwargs)
    details = caught.value.details
    assert "\n" not in details and details == str(caught.value)
    return details


# --- valid questions ----------------------------------------------------------------------------------------

def test_minimal_2017_form_from_the_docs():
    parsed = parse_question(MINIMAL)
    assert parsed.kind == "QuestionForm" and parsed.namespace == QUESTION_FORM_2017
    assert parsed.overviews == (Overview((Title("Tic-tac-toe"), Text("Pick the next move."))),)
    nextmove, likely = parsed.questions
    assert nextmove.identifier == "nextmove" and nextmove.is_required and nextmove.display_name is None
    assert nextmove.content == (Text("Coordinates?"),)
    spec = nextmove.answer_specification
    assert isinstance(spec, FreeTextAnswer)
    assert (spec.min_length, spec.max_length, spec.default_text, spec.number_of_lines) == (2, 2, "C1", 1)
    assert not spec.is_numeric
    assert [(r.regex, r.error_text, r.flags) for r in spec.regexes] == [("^[A-C][1-3]$", "Use A1..C3", None)]
    selection = likely.answer_specification
    assert isinstance(selection, SelectionAnswer) and not likely.is_required
    assert selection.style == "radiobutton"
    assert (selection.min_selection_count, selection.max_selection_count) == (1, 1)  # documented defaults
    assert selection.selection_identifiers == ("yes", "no")
    assert [s.label for s in selection.selections] == ["Yes", "No"]
    assert selection.other_selection is None
    assert parsed.question("likelytowin") is likely and parsed.question("nope") is None


def test_same_form_under_2005_namespace():
    parsed = parse_question(MINIMAL.replace(QUESTION_FORM_2017, QUESTION_FORM_2005))
    assert parsed.namespace == QUESTION_FORM_2005
    assert parsed.questions == parse_question(MINIMAL).questions


def test_full_2005_form_every_block_and_specification():
    parsed = parse_question(FULL_2005)
    assert parsed.namespace == QUESTION_FORM_2005
    kinds = [type(item).__name__ for item in parsed.items]
    assert kinds == ["Overview", "FormQuestion", "FormQuestion", "Overview", "FormQuestion"]  # document order
    title, text, listing, formatted, binary, embedded, applet, flash = parsed.items[0].content
    assert title == Title("Game survey")
    assert text == Text("Plain text: <b> is shown literally.")
    assert listing == ListContent(("first", "second"))
    assert isinstance(formatted, FormattedContent) and "Rules&nbsp;of play" in formatted.xhtml
    assert binary == Binary("image", "png", "https://example.org/board.png", "The board")
    assert isinstance(embedded, EmbeddedBinary) and (embedded.mime_type, embedded.mime_subtype) == ("video", "mp4")
    assert (embedded.width, embedded.height) == ("320", "240")
    assert [(p.name, p.value) for p in embedded.parameters] == [("autoplay", "false")]
    assert isinstance(applet, JavaApplet) and applet.applet_filename == "Board.class"
    assert applet.applet_path == "http://example.org/applets/" and applet.parameters[0].name == "level"
    assert isinstance(flash, Flash) and flash.movie_url == "https://example.org/board.swf"
    assert [item.tag for item in parsed.items[0].content] == [
        "Title", "Text", "List", "FormattedContent", "Binary", "EmbeddedBinary", "JavaApplet", "Flash"]

    age, fruits, photo = parsed.questions
    assert age.display_name == "Your age" and age.is_required  # IsRequired given as "1"
    spec = age.answer_specification
    assert spec.is_numeric and (spec.min_value, spec.max_value) == (18, 120)
    assert (spec.min_length, spec.max_length) == (2, 3)
    assert [(r.regex, r.message, r.flags) for r in spec.regexes] == [
        (r"^\d+$", "Digits only", None), ("^[^0]", "Invalid input supplied.", "i")]

    choice = fruits.answer_specification
    assert choice.style == "checkbox" and (choice.min_selection_count, choice.max_selection_count) == (0, 3)
    assert [s.label for s in choice.selections] == ["Apples", "Pears", "Plums & prunes"]
    assert isinstance(choice.selections[1].content, Binary) and choice.selections[1].content.mime_subtype is None
    assert isinstance(choice.selections[2].content, FormattedContent)
    assert choice.other_selection == FreeTextAnswer(max_length=20, default_text="")
    assert photo.answer_specification == FileUploadAnswer(min_bytes=1024, max_bytes=2000000)


def test_content_may_mix_blocks_and_overview_may_follow_questions():
    body = question("a", content="<Title>t</Title><Text>x</Text><List><ListItem>i</ListItem></List><Text>y</Text>")
    parsed = parse_question(form(body + "<Overview><Text>after</Text></Overview>"))
    assert [type(c) for c in parsed.questions[0].content] == [Title, Text, ListContent, Text]
    assert parsed.items[-1] == Overview((Text("after"),))


def test_selection_with_checkboxes_counts_and_other_selection():
    answer = ("<AnswerSpecification><SelectionAnswer><MinSelectionCount>1</MinSelectionCount>"
              "<MaxSelectionCount>2</MaxSelectionCount><StyleSuggestion>checkbox</StyleSuggestion><Selections>"
              "<Selection><SelectionIdentifier>a</SelectionIdentifier><Text>A</Text></Selection>"
              "<Selection><SelectionIdentifier>b</SelectionIdentifier><Text>B</Text></Selection>"
              "<Selection><SelectionIdentifier>c</SelectionIdentifier><Text>C</Text></Selection>"
              "<OtherSelection><Constraints><IsNumeric/></Constraints></OtherSelection>"
              "</Selections></SelectionAnswer></AnswerSpecification>")
    spec = parse_question(form(question(answer=answer))).questions[0].answer_specification
    assert (spec.min_selection_count, spec.max_selection_count, spec.style) == (1, 2, "checkbox")
    assert spec.other_selection == FreeTextAnswer(is_numeric=True)


def test_cdata_comments_and_xml_declaration_with_any_encoding():
    xml = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
           + form(question(content="<Text><!-- note -->Caf<![CDATA[é <b>]]> ok</Text>")))
    assert parse_question(xml).questions[0].content == (Text("Café <b> ok"),)


def test_file_upload_and_application_are_valid_in_2005():
    parsed = parse_question(form(question(answer=FILE_UPLOAD, content=APPLICATION), QUESTION_FORM_2005))
    assert parsed.questions[0].answer_specification == FileUploadAnswer(min_bytes=10, max_bytes=5000)
    assert isinstance(parsed.questions[0].content[0], Flash)


def test_only_a_form_with_a_file_upload_question_takes_files():
    with_file = form(question("text", answer=FREE_TEXT) + question("photo", answer=FILE_UPLOAD), QUESTION_FORM_2005)
    assert parse_question(with_file).takes_files
    assert not parse_question(form(question("text", answer=FREE_TEXT), QUESTION_FORM_2005)).takes_files
    assert not parse_question(external()).takes_files


def test_file_upload_and_application_are_schema_errors_in_2017():
    assert refused(form(question(answer=FILE_UPLOAD))) == (
        "Element 'FileUploadAnswer': This element is not expected. "
        "Expected is one of ( FreeTextAnswer, SelectionAnswer ). (line 1)")
    assert refused(form(question(content=APPLICATION))).startswith(
        "Element 'Application': This element is not expected.")


def test_legacy_elements_can_be_refused_under_2005_too():
    xml = form(question(answer=FILE_UPLOAD), QUESTION_FORM_2005)
    assert refused(xml, allow_legacy=False) == (
        "FileUploadAnswer is no longer supported by Amazon Mechanical Turk (line 1)")
    xml = form(question(content=APPLICATION), QUESTION_FORM_2005)
    assert refused(xml, allow_legacy=False).startswith("Application is no longer supported")


def test_external_question():
    parsed = parse_question(external())
    assert (parsed.kind, parsed.namespace) == ("ExternalQuestion", EXTERNAL_QUESTION)
    assert (parsed.external_url, parsed.frame_height) == ("https://example.org/task?item=17", 0)
    assert parsed.items == () and parsed.html_content is None


def test_external_question_accepts_http_for_localhost_and_escaped_query():
    parsed = parse_question(external(" http://localhost:8000/hit?a=1&amp;b=2 ", "+0600"))
    assert (parsed.external_url, parsed.frame_height) == ("http://localhost:8000/hit?a=1&b=2", 600)


def test_html_question_accepts_any_html():
    parsed = parse_question(html_question())
    assert (parsed.kind, parsed.namespace, parsed.frame_height) == ("HTMLQuestion", HTML_QUESTION, 450)
    assert parsed.html_content == HTML_PAGE
    # §5: MTurk's validation of the HTML itself is unknown, so nothing beyond the XML envelope is checked
    assert parse_question(html_question("<p>no doctype, no form</p>", "0")).html_content == "<p>no doctype, no form</p>"


def test_formatted_content_accepts_the_documented_subset():
    xhtml = ('<p dir="ltr" lang="en">caf&eacute; &amp; &#169;</p><br title="t"/><ol start="3"><li>x</li></ol>'
             '<map name="m"><area alt="a" href="https://x.org/" shape="rect" coords="0,0,1,1"/></map>'
             '<font color="red">r</font><pre width="40">p</pre><blockquote cite="http://x.org/">q</blockquote>'
             '<a href="news:comp.lang">n</a><a name="anchor">no href</a>')
    parse_question(form(question(content=f"<FormattedContent><![CDATA[{xhtml}]]></FormattedContent>")))


@pytest.mark.parametrize("xhtml, reason", [
    ("<p>x</p><script>alert(1)</script>", "the element <script> is not allowed"),
    ("<div>x</div>", "the element <div> is not allowed"),
    ('<p class="c">x</p>', "the attribute 'class' is not allowed on <p>"),
    ('<p style="color:red">x</p>', "the attribute 'style' is not allowed on <p>"),
    ('<br lang="en"/>', "the attribute 'lang' is not allowed on <br>"),
    ("<!-- hidden --><p>x</p>", "comments are not allowed"),
    ('<a href="javascript:alert(1)">x</a>', "javascript: URLs are not allowed (<a href>)"),
    ('<a href="/relative">x</a>', "<a> href must be a http, https, ftp, news, nntp, mailto, gopher or telnet URL"),
    ('<img src="http://x.org/i.png"/>', "<img> needs the attribute 'alt'"),
    ("<map><area alt='a'/></map>", "<map> needs the attribute 'name'"),
    ("<p>unclosed", "Opening and ending tag mismatch"),
    ("<P>upper</P>", "the element <P> is not allowed"),
    ("<p>&bogus;</p>", "Entity 'bogus' not defined"),
    ('<p xmlns="urn:other">x</p>', "the element <p> is not allowed"),
])
def test_formatted_content_refusals(xhtml, reason):
    details = refused(form(question(content=f"\n<FormattedContent><![CDATA[{xhtml}]]></FormattedContent>")))
    assert details.startswith("FormattedContent is not valid: ") and reason in details and details.endswith("(line 2)")


def test_formatted_content_in_a_selection_is_checked():
    answer = ("<AnswerSpecification><SelectionAnswer><Selections><Selection><SelectionIdentifier>a"
              "</SelectionIdentifier><FormattedContent><![CDATA[<div>x</div>]]></FormattedContent></Selection>"
              "</Selections></SelectionAnswer></AnswerSpecification>")
    assert "<div> is not allowed" in refused(form(question(answer=answer)))


# --- invalid questions ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("xml, expected", [
    ("hello", "The XML is not well-formed: Start tag expected, '<' not found (line 1, column 1)"),
    ("", "The XML is not well-formed: Document is empty (line 1, column 1)"),
    (f'<QuestionForm xmlns="{QUESTION_FORM_2017}"><Overview>', "The XML is not well-formed: "),
    ('\n<?xml version="1.0"?><QuestionForm/>', "XML declaration allowed only at the start of the document"),
    (f'<QuestionForm xmlns="{QUESTION_FORM_2017}"><Overview><Text>&eacute;</Text></Overview></QuestionForm>',
     "Entity 'eacute' not defined"),
])
def test_not_well_formed(xml, expected):
    assert expected in refused(xml)


def test_wrong_or_missing_namespace():
    assert refused('<QuestionForm xmlns="urn:example"/>').startswith(
        "The namespace 'urn:example' of the root element 'QuestionForm' is not accepted here. "
        "A Question must use one of: ")
    assert refused("<ExternalQuestion/>") == (
        f"The root element 'ExternalQuestion' has no namespace; declare xmlns=\"{EXTERNAL_QUESTION}\".")
    assert "is not accepted here" in refused(f'<QuestionFormAnswers xmlns="{QUESTION_FORM_ANSWERS}"/>')
    assert refused(f'<ExternalQuestion xmlns="{QUESTION_FORM_2017}"/>') == (
        f"The root element is 'ExternalQuestion' but namespace '{QUESTION_FORM_2017}' declares 'QuestionForm'.")
    # an ExternalQuestion body under the HTMLQuestion namespace is a schema error
    assert "Element 'ExternalURL': This element is not expected." in refused(
        external().replace(EXTERNAL_QUESTION, HTML_QUESTION).replace("ExternalQuestion", "HTMLQuestion"))


def test_missing_element():
    xml = form("<Question>\n<QuestionIdentifier>a</QuestionIdentifier>\n"
               "<QuestionContent><Text>x</Text></QuestionContent>\n</Question>")
    assert refused(xml) == "Element 'Question': Missing child element(s). Expected is ( AnswerSpecification ). (line 1)"


def test_wrong_order():
    xml = form("<Question>\n<IsRequired>true</IsRequired>\n<QuestionIdentifier>a</QuestionIdentifier>"
               f"<QuestionContent><Text>x</Text></QuestionContent>{FREE_TEXT}</Question>")
    assert refused(xml) == (
        "Element 'IsRequired': This element is not expected. Expected is ( QuestionIdentifier ). (line 2)")
    unknown = form("<Question>\n\n<Foo/></Question>")
    assert refused(unknown) == (
        "Element 'Foo': This element is not expected. Expected is ( QuestionIdentifier ). (line 3)")


def test_file_upload_minimum_before_maximum_is_refused():
    answer = ("<AnswerSpecification><FileUploadAnswer><MinFileSizeInBytes>1</MinFileSizeInBytes>"
              "<MaxFileSizeInBytes>5</MaxFileSizeInBytes></FileUploadAnswer></AnswerSpecification>")
    assert refused(form(question(answer=answer), QUESTION_FORM_2005)) == (
        "Element 'MinFileSizeInBytes': This element is not expected. Expected is ( MaxFileSizeInBytes ). (line 1)")


MINIMAL_SELECTION = ("<AnswerSpecification><SelectionAnswer><StyleSuggestion>list</StyleSuggestion><Selections>"
                     "<Selection><SelectionIdentifier>a</SelectionIdentifier><Text>A</Text></Selection>"
                     "</Selections></SelectionAnswer></AnswerSpecification>")
FREE_TEXT_CONSTRAINED = ('<AnswerSpecification><FreeTextAnswer><Constraints><IsNumeric minValue="1"/>'
                         '<Length maxLength="5"/><AnswerFormatRegex regex="x"/></Constraints></FreeTextAnswer>'
                         "</AnswerSpecification>")
BINARY = ("<Binary><MimeType><Type>image</Type></MimeType><DataURL>https://example.org/x.png</DataURL>"
          "<AltText>x</AltText></Binary>")
REQUIRED = question().replace("</QuestionIdentifier>", "</QuestionIdentifier><IsRequired>true</IsRequired>")


@pytest.mark.parametrize("valid, original, replacement, reason", [
    (REQUIRED, "<IsRequired>true</IsRequired>", "<IsRequired>yes</IsRequired>",
     "Element 'IsRequired': 'yes' is not a valid value of the atomic type 'xs:boolean'."),
    (question(answer=MINIMAL_SELECTION), ">list<", ">slider<", "[facet 'enumeration'] The value 'slider' is not"),
    (question(answer=FREE_TEXT_CONSTRAINED), 'maxLength="5"', 'maxLength="0"',
     "'0' is not a valid value of the atomic type 'xs:positiveInteger'"),
    (question(answer=FREE_TEXT_CONSTRAINED), 'minValue="1"', 'minValue="1.5"',
     "'1.5' is not a valid value of the atomic type 'xs:int'"),
    (question(answer=FREE_TEXT_CONSTRAINED), 'regex="x"', 'errorText="x"',
     "The attribute 'regex' is required but missing"),
    (question(answer=FILE_UPLOAD), ">10<", ">0<", "'0' is not a valid value"),
    (question(answer=FILE_UPLOAD), ">5000<", ">2000000001<", "[facet 'maxInclusive']"),
    (question(content=BINARY), "https://example.org/x.png", "ftp://example.org/x.png",
     "[facet 'pattern'] The value 'ftp://example.org/x.png' is not accepted by the pattern '(http|https)://.*'"),
    (question(content=BINARY), ">image<", ">text<", "[facet 'enumeration'] The value 'text' is not"),
    (question(content=BINARY), "<AltText>x</AltText>", "",
     "Element 'Binary': Missing child element(s). Expected is ( AltText )."),
])
def test_schema_value_errors(valid, original, replacement, reason):
    parse_question(form(valid, QUESTION_FORM_2005))  # the unaltered document is valid
    assert original in valid
    details = refused(form(valid.replace(original, replacement), QUESTION_FORM_2005))
    assert reason in details and details.endswith("(line 1)")


def test_duplicate_question_identifier():
    xml = form(question("a") + "\n" + question("b") + "\n" + question("a"))
    assert refused(xml) == "QuestionIdentifier 'a' is used by more than one Question (lines 1 and 3)"


def test_a_form_needs_a_question():
    assert refused(form("<Overview><Text>x</Text></Overview>")) == "A QuestionForm must contain at least one Question."
    assert "Missing child element(s)" in refused(form(""))


@pytest.mark.parametrize("url", ["not a url", "example.org/task", "ftp://example.org/task", "https://",
                                 "javascript:alert(1)", "https://exa mple.org/"])
def test_external_url_must_be_http_or_https(url):
    assert refused(external(url)) == f"ExternalURL must be an absolute https:// (or http://) URL, not '{url}' (line 1)"


@pytest.mark.parametrize("height, reason", [
    ("-1", "FrameHeight must be 0 (fit the window) or a positive number of pixels, not -1 (line 1)"),
    ("1.5", "Element 'FrameHeight': '1.5' is not a valid value of the atomic type 'xs:integer'. (line 1)"),
    ("tall", "Element 'FrameHeight': 'tall' is not a valid value of the atomic type 'xs:integer'. (line 1)"),
    ("", "Element 'FrameHeight': '' is not a valid value of the atomic type 'xs:integer'. (line 1)"),
])
def test_frame_height_must_be_a_non_negative_integer(height, reason):
    assert refused(external(height=height)) == reason
    assert refused(html_question("<p>one line</p>", height=height)) == reason


def test_html_question_needs_content_then_height():
    xml = f'<HTMLQuestion xmlns="{HTML_QUESTION}"><FrameHeight>0</FrameHeight></HTMLQuestion>'
    assert refused(xml) == "Element 'FrameHeight': This element is not expected. Expected is ( HTMLContent ). (line 1)"


def test_size_limit_is_65535_utf8_bytes():
    def sized(n: int) -> str:
        empty = form(question(content="<Text></Text>"))
        filler = n - len(empty.encode())
        return form(question(content="<Text>" + "é" * (filler // 2) + "x" * (filler % 2) + "</Text>"))
    assert len(sized(65535).encode()) == 65535
    parse_question(sized(65535))
    assert refused(sized(65536)) == "The XML is 65536 bytes long; the limit is 65535 bytes."
    assert len(sized(65536)) < 65535  # counted in bytes, not characters


def test_doctype_is_refused():
    xml = f'<!DOCTYPE QuestionForm [<!ENTITY x "boom">]><QuestionForm xmlns="{QUESTION_FORM_2017}"/>'
    assert refused(xml) == "A DOCTYPE declaration is not allowed in the XML."


# --- qualification tests ---------------------------------------------------------------------------------------

def test_parse_test_accepts_question_forms():
    assert parse_test(MINIMAL).questions == parse_question(MINIMAL).questions
    assert parse_test(form(question(content=APPLICATION), QUESTION_FORM_2005)).kind == "QuestionForm"


@pytest.mark.parametrize("xml, expected", [
    (external(), "A qualification test must be a QuestionForm; ExternalQuestion is not allowed."),
    (html_question(), "A qualification test must be a QuestionForm; HTMLQuestion is not allowed."),
    (form(question(answer=FILE_UPLOAD), QUESTION_FORM_2005),
     "FileUploadAnswer is not allowed in a qualification test (line 1)"),
    (form(question(answer=FILE_UPLOAD)), "Element 'FileUploadAnswer': This element is not expected."),
    ('<QuestionForm xmlns="urn:x"/>', "is not accepted here. A qualification test must use one of: "),
])
def test_parse_test_refusals(xml, expected):
    with pytest.raises(QuestionInvalid) as caught:
        parse_test(xml)
    assert expected in caught.value.details


# --- AnswerKey ---------------------------------------------------------------------------------------------------

def answer_key(mapping: str = "", questions: str | None = None) -> str:
    questions = questions if questions is not None else (
        "<Question><QuestionIdentifier>likelytowin</QuestionIdentifier>"
        "<AnswerOption><SelectionIdentifier>yes</SelectionIdentifier><AnswerScore>10</AnswerScore></AnswerOption>"
        "<AnswerOption><SelectionIdentifier>yes</SelectionIdentifier><SelectionIdentifier>no</SelectionIdentifier>"
        "<AnswerScore>-5</AnswerScore></AnswerOption><DefaultScore>1</DefaultScore></Question>"
        "<Question><QuestionIdentifier>q2</QuestionIdentifier>"
        "<AnswerOption><SelectionIdentifier>b</SelectionIdentifier><AnswerScore>3</AnswerScore></AnswerOption>"
        "</Question>")
    return f'<AnswerKey xmlns="{ANSWER_KEY}">{questions}{mapping}</AnswerKey>'


def test_answer_key_without_mapping():
    key = parse_answer_key(answer_key())
    assert key.mapping is None and key.namespace == ANSWER_KEY
    first, second = key.questions
    assert first.identifier == "likelytowin" and first.default_score == 1
    assert [(o.selection_identifiers, o.score) for o in first.options] == [(("yes",), 10), (("yes", "no"), -5)]
    assert second.default_score == 0  # absent DefaultScore


def mapping(body: str) -> str:
    return f"<QualificationValueMapping>{body}</QualificationValueMapping>"


def score_range(lower: int, upper: int, value: int) -> str:
    return (f"<SummedScoreRange><InclusiveLowerBound>{lower}</InclusiveLowerBound><InclusiveUpperBound>{upper}"
            f"</InclusiveUpperBound><QualificationValue>{value}</QualificationValue></SummedScoreRange>")


def test_answer_key_mappings():
    percentage = mapping("<PercentageMapping><MaximumSummedScore>13</MaximumSummedScore></PercentageMapping>")
    assert parse_answer_key(answer_key(percentage)).mapping == PercentageMapping(13)
    scale = mapping("<ScaleMapping><SummedScoreMultiplier>2.5</SummedScoreMultiplier></ScaleMapping>")
    assert parse_answer_key(answer_key(scale)).mapping == ScaleMapping(2.5)
    ranges = mapping("<RangeMapping>" + score_range(0, 5, 1) + score_range(6, 13, 2)
                     + "<OutOfRangeQualificationValue>0</OutOfRangeQualificationValue></RangeMapping>")
    parsed = parse_answer_key(answer_key(ranges)).mapping
    assert isinstance(parsed, RangeMapping) and parsed.out_of_range_qualification_value == 0
    assert [(r.inclusive_lower_bound, r.inclusive_upper_bound, r.qualification_value) for r in parsed.ranges] == [
        (0, 5, 1), (6, 13, 2)]


@pytest.mark.parametrize("xml, expected", [
    (answer_key(questions=""), "Element 'AnswerKey': Missing child element(s). Expected is ( Question ). (line 1)"),
    (answer_key(questions="<Question><QuestionIdentifier>a</QuestionIdentifier><DefaultScore>1</DefaultScore>"
                          "<AnswerOption><SelectionIdentifier>x</SelectionIdentifier><AnswerScore>1</AnswerScore>"
                          "</AnswerOption></Question>"),
     "Element 'DefaultScore': This element is not expected. Expected is ( AnswerOption ). (line 1)"),
    (answer_key(questions="<Question><QuestionIdentifier>a</QuestionIdentifier><AnswerOption><SelectionIdentifier>"
                          "x</SelectionIdentifier></AnswerOption></Question>"),
     "Element 'AnswerOption': Missing child element(s)."),
    (answer_key(mapping("<ScaleMapping><SummedScoreMultiplier>INF</SummedScoreMultiplier></ScaleMapping>")),
     "SummedScoreMultiplier must be a finite number (line 1)"),
    (MINIMAL, "is not accepted here. A AnswerKey must use one of: "),
])
def test_answer_key_refusals(xml, expected):
    with pytest.raises(QuestionInvalid) as caught:
        parse_answer_key(xml)
    assert expected in caught.value.details


def test_check_answer_key_refuses_free_text_and_other_selection_in_scored_tests():
    key = parse_answer_key(answer_key())
    with pytest.raises(QuestionInvalid, match="cannot use FreeTextAnswer \\(question 'nextmove'\\)"):
        check_answer_key(parse_test(MINIMAL), key)
    selections_only = form(question("likelytowin", answer=MINIMAL_SELECTION))
    check_answer_key(parse_test(selections_only), key)
    other = MINIMAL_SELECTION.replace("</Selections>", "<OtherSelection/></Selections>")
    with pytest.raises(QuestionInvalid, match="cannot use OtherSelection"):
        check_answer_key(parse_test(form(question("likelytowin", answer=other))), key)


# --- QuestionFormAnswers ------------------------------------------------------------------------------------------

DOC_EXAMPLE = [
    Answer("nextmove", free_text="C3"),
    Answer("likelytowin", selection_identifiers=["notlikely"]),
    Answer("fruits", selection_identifiers=("apples", "pears"), other_selection_text="quince"),
    Answer("nothing_chosen"),
    Answer("photo", uploaded_file_size=204800, uploaded_file_key="3QZ6EXAMPLEKEY"),
]


def test_write_matches_mturk_byte_for_byte():
    assert write_question_form_answers(DOC_EXAMPLE) == (
        '<?xml version="1.0" encoding="ASCII"?>'
        f'<QuestionFormAnswers xmlns="{QUESTION_FORM_ANSWERS}">'
        "<Answer><QuestionIdentifier>nextmove</QuestionIdentifier><FreeText>C3</FreeText></Answer>"
        "<Answer><QuestionIdentifier>likelytowin</QuestionIdentifier>"
        "<SelectionIdentifier>notlikely</SelectionIdentifier></Answer>"
        "<Answer><QuestionIdentifier>fruits</QuestionIdentifier><SelectionIdentifier>apples</SelectionIdentifier>"
        "<SelectionIdentifier>pears</SelectionIdentifier><OtherSelectionText>quince</OtherSelectionText></Answer>"
        "<Answer><QuestionIdentifier>nothing_chosen</QuestionIdentifier></Answer>"
        "<Answer><QuestionIdentifier>photo</QuestionIdentifier>"
        "<UploadedFileSizeInBytes>204800</UploadedFileSizeInBytes>"
        "<UploadedFileKey>3QZ6EXAMPLEKEY</UploadedFileKey></Answer>"
        "</QuestionFormAnswers>")


def test_write_escapes_and_uses_character_references_for_non_ascii():
    written = write_question_form_answers([Answer("weather", free_text="Sunny & warm <really> é€😀")])
    assert written.endswith("<FreeText>Sunny &amp; warm &lt;really&gt; &#233;&#8364;&#128512;</FreeText>"
                            "</Answer></QuestionFormAnswers>")
    assert written.isascii()
    # what clients do with it: xml.etree reads the ASCII declaration and the default namespace
    root = ElementTree.fromstring(written)
    assert root.find(f"{{{QUESTION_FORM_ANSWERS}}}Answer/{{{QUESTION_FORM_ANSWERS}}}FreeText").text == \
        "Sunny & warm <really> é€😀"


def test_round_trip():
    answers = DOC_EXAMPLE + [
        Answer("empty", free_text=""),
        Answer("spaces", free_text="  two\r\nlines\tand tabs  "),
        Answer("json", free_text='[{"country":"France","weather":"Sunny & warm"}]'),
        Answer("other_only", other_selection_text=""),
        Answer("unicode id é", free_text="]]> not CDATA"),
    ]
    assert parse_question_form_answers(write_question_form_answers(answers)) == answers


def test_characters_xml_cannot_carry_are_dropped():
    written = write_question_form_answers([Answer("q", free_text="a\x00b\x1bc\ud800d")])
    assert parse_question_form_answers(written) == [Answer("q", free_text="abcd")]


def test_no_answers_is_an_empty_string():
    assert write_question_form_answers([]) == ""
    assert parse_question_form_answers("") == []


def test_parse_accepts_pretty_printed_and_self_closing_free_text():
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<QuestionFormAnswers xmlns="{QUESTION_FORM_ANSWERS}">\n'
           "  <Answer>\n    <QuestionIdentifier>a</QuestionIdentifier>\n    <FreeText/>\n  </Answer>\n"
           "</QuestionFormAnswers>")
    assert parse_question_form_answers(xml) == [Answer("a", free_text="")]


@pytest.mark.parametrize("xml, expected", [
    (f'<QuestionFormAnswers xmlns="{QUESTION_FORM_ANSWERS}"/>', "Missing child element(s). Expected is ( Answer )"),
    (f'<QuestionFormAnswers xmlns="{QUESTION_FORM_ANSWERS}"><Answer><QuestionIdentifier>a</QuestionIdentifier>'
     "<FreeText>x</FreeText><SelectionIdentifier>b</SelectionIdentifier></Answer></QuestionFormAnswers>",
     "Element 'SelectionIdentifier': This element is not expected."),
    (f'<QuestionFormAnswers xmlns="{QUESTION_FORM_ANSWERS}"><Answer><QuestionIdentifier>a</QuestionIdentifier>'
     "<UploadedFileSizeInBytes>0</UploadedFileSizeInBytes><UploadedFileKey>k</UploadedFileKey></Answer>"
     "</QuestionFormAnswers>", "'0' is not a valid value of the atomic type 'xs:positiveInteger'"),
    (MINIMAL, "is not accepted here"),
])
def test_parse_refuses_invalid_answers_documents(xml, expected):
    with pytest.raises(QuestionInvalid) as caught:
        parse_question_form_answers(xml)
    assert expected in caught.value.details


@pytest.mark.parametrize("kwargs", [
    {"free_text": "x", "selection_identifiers": ["a"]},
    {"free_text": "x", "other_selection_text": "o"},
    {"free_text": "x", "uploaded_file_size": 1, "uploaded_file_key": "k"},
    {"selection_identifiers": ["a"], "uploaded_file_size": 1, "uploaded_file_key": "k"},
    {"uploaded_file_size": 10},
    {"uploaded_file_size": 0, "uploaded_file_key": "k"},
    {"selection_identifiers": "apples"},
])
def test_answer_holds_one_kind_of_value(kwargs):
    with pytest.raises(ValueError):
        Answer("q", **kwargs)


def test_answer_kinds():
    assert [a.kind for a in DOC_EXAMPLE] == ["FreeText", "Selection", "Selection", "Selection", "FileUpload"]
    assert Answer("q").is_empty and Answer("q", free_text="").is_empty and not Answer("q", free_text=" ").is_empty
    assert Answer("q", other_selection_text="").is_empty and not Answer("q", other_selection_text="x").is_empty


# --- check_answers ------------------------------------------------------------------------------------------------

CHECKED = parse_question(FULL_2005)  # age: required numeric 18..120, 2-3 chars, two regexes; fruits: 0..3 + other


def problems(*answers: Answer, form_questions=CHECKED) -> list[tuple[str, str]]:
    return [(p.question_identifier, p.reason) for p in answer_problems(form_questions, list(answers))]


def reason(*answers: Answer, form_questions=CHECKED) -> str:
    with pytest.raises(AnswerInvalid) as caught:
        check_answers(form_questions, list(answers))
    assert str(caught.value) == f"{caught.value.question_identifier}: {caught.value.reason}"
    return caught.value.reason


AGE_OK = Answer("age", free_text="42")


def test_valid_answers_pass():
    check_answers(CHECKED, [AGE_OK, Answer("fruits", selection_identifiers=["apples", "plums"],
                                           other_selection_text="figs"),
                            Answer("photo", uploaded_file_size=1024, uploaded_file_key="K")])
    check_answers(CHECKED, [AGE_OK])  # optional questions may go unanswered
    check_answers(CHECKED, [AGE_OK, Answer("fruits"), Answer("photo", uploaded_file_size=2000000,
                                                                       uploaded_file_key="K")])
    check_answers(CHECKED.questions, [Answer("age", free_text="120")])  # a plain list of questions works too


def test_unknown_question_identifier():
    assert problems(AGE_OK, Answer("colour", free_text="red")) == [
        ("colour", "There is no question with this identifier in the form.")]


def test_answered_twice():
    assert problems(AGE_OK, AGE_OK) == [("age", "The question is answered more than once.")]


def test_required_question_missing_or_empty():
    assert problems() == [("age", "This question requires an answer.")]
    assert problems(Answer("age", free_text="")) == [("age", "This question requires an answer.")]
    minimal = parse_question(MINIMAL)
    assert reason(Answer("likelytowin", selection_identifiers=["yes"]), form_questions=minimal) == \
        "This question requires an answer."


def test_length_minimum_makes_a_question_required():
    spec = ('<AnswerSpecification><FreeTextAnswer><Constraints><Length minLength="1"/></Constraints>'
            "</FreeTextAnswer></AnswerSpecification>")
    parsed = parse_question(form(question("name", answer=spec)))
    assert not parsed.questions[0].is_required and parsed.questions[0].requires_answer
    assert reason(form_questions=parsed) == "This question requires an answer."
    check_answers(parsed, [Answer("name", free_text=" ")])  # minLength counts whitespace


@pytest.mark.parametrize("text, expected", [
    ("forty", "The answer must be a number, not 'forty'."),
    ("17", "The answer must be at least 18."),
    ("121", "The answer must be at most 120."),
    ("1e2", "The answer must be a number, not '1e2'."),
])
def test_numeric(text, expected):
    assert expected in [r for _, r in problems(Answer("age", free_text=text))]


@pytest.mark.parametrize("text, ok", [("5", True), ("-5", True), ("+5", True), ("2.50", True), (".5", True),
                                      ("5.", True), (" 7 ", True), ("10.5", False), ("-6", False), ("1,5", False),
                                      ("NaN", False), ("0x10", False)])
def test_numeric_forms(text, ok):
    spec = ('<AnswerSpecification><FreeTextAnswer><Constraints><IsNumeric minValue="-5" maxValue="10"/>'
            "</Constraints></FreeTextAnswer></AnswerSpecification>")
    parsed = parse_question(form(question("n", answer=spec)))
    assert (problems(Answer("n", free_text=text), form_questions=parsed) == []) is ok




def test_length_bounds():
    assert ("age", "The answer must be at least 2 characters long (it has 1).") in \
        problems(Answer("age", free_text="9"))
    assert ("age", "The answer must be at most 3 characters long (it has 4).") in \
        problems(Answer("age", free_text="1000"))


def test_regex_error_text_and_default_message():
    assert problems(Answer("age", free_text="+42")) == [("age", "Digits only")]
    assert problems(Answer("age", free_text="042")) == [("age", "Invalid input supplied.")]
    assert problems(Answer("age", free_text="9x")) == [
        ("age", "The answer must be a number, not '9x'."), ("age", "Digits only")]
    minimal = parse_question(MINIMAL)
    assert reason(Answer("nextmove", free_text="D4"), form_questions=minimal) == "Use A1..C3"


def test_regex_is_javascript_flavoured():
    assert js_test("^[A-C][1-3]$", None, "A1") and not js_test("^[A-C][1-3]$", None, "A1\n")  # $ is end of input
    assert js_test("^yes$", "i", "YES") and not js_test("^yes$", None, "YES")
    assert js_test("(^$|\\S{2,})", None, "") and not js_test("(^$|\\S{2,})", None, "a")
    assert not js_test("^\\d+$", None, "\u0663")  # \d is ASCII in JavaScript
    assert not js_test("\\S", None, "\u00a0") and js_test("\\s", None, "\u3000")  # JavaScript's whitespace
    assert js_test("^(?<y>\\d{4})-\\k<y>$", None, "2017-2017")
    assert js_test("a[^]b", None, "a\nb") and not js_test("a[]b", None, "ab")
    assert js_test("^a.c$", "s", "a\nc") and js_test("^b$", "m", "a\nb\nc")
    assert js_test("(", None, "x") is None  # not compilable: not checked server-side


def test_regex_applies_to_empty_optional_free_text():
    spec = ('<AnswerSpecification><FreeTextAnswer><Constraints><IsNumeric/><AnswerFormatRegex regex="\\S"'
            ' errorText="Say something"/></Constraints></FreeTextAnswer></AnswerSpecification>')
    parsed = parse_question(form(question("note", answer=spec)))
    assert problems(Answer("note", free_text=""), form_questions=parsed) == [("note", "Say something")]
    assert problems(form_questions=parsed) == []  # not answered at all: nothing to check


def test_selection_rules():
    assert reason(AGE_OK, Answer("fruits", selection_identifiers=["kiwis"])) == \
        "'kiwis' is not one of this question's selections (apples, pears, plums)."
    assert reason(AGE_OK, Answer("fruits", selection_identifiers=["apples", "apples"])) == \
        "'apples' is selected more than once."
    assert reason(AGE_OK, Answer("fruits", selection_identifiers=["apples", "pears", "plums"],
                                 other_selection_text="figs")) == "Select at most 3 options (4 selected)."
    assert reason(AGE_OK, Answer("fruits", other_selection_text="x" * 21)) == \
        "The 'other' text must be at most 20 characters long (it has 21)."
    minimal = parse_question(MINIMAL)
    first = Answer("nextmove", free_text="C1")
    assert reason(first, Answer("likelytowin", selection_identifiers=["yes", "no"]), form_questions=minimal) == \
        "Select at most 1 option (2 selected)."
    assert reason(first, Answer("likelytowin", other_selection_text="maybe"), form_questions=minimal) == \
        "This question has no 'other' choice, so OtherSelectionText is not allowed."


def test_minimum_selection_count():
    answer = MINIMAL_SELECTION.replace("<SelectionAnswer>", "<SelectionAnswer><MinSelectionCount>2</MinSelectionCount>"
                                       "<MaxSelectionCount>2</MaxSelectionCount>").replace(
        "</Selections>",
        "<Selection><SelectionIdentifier>b</SelectionIdentifier><Text>B</Text></Selection></Selections>")
    parsed = parse_question(form(question("pick", answer=answer)))
    assert reason(Answer("pick", selection_identifiers=["a"]), form_questions=parsed) == \
        "Select at least 2 options (1 selected)."
    check_answers(parsed, [Answer("pick", selection_identifiers=["b", "a"])])
    check_answers(parsed, [Answer("pick")])  # not required: no selection is no answer


def test_answer_of_the_wrong_kind():
    assert reason(AGE_OK, Answer("fruits", free_text="apples")) == "The question expects a selection, not free text."
    assert reason(Answer("age", selection_identifiers=["x"])) == "The question expects free text, not a selection."
    assert reason(AGE_OK, Answer("photo", free_text="x")) == "The question expects a file upload, not free text."


def test_file_upload_size_bounds():
    assert reason(AGE_OK, Answer("photo", uploaded_file_size=1023, uploaded_file_key="K")) == \
        "The uploaded file is 1023 bytes; it must be between 1024 and 2000000 bytes."


def test_answer_problems_lists_every_problem():
    fruits = Answer("fruits", selection_identifiers=["kiwis", "apples", "apples"])
    assert problems(Answer("x", free_text="1"), fruits) == [
        ("x", "There is no question with this identifier in the form."),
        ("fruits", "'kiwis' is not one of this question's selections (apples, pears, plums)."),
        ("fruits", "'apples' is selected more than once."),
        ("age", "This question requires an answer."),
    ]


def test_model_objects_are_frozen_and_typed():
    parsed = parse_question(MINIMAL)
    with pytest.raises(AttributeError):
        parsed.kind = "HTMLQuestion"
    assert isinstance(parsed.questions[0], FormQuestion) and parsed.questions[0].tag == "Question"
    assert hash(parsed) == hash(parse_question(MINIMAL))


def test_2017_schema_is_derived_from_the_2005_file():
    from kempelen.questions import schema
    files = sorted(path.name for path in (Path(schema.__file__).parent / "xsd").glob("*.xsd"))
    assert files == ["AnswerKey.xsd", "ExternalQuestion.xsd", "HTMLQuestion.xsd", "QuestionForm.xsd",
                     "QuestionFormAnswers.xsd"]
    derived = schema._schema_text(QUESTION_FORM_2017).decode()
    assert f'targetNamespace="{QUESTION_FORM_2017}"' in derived and QUESTION_FORM_2005 not in derived
    assert 'name="FileUploadAnswer"' not in derived and 'name="Application"' not in derived
    assert 'name="SelectionAnswer"' in derived and 'name="EmbeddedBinary"' in derived


def test_validation_is_safe_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    documents = [MINIMAL, external(), html_question(), "junk", form(question("a") + question("a")),
                 form("<Question>\n<IsRequired>true</IsRequired></Question>"), external(height="-3"),
                 form(question(answer=FILE_UPLOAD))] * 50

    def outcome(xml: str) -> str:
        try:
            return parse_question(xml).kind
        except QuestionInvalid as error:
            return error.details

    expected = [outcome(xml) for xml in documents]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(outcome, documents)) == expected
