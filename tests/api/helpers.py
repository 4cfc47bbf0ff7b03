"""Small builders shared by the API tests."""

from __future__ import annotations

EXTERNAL_QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://example.org/task?item=17</ExternalURL>'
    '<FrameHeight>600</FrameHeight></ExternalQuestion>')

HIT_PROPERTIES = dict(
    Title="Label the picture",
    Description="Say what animal is in the picture.",
    Reward="0.50",
    AssignmentDurationInSeconds=600,
    LifetimeInSeconds=3600,
    Keywords="image, label",
)


def create_hit(mturk, **overrides) -> dict:
    params = {**HIT_PROPERTIES, "MaxAssignments": 3, "Question": EXTERNAL_QUESTION, **overrides}
    params = {key: value for key, value in params.items() if value is not None}
    return mturk.create_hit(**params)["HIT"]


def error_of(excinfo) -> tuple[str, str, str | None]:
    """(error code, message, TurkErrorCode) of a botocore ClientError."""
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response.get("TurkErrorCode")

QUESTION_FORM = (
    '<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/'
    'QuestionForm.xsd">'
    '<Question><QuestionIdentifier>nextmove</QuestionIdentifier><IsRequired>true</IsRequired>'
    '<QuestionContent><Text>Coordinates?</Text></QuestionContent><AnswerSpecification><FreeTextAnswer>'
    '<Constraints><Length minLength="2" maxLength="2"/><AnswerFormatRegex regex="^[A-C][1-3]$" '
    'errorText="Use A1..C3"/></Constraints></FreeTextAnswer></AnswerSpecification></Question>'
    '<Question><QuestionIdentifier>age</QuestionIdentifier><QuestionContent><Text>Age?</Text></QuestionContent>'
    '<AnswerSpecification><FreeTextAnswer><Constraints><IsNumeric minValue="18" maxValue="120"/></Constraints>'
    '</FreeTextAnswer></AnswerSpecification></Question>'
    '<Question><QuestionIdentifier>fruits</QuestionIdentifier><QuestionContent><Text>Fruits?</Text>'
    '</QuestionContent><AnswerSpecification><SelectionAnswer><MinSelectionCount>1</MinSelectionCount>'
    '<MaxSelectionCount>3</MaxSelectionCount><StyleSuggestion>checkbox</StyleSuggestion><Selections>'
    '<Selection><SelectionIdentifier>apples</SelectionIdentifier><Text>Apples</Text></Selection>'
    '<Selection><SelectionIdentifier>pears</SelectionIdentifier><Text>Pears</Text></Selection>'
    '<Selection><SelectionIdentifier>plums</SelectionIdentifier><Text>Plums</Text></Selection>'
    '<OtherSelection/></Selections></SelectionAnswer></AnswerSpecification></Question>'
    '</QuestionForm>')

QFA_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"


def answers_xml(*answers: str) -> str:
    """The QuestionFormAnswers document MTurk wrote, around pre-built <Answer> elements."""
    return f'<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="{QFA_NS}">{"".join(answers)}' \
           '</QuestionFormAnswers>'
