"""The 2017-01-17 wire shapes: one pydantic model per botocore shape (kempelen.schemas.generated, written by
scripts/generate_schemas.py), the request reader that checks a body the way Coral does, and the response
writer.

    request = parse_request("GetHIT", body)            # -> generated.GetHITRequest
    output_model("GetHIT")(HIT=generated.HIT(...))     # -> generated.GetHITResponse
    serialize_response(response)                       # -> dict ready for json.dumps
"""

from kempelen.schemas.generated import OPERATIONS, Shape
from kempelen.schemas.reader import parse_request
from kempelen.schemas.writer import serialize_response

#: The 39 operation names of the model, sorted.
OPERATION_NAMES: tuple[str, ...] = tuple(OPERATIONS)


def input_model(operation: str) -> type[Shape]:
    return OPERATIONS[operation][0]


def output_model(operation: str) -> type[Shape]:
    return OPERATIONS[operation][1]


__all__ = ["OPERATION_NAMES", "Shape", "input_model", "output_model", "parse_request", "serialize_response"]
