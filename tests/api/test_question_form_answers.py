"""What a worker page reads from a posted QuestionForm (kempelen.web.question_form.answers_from_form) is what the
worker API takes: submitted on a live server, boto3 sees it as QuestionFormAnswers; refused, the API's
details name the same questions and reasons the page shows next to its fields."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from kempelen.client import KempelenError
from kempelen.questions import parse_question
from kempelen.web.question_form import answers_from_form, check_form_answers
from helpers import QFA_NS, create_hit

FORM = (
    '<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/'
    'QuestionForm.xsd">'
    '<Question><QuestionIdentifier>nextmove</QuestionIdentifier><IsRequired>true</IsRequired>'
    '<QuestionContent><Text>Coordinates?</Text></QuestionContent><AnswerSpecification><FreeTextAnswer>'
    '<Constraints><AnswerFormatRegex regex="^[A-C][1-3]$" errorText="Use A1..C3"/></Constraints>'
    '</FreeTextAnswer></AnswerSpecification></Question>'
    '<Question><QuestionIdentifier>fruits</QuestionIdentifier><QuestionContent><Text>Fruits?</Text>'
    '</QuestionContent><AnswerSpecification><SelectionAnswer><MaxSelectionCount>2</MaxSelectionCount>'
    '<StyleSuggestion>checkbox</StyleSuggestion><Selections>'
    '<Selection><SelectionIdentifier>apples</SelectionIdentifier><Text>Apples</Text></Selection>'
    '<Selection><SelectionIdentifier>pears</SelectionIdentifier><Text>Pears</Text></Selection>'
    '<OtherSelection/></Selections></SelectionAnswer></AnswerSpecification></Question>'
    '<Question><QuestionIdentifier>likely</QuestionIdentifier><QuestionContent><Text>Win?</Text>'
    '</QuestionContent><AnswerSpecification><SelectionAnswer><Selections>'
    '<Selection><SelectionIdentifier>yes</SelectionIdentifier><Text>Yes</Text></Selection>'
    '<Selection><SelectionIdentifier>no</SelectionIdentifier><Text>No</Text></Selection>'
    '</Selections></SelectionAnswer></AnswerSpecification></Question>'
    '</QuestionForm>')


def accepted(mturk, workforce):
    hit = create_hit(mturk, Question=FORM, MaxAssignments=1)
    worker = workforce.new()
    return hit, worker, worker.accept(hit["HITId"])


def test_a_posted_form_submitted_through_the_worker_api_reaches_boto3(mturk, workforce):
    hit, worker, assignment = accepted(mturk, workforce)
    posted = FormData([("csrf", "token"), ("nextmove", "B2"), ("fruits", "pears"),
                       ("fruits.OtherSelectionText", "quince & fig"), ("Submit", "Submit")])
    worker.submit(assignment, answers_from_form(FORM, posted))
    (seen,) = mturk.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    assert seen["Answer"] == (
        f'<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="{QFA_NS}">'
        "<Answer><QuestionIdentifier>nextmove</QuestionIdentifier><FreeText>B2</FreeText></Answer>"
        "<Answer><QuestionIdentifier>fruits</QuestionIdentifier><SelectionIdentifier>pears</SelectionIdentifier>"
        "<OtherSelectionText>quince &amp; fig</OtherSelectionText></Answer>"
        "<Answer><QuestionIdentifier>likely</QuestionIdentifier></Answer>"
        "</QuestionFormAnswers>")


def test_the_api_refuses_what_the_page_refuses_question_by_question(mturk, workforce):
    _, worker, assignment = accepted(mturk, workforce)
    posted = FormData([("nextmove", "D4"), ("fruits", "apples"), ("fruits", "pears"),
                       ("fruits.OtherSelectionText", "kiwi")])
    answers = answers_from_form(FORM, posted)
    with pytest.raises(KempelenError) as refused:
        worker.submit(assignment, answers)
    by_question = {detail["QuestionIdentifier"]: detail["Reason"] for detail in refused.value.details}
    assert by_question == check_form_answers(parse_question(FORM), answers) == {
        "nextmove": "Use A1..C3", "fruits": "Select at most 2 options (3 selected)."}
    assert worker.assignment(assignment)["AssignmentStatus"] == "Accepted"
