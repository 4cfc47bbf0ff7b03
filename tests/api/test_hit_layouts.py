"""HITLayoutId through boto3: a project made with Kempelen's requester routes builds HITs as MTurk's layouts
did, and every wrong use is refused with MTurk's error and nothing made."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from kempelen.questions import parse_question
from kempelen.requester_client import RequesterClient
from tests.api.helpers import EXTERNAL_QUESTION, HIT_PROPERTIES, error_of

TEMPLATE = ('<h2>${title}</h2><img src="${image_url}" alt="">'
            '<label>Animal <input name="animal"></label>')
PROJECT = {"Title": "Name the animal", "Description": "Say which animal the picture shows.", "Reward": "0.05",
           "AssignmentDurationInSeconds": 600, "LifetimeInSeconds": 3600, "MaxAssignments": 2,
           "Keywords": "image, animal"}


@pytest.fixture
def requester(server, credentials):
    return RequesterClient(server.endpoint, credentials["AccessKeyId"], credentials["SecretAccessKey"])


@pytest.fixture
def layout_id(requester):
    return requester.create_project(TEMPLATE, PROJECT)["HITLayoutId"]


def parameters(**values):
    return [{"Name": name, "Value": value} for name, value in values.items()]


def test_create_hit_from_a_layout(mturk, layout_id):
    hit = mturk.create_hit(**HIT_PROPERTIES, HITLayoutId=layout_id,
                           HITLayoutParameters=parameters(title='Cats & "dogs" <b>', image_url="https://x/1.png"))["HIT"]
    assert hit["HITLayoutId"] == layout_id
    question = parse_question(hit["Question"])
    assert question.kind == "HTMLQuestion"
    assert "<h2>Cats &amp; &quot;dogs&quot; &lt;b&gt;</h2>" in question.html_content
    assert 'src="https://x/1.png"' in question.html_content
    got = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert got["HITLayoutId"] == layout_id and got["Question"] == hit["Question"]
    listed = [h for h in mturk.list_hits()["HITs"] if h["HITId"] == hit["HITId"]]
    assert listed[0]["HITLayoutId"] == layout_id


def test_create_hit_with_hit_type_from_a_layout(mturk, layout_id):
    type_id = mturk.create_hit_type(**{k: v for k, v in HIT_PROPERTIES.items() if k != "LifetimeInSeconds"})
    hit = mturk.create_hit_with_hit_type(HITTypeId=type_id["HITTypeId"], LifetimeInSeconds=600,
                                         HITLayoutId=layout_id,
                                         HITLayoutParameters=parameters(title="t", image_url="u"))["HIT"]
    assert hit["HITLayoutId"] == layout_id and hit["HITTypeId"] == type_id["HITTypeId"]


def test_a_hit_made_with_a_question_has_no_layout_id(mturk):
    hit = mturk.create_hit(**HIT_PROPERTIES, Question=EXTERNAL_QUESTION)["HIT"]
    assert "HITLayoutId" not in mturk.get_hit(HITId=hit["HITId"])["HIT"]


def _refused(mturk, **extra):
    before = len(mturk.list_hits(MaxResults=100)["HITs"])
    with pytest.raises(ClientError) as excinfo:
        mturk.create_hit(**HIT_PROPERTIES, **extra)
    assert len(mturk.list_hits(MaxResults=100)["HITs"]) == before  # nothing was made
    return error_of(excinfo)


def test_a_missing_parameter_gets_mturks_error(mturk, layout_id):
    code, message, turk_code = _refused(mturk, HITLayoutId=layout_id, HITLayoutParameters=parameters(title="t"))
    assert code == "RequestError" and turk_code == "AWS.MissingParameters"
    assert message.startswith("Your request is missing required parameters. Required parameters include "
                              "HITLayoutParameter. You have not provided all required HITLayout parameters. "
                              "Missing parameter names: image_url (")


def test_no_parameters_at_all_names_every_missing_one(mturk, layout_id):
    _, message, _ = _refused(mturk, HITLayoutId=layout_id)
    assert "Missing parameter names: title, image_url (" in message


def test_an_unknown_parameter_is_refused(mturk, layout_id):
    code, message, turk_code = _refused(mturk, HITLayoutId=layout_id,
                                        HITLayoutParameters=parameters(title="t", image_url="u", colour="red"))
    assert turk_code == "AWS.MechanicalTurk.InvalidParameterValue"
    assert "must be used in the referenced HITLayout. Unknown parameter names: colour" in message


def test_a_repeated_parameter_is_refused(mturk, layout_id):
    _, message, _ = _refused(mturk, HITLayoutId=layout_id,
                             HITLayoutParameters=parameters(title="t", image_url="u") + parameters(title="again"))
    assert "title is given more than once" in message


def test_an_unknown_layout_and_another_requesters_layout_do_not_exist(server, mturk, layout_id):
    _, message, turk_code = _refused(mturk, HITLayoutId="3NOSUCHLAYOUT0000000000000000")
    assert turk_code == "AWS.MechanicalTurk.HITLayoutDoesNotExist"
    assert message.startswith("HITLayout 3NOSUCHLAYOUT0000000000000000 does not exist.")
    other = server.client(server.create_requester())
    with pytest.raises(ClientError) as excinfo:
        other.create_hit(**HIT_PROPERTIES, HITLayoutId=layout_id, HITLayoutParameters=parameters(title="t",
                                                                                                 image_url="u"))
    assert error_of(excinfo)[2] == "AWS.MechanicalTurk.HITLayoutDoesNotExist"


def test_question_and_layout_together_or_parameters_alone_are_refused(mturk, layout_id):
    _, message, _ = _refused(mturk, Question=EXTERNAL_QUESTION, HITLayoutId=layout_id)
    assert "either a Question or a HITLayoutId" in message
    _, message, turk_code = _refused(mturk, HITLayoutParameters=parameters(title="t"))
    assert turk_code == "AWS.MissingParameters" and "HITLayoutId" in message


def test_a_malformed_layout_id_is_a_validation_error(mturk):
    with pytest.raises(ClientError) as excinfo:
        mturk.create_hit(**HIT_PROPERTIES, HITLayoutId="not-a-layout")
    assert error_of(excinfo)[0] == "ValidationException"


def test_an_edited_layout_builds_new_hits_and_leaves_old_ones(mturk, requester, layout_id):
    first = mturk.create_hit(**HIT_PROPERTIES, HITLayoutId=layout_id,
                             HITLayoutParameters=parameters(title="t", image_url="u"))["HIT"]
    requester.update_project(layout_id, template='<p>${word}</p><input name="w">')
    with pytest.raises(ClientError) as excinfo:
        mturk.create_hit(**HIT_PROPERTIES, HITLayoutId=layout_id,
                         HITLayoutParameters=parameters(title="t", image_url="u"))
    assert "Missing parameter names: word" in error_of(excinfo)[1]
    second = mturk.create_hit(**HIT_PROPERTIES, HITLayoutId=layout_id,
                              HITLayoutParameters=parameters(word="hello"))["HIT"]
    assert "<p>hello</p>" in second["Question"]
    assert mturk.get_hit(HITId=first["HITId"])["HIT"]["Question"] == first["Question"]


def test_a_layout_hit_is_worked_through_external_submit(server, mturk, workforce, layout_id):
    hit = mturk.create_hit(**HIT_PROPERTIES, HITLayoutId=layout_id,
                           HITLayoutParameters=parameters(title="t", image_url="u"))["HIT"]
    worker = workforce.new()
    assignment = worker.accept(hit["HITId"])
    worker.submit(assignment, {"animal": "cat"})
    answer = mturk.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"][0]["Answer"]
    assert "<QuestionIdentifier>animal</QuestionIdentifier><FreeText>cat</FreeText>" in answer


def test_api_made_and_batch_hits_show_up_in_the_project(mturk, requester, layout_id):
    made = mturk.create_hit(**HIT_PROPERTIES, HITLayoutId=layout_id,
                            HITLayoutParameters=parameters(title="t", image_url="u"))["HIT"]
    mturk.create_hit(**HIT_PROPERTIES, Question=EXTERNAL_QUESTION)  # not the project's
    batch = requester.publish_batch(requester.create_batch(layout_id, "title,image_url\na,b\nc,d\n")["BatchId"])
    listed = requester.project_hits(layout_id)
    assert [h["HITId"] for h in listed] == [made["HITId"], *requester.batch_hit_ids(batch["BatchId"])]
    assert {h["HITLayoutId"] for h in listed} == {layout_id}


def test_a_reward_beyond_createhits_range_is_refused_not_a_500(requester):
    # A 20-digit Reward once overflowed the database's integer column (a 500 from the site's form too).
    from kempelen.client import KempelenError

    with pytest.raises(KempelenError) as refused:
        requester.create_project(TEMPLATE, {**PROJECT, "Reward": "99999999999999999999"})
    assert refused.value.status == 400
    assert "Valid values range from 0.00 to" in refused.value.message
