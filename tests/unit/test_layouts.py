"""HIT layouts, batch CSV reading and the results-file formats: pure functions, no server."""

import csv
from datetime import datetime, timezone

import pytest
from lxml import etree

from kempelen.domain import batch_csv, results_csv
from kempelen.questions import Answer, parse_question
from kempelen.questions import layouts

TEMPLATE = '<h1>${title}</h1><img src="${image_url}"><p>${title}</p><input name="label">'


def test_parameters_are_the_placeholders_once_each_in_template_order():
    assert layouts.parameters(TEMPLATE) == ["title", "image_url"]
    assert layouts.parameters("${GODEL-L} $notone ${ spaced } ${a_1}") == ["GODEL-L", "a_1"]


def test_values_are_html_escaped_everywhere_they_appear():
    filled = layouts.substitute(TEMPLATE, {"title": '<script>alert("x")</script> & co', "image_url": 'a.png" onerror="x'})
    assert "<script>" not in filled
    assert filled.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co") == 2
    assert 'src="a.png&quot; onerror=&quot;x"' in filled


def test_missing_and_unknown_names():
    assert layouts.missing_and_unknown(["a", "b", "c"], ["c", "z", "a", "z"]) == (["b"], ["z"])


def test_template_needs_a_named_field_and_a_size_limit():
    assert layouts.template_problems("<p>${x}</p>")[0].startswith("Layout does not contain any fields that include "
                                                                  "a name attribute.")
    assert layouts.template_problems('<crowd-input name="a"></crowd-input>') == []
    assert layouts.template_problems("   ") == ["The design layout is empty."]
    big = '<input name="a">' + "x" * (64 * 1024)
    assert "larger than 64 KB" in layouts.template_problems(big)[0]


def test_a_plain_layout_is_wrapped_in_mturk_form_with_a_submit_button():
    page = layouts.page('<input name="a">')
    assert 'id="mturk_form"' in page and 'name="assignmentId"' in page
    assert page.count('type="submit"') == 1
    assert layouts.page('<input name="a"><input type="submit" value="Go">').count('type="submit"') == 1


def test_a_crowd_form_layout_is_left_as_it_is():
    content = '<crowd-form answer-format="flatten-objects"><crowd-input name="a"></crowd-input></crowd-form>'
    assert layouts.page(content) == content
    assert layouts.flattens_objects(content)
    assert not layouts.flattens_objects("<crowd-form><crowd-input name=a></crowd-input></crowd-form>")


def test_the_question_is_a_valid_html_question_even_with_cdata_ends_inside():
    question = layouts.build_question('<input name="a"><p>${x}</p><script>var s = "]]>";</script>', {"x": "1"})
    parsed = parse_question(question)
    assert parsed.kind == "HTMLQuestion"
    assert ']]>";</script>' in parsed.html_content and "<p>1</p>" in parsed.html_content
    etree.fromstring(question.encode())


# --- the input CSV ----------------------------------------------------------------------------------------


def test_bom_crlf_quotes_and_line_breaks_inside_quotes():
    data = '\ufefftitle,image_url,extra\r\n"Hello, ""world""","a.png",1\r\n"two\r\nlines",b.png,\r\n'.encode()
    read = batch_csv.read(data, ["title", "image_url"])
    assert read.problems == []
    assert read.columns == ["title", "image_url", "extra"]
    assert read.rows == [(2, ['Hello, "world"', "a.png", "1"]), (3, ["two\r\nlines", "b.png", ""])]


def test_every_bad_row_is_reported_with_the_line_it_starts_on():
    data = ('title,image_url\n'
            'ok,a.png\n'              # line 2
            '"multi\nline",b.png\n'   # lines 3-4
            'too,many,fields\n'       # line 5: bad
            '\n'                      # line 6: blank, skipped
            'short\n'                 # line 7: bad
            '"bad"quote,c.png\n'      # line 8: bad
            'fine,d.png\n'            # line 9
            '"never closed,e.png\n')  # line 10: bad
    read = batch_csv.read(data.encode(), ["title", "image_url"])
    assert [line for line, _ in read.problems] == [5, 7, 8, 10]
    assert "3 fields but the header has 2" in read.problems[0][1]
    assert [line for line, _ in read.rows] == [2, 3, 9]


def test_a_field_over_the_size_limit_is_named_for_what_it_is():
    data = "title,image_url\nok,a.png\n" + "x" * (csv.field_size_limit() + 1) + ",b.png\nfine,c.png\n"
    read = batch_csv.read(data.encode(), ["title", "image_url"])
    [(line, message)] = read.problems
    assert line == 3 and f"longer than {csv.field_size_limit():,} characters" in message
    assert "quote must be quoted" not in message


def test_the_header_must_name_every_variable():
    read = batch_csv.read(b"title,title,\nx,y,z\n", ["title", "image_url"])
    messages = [message for line, message in read.problems if line == 1]
    assert any("more than once: title" in m for m in messages)
    assert any("without a name (column 3)" in m for m in messages)
    assert any("missing: image_url" in m for m in messages)


@pytest.mark.parametrize("data, line, text", [
    (b"", 1, "The file is empty"),
    (b"title\n", 2, "no rows"),
    (b"title\nok\n\xff\xfe\n", 3, "not UTF-8"),
])
def test_files_that_give_no_hits(data, line, text):
    problems = batch_csv.read(data, ["title"]).problems
    assert problems[0][0] == line and text in problems[0][1]


# --- the results file's formats -----------------------------------------------------------------------------


@pytest.mark.parametrize("moment, text", [
    (datetime(2019, 11, 21, 5, 3, 26, tzinfo=timezone.utc), "Wed Nov 20 21:03:26 PST 2019"),
    (datetime(2019, 11, 1, 19, 8, 17, tzinfo=timezone.utc), "Fri Nov 01 12:08:17 PDT 2019"),
    (datetime(2023, 3, 6, 16, 59, 21, tzinfo=timezone.utc), "Mon Mar 06 08:59:21 PST 2023"),
    (None, ""),
])
def test_times_are_java_date_strings_in_pacific_time(moment, text):
    assert results_csv.mturk_time(moment) == text


def test_approval_rates_and_reward():
    assert results_csv.approval_rate(12, 12) == "100% (12/12)"
    assert results_csv.approval_rate(0, 0) == "0% (0/0)"
    assert results_csv.approval_rate(2, 3) == "66% (2/3)"
    assert results_csv.reward(2) == "$0.02"


def test_header_order_inputs_as_uploaded_answers_sorted():
    header = results_csv.header(["sfId", "key", "flip"], {"Choice2", "Choice10", "Choice1"})
    assert header[:2] == ["HITId", "HITTypeId"] and len(results_csv.FIXED_COLUMNS) == 27
    assert header[27:] == ["Input.sfId", "Input.key", "Input.flip", "Answer.Choice1", "Answer.Choice10",
                           "Answer.Choice2", "Approve", "Reject"]


def test_answer_cells_for_question_form_and_crowd_form():
    answers = [Answer("q1", free_text="cat"), Answer("colours", selection_identifiers=("red", "blue")),
               Answer("other", selection_identifiers=("x",), other_selection_text="mine"),
               Answer("file", uploaded_file_key="KEY1", uploaded_file_size=5)]
    assert results_csv.answer_cells(answers) == {"q1": "cat", "colours": "red|blue", "other": "x|mine",
                                                 "file": "KEY1"}
    task = Answer("taskAnswers", free_text='[{"sentiment": {"label": "Neutral"}, "ok": {"on": true}, '
                                           '"boxes": {"boundingBoxes": [{"width": 1, "height": 2}]}}]')
    assert results_csv.answer_cells([task], flatten_objects=True) == {
        "sentiment.label": "Neutral", "ok.on": "true", "boxes.boundingBoxes": '[{"height":2,"width":1}]'}
    assert results_csv.answer_cells([task]) == {"taskAnswers": task.free_text}


def test_writer_quotes_every_field_and_ends_rows_with_crlf():
    assert results_csv.Writer().row(["a", 'b "c"', "", 3]) == '"a","b ""c""","","3"\r\n'
