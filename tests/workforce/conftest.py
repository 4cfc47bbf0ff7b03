"""Helpers for the simulated workforce's tests."""

from __future__ import annotations

import pytest

from kempelen.questions import parse_question_form_answers

SELECTIONS = "".join(f"<Selection><SelectionIdentifier>{s}</SelectionIdentifier><Text>{s}</Text></Selection>"
                     for s in ("red", "green", "blue", "grey"))


def question_form(*questions: str, text: str = "") -> str:
    return ('<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/'
            'QuestionForm.xsd">' + (f"<Overview><Text>{text}</Text></Overview>" if text else "")
            + "".join(questions) + "</QuestionForm>")


def selection(identifier: str, *, many: bool = False) -> str:
    counts = "<MinSelectionCount>1</MinSelectionCount><MaxSelectionCount>3</MaxSelectionCount>" if many else ""
    return (f"<Question><QuestionIdentifier>{identifier}</QuestionIdentifier><IsRequired>true</IsRequired>"
            f"<QuestionContent><Text>Which colour?</Text></QuestionContent><AnswerSpecification>"
            f"<SelectionAnswer>{counts}<Selections>{SELECTIONS}</Selections></SelectionAnswer>"
            f"</AnswerSpecification></Question>")


def free_text(identifier: str, constraints: str = "") -> str:
    return (f"<Question><QuestionIdentifier>{identifier}</QuestionIdentifier><QuestionContent><Text>Say</Text>"
            f"</QuestionContent><AnswerSpecification><FreeTextAnswer>"
            f"{f'<Constraints>{constraints}</Constraints>' if constraints else ''}"
            f"</FreeTextAnswer></AnswerSpecification></Question>")


def make_hits(mturk, count: int, question: str | None = None, *, max_assignments: int = 3, title: str = "Colours",
              annotation=None, question_for=None, duration: int = 600) -> list[dict]:
    """`count` HITs of one HIT type (the title makes it the test's own)."""
    hits = []
    for i in range(count):
        params = dict(Title=title, Description="Say the colour.", Reward="0.05", MaxAssignments=max_assignments,
                      LifetimeInSeconds=7 * 86400, AssignmentDurationInSeconds=duration,
                      Question=question_for(i) if question_for else question)
        if annotation is not None:
            params["RequesterAnnotation"] = annotation(i)
        hits.append(mturk.create_hit(**params)["HIT"])
    return hits


def submitted(mturk, hit_id: str) -> list[dict]:
    """A HIT's Submitted/Approved/Rejected assignments as boto3 lists them, with their answers parsed."""
    found, params = [], {"HITId": hit_id, "MaxResults": 100}
    while True:
        page = mturk.list_assignments_for_hit(**params)
        found += page["Assignments"]
        if not page.get("NextToken") or not page["NumResults"]:
            break
        params["NextToken"] = page["NextToken"]
    return [{"AssignmentId": a["AssignmentId"], "WorkerId": a["WorkerId"], "Answers": answers_of(a["Answer"])}
            for a in found]


def answers_of(xml: str) -> dict:
    parsed = {}
    for answer in parse_question_form_answers(xml):
        if answer.selection_identifiers:
            parsed[answer.question_identifier] = list(answer.selection_identifiers)
        else:
            parsed[answer.question_identifier] = answer.free_text
    return parsed


@pytest.fixture
def unique_title(request) -> str:
    return f"Crowd test {request.node.name}"
