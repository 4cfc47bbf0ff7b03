"""Length ceilings for the string members botocore's model leaves unbounded (Kempelen's, recorded in
docs/compatibility.md).

Where the spec documents a limit (Title 128, Description 2000, Keywords 1000, RequesterAnnotation 255,
RequesterFeedback 1024, Subject 200, MessageText 4096, Question/Test/AnswerKey 65535 bytes) the operation
enforces it with MTurk's own error, and the ceiling here is only a backstop above it. Every other member
gets a ceiling, refused like a model constraint (ValidationException, "Member must have length less than or
equal to N"), so that no unbounded text (a 10 MB bonus Reason) reaches the database.
"""

from __future__ import annotations

#: Text members with no documented limit: reasons, queries, names, notification destinations.
DEFAULT_CEILING = 4096

#: Members whose ceiling differs from the default (None: bounded by the body limit and the operation).
CEILINGS: dict[str, int | None] = {
    # XML documents: the operation measures their UTF-8 bytes against the spec's 65535
    "Question": None, "Test": None, "AnswerKey": None,
    # ids the model gives no length: as long as MTurk's docs allow an id to be (255 bytes)
    "QualificationRequestId": 255, "QualificationTypeId": 255, "Version": 255,
    # HIT layout and review policy parameter values may carry a page's worth of text
    "Value": 65535, "Values": 65535,
}


def ceiling(member: str) -> int | None:
    return CEILINGS.get(member, DEFAULT_CEILING)
