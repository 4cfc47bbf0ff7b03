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
