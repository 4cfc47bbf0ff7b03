"""What the benchmarks send: one HIT shape (the API tests' ExternalQuestion HIT) used everywhere."""

from __future__ import annotations

import boto3

from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY

EXTERNAL_QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://example.org/task?item=17</ExternalURL>'
    '<FrameHeight>600</FrameHeight></ExternalQuestion>')

TITLE = "Label the picture"
DESCRIPTION = "Say what animal is in the picture."
KEYWORDS = "image, label"
REWARD = "0.50"
REWARD_CENTS = 50
ASSIGNMENT_DURATION = 600
AUTO_APPROVAL_DELAY = 2_592_000  # MTurk's default, 30 days
MAX_ASSIGNMENTS = 3
LIFETIME = 7 * 86_400

CREATE_HIT = dict(Title=TITLE, Description=DESCRIPTION, Reward=REWARD, AssignmentDurationInSeconds=ASSIGNMENT_DURATION,
                  LifetimeInSeconds=LIFETIME, Keywords=KEYWORDS, MaxAssignments=MAX_ASSIGNMENTS,
                  Question=EXTERNAL_QUESTION)


def client(endpoint: str):
    """boto3 with the development credentials, for the untimed setup steps."""
    return boto3.client("mturk", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=DEVELOPMENT_ACCESS_KEY_ID,
                        aws_secret_access_key=DEVELOPMENT_SECRET_ACCESS_KEY)


def list_pages(mturk, page_size: int, max_pages: int) -> list[dict]:
    """ListHITs parameters for every non-empty page of the listing, found by walking NextToken (at most
    max_pages pages)."""
    pages: list[dict] = []
    params: dict = {"MaxResults": page_size}
    for _ in range(max_pages):
        response = mturk.list_hits(**params)
        if not response.get("NumResults"):
            break
        pages.append(params)
        if not response.get("NextToken"):
            break
        params = {"MaxResults": page_size, "NextToken": response["NextToken"]}
    return pages
