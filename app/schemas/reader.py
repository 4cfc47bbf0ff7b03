"""Request body -> input model, checked the way Coral (AWS's service framework) checks it.

One walk does both jobs. A member of the wrong JSON type stops it at once with a SerializationException (Coral
fails while deserializing, before any constraint is looked at); constraint violations are collected along the
way, in member order, and raised together as one ValidationException.

The readers are built once per shape at import from generated.SHAPES, so a request costs one pass over its
own members and no reflection. The walk yields plain dicts and lists; one `model_validate` call at the end
turns them into the nested models in pydantic's compiled core, several times faster than building each
nested model from Python (it re-checks values the walk has already accepted, which costs little).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timezone

import orjson

from kempelen.domain import text
from kempelen.errors import SerializationException, ValidationException
from kempelen.schemas.generated import OPERATIONS, SHAPES, Shape
from kempelen.schemas.limits import ceiling

#: read(value, path, violations) -> the value as plain Python (dicts for structures); appends Coral-worded
#: violations, raises SerializationException on a wrong JSON type.
Reader = Callable[[object, str, list], object]

# --- SerializationException texts ----------------------------------------------------------------------
# Coral's wording, as measured on other Coral JSON services (Athena, SQS) and reproduced by emulators that
# test against them: "<TOKEN>_VALUE can not be converted to <a Type>", "Start of list found where not
# expected", "Start of structure or map found where not expected.", "Expected list or null" (scalar given for
# a list), "Expected null" (scalar given for a structure). A body that is not JSON at all gets no message.
# Not measured and so chosen by analogy: the "a Long" / "a Boolean" / "a Timestamp" targets, and the same
# "can not be converted" text for a fractional or out-of-range number given for an integer.
MALFORMED_BODY = ""
START_OF_LIST = "Start of list found where not expected"
START_OF_OBJECT = "Start of structure or map found where not expected."
EXPECTED_LIST = "Expected list or null"
EXPECTED_STRUCTURE = "Expected null"


def _token(value: object) -> str:
    if value is True:
        return "TRUE_VALUE"
    if value is False:
        return "FALSE_VALUE"
    return "STRING_VALUE" if isinstance(value, str) else "NUMBER_VALUE"


def _wrong_type(value: object, target: str) -> SerializationException:
    if type(value) is list:
        return SerializationException(START_OF_LIST)
    if type(value) is dict:
        return SerializationException(START_OF_OBJECT)
    return SerializationException(f"{_token(value)} can not be converted to {target}")


# --- ValidationException texts -------------------------------------------------------------------------


def _show(value: object) -> str:
    """A value as Java's toString prints it inside Coral's message."""
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is list:
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return "null" if value is None else str(value)


def _violation(value: object, path: str, rule: str) -> str:
    shown = "null" if value is None else f"'{_show(value)}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {rule}"


def _member_path(member: str) -> str:
    # Coral lower-cases only the first character: HITId -> hITId, BonusAmount -> bonusAmount.
    return member[:1].lower() + member[1:]


_LENGTH = "Member must have length {} to {}"
_VALUE = "Member must have value {} to {}"


def _checks(spec: dict) -> list[tuple[Callable[[object], bool], str]]:
    """(is_violated, rule) for each constraint of a shape, in the order Coral lists them."""
    # min/max bound a string's or list's length, but a number's value.
    sized = spec["type"] in ("string", "list")
    bound = _LENGTH if sized else _VALUE
    measure = len if sized else (lambda v: v)
    checks: list[tuple[Callable[[object], bool], str]] = []
    if "max" in spec:
        high = spec["max"]
        checks.append((lambda v: measure(v) > high, bound.format("less than or equal", high)))
    if "min" in spec:
        low = spec["min"]
        checks.append((lambda v: measure(v) < low, bound.format("greater than or equal", low)))
    if "pattern" in spec:
        checks.append((_pattern_check(spec["pattern"]),
                       f"Member must satisfy regular expression pattern: {spec['pattern']}"))
    if "enum" in spec:
        allowed = frozenset(spec["enum"])
        listed = ", ".join(spec["enum"])  # in the model's order, as Coral prints it
        checks.append((lambda v: v not in allowed, f"Member must satisfy enum value set: [{listed}]"))
    return checks


def _pattern_check(pattern: str) -> Callable[[object], bool]:
    # A trailing `$` in Python also matches before a final "\n"; the model means the very end of the value.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    search = re.compile(pattern).search
    return lambda v: search(v) is None


def _with_checks(convert: Callable[[object], object], checks: list) -> Reader:
    if not checks:
        return lambda value, path, out: convert(value)

    def read(value, path, out):
        value = convert(value)
        for violated, rule in checks:
            if violated(value):
                out.append(_violation(value, path, rule))
        return value

    return read


# --- Readers per shape type ----------------------------------------------------------------------------


def _string(value: object) -> str:
    if type(value) is not str:
        raise _wrong_type(value, "a String")
    return value


def _boolean(value: object) -> bool:
    if type(value) is not bool:
        raise _wrong_type(value, "a Boolean")
    return value


def _integer(bits: int, target: str) -> Callable[[object], int]:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def convert(value: object) -> int:
        # type() rather than isinstance(): JSON true is a bool, which Python would let pass as an int.
        if type(value) is float and value.is_integer():
            value = int(value)  # 5.0 names the integer 5
        if type(value) is not int:
            raise _wrong_type(value, target)
        if not low <= value <= high:
            raise SerializationException(f"NUMBER_VALUE can not be converted to {target}")
        return value

    return convert


def _timestamp(value: object) -> datetime:
    """Epoch seconds (what boto3 sends) or an ISO-8601 string; always returned timezone-aware."""
    if type(value) is int or type(value) is float:
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise SerializationException("NUMBER_VALUE can not be converted to a Timestamp") from None
    if type(value) is str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _wrong_type(value, "a Timestamp") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    raise _wrong_type(value, "a Timestamp")


_SCALARS: dict[str, Callable[[object], object]] = {
    "string": _string,
    "boolean": _boolean,
    "integer": _integer(32, "an Integer"),
    "long": _integer(64, "a Long"),
    "timestamp": _timestamp,
}


def _list(spec: dict) -> Reader:
    element_spec = SHAPES[spec["member"]]
    element = reader(spec["member"])
    own_checks = _checks(spec)
    nested = element_spec["type"] in ("structure", "list")
    element_rules = [] if nested else [rule for _, rule in _checks(element_spec)]

    def read(value, path, out):
        if type(value) is not list:
            raise SerializationException(START_OF_OBJECT if type(value) is dict else EXPECTED_LIST)
        for violated, rule in own_checks:
            if violated(value):
                out.append(_violation(value, path, rule))
        if nested:
            # Structures inside lists are reported member by member: items.1.member.name
            items = []
            for index, item in enumerate(value, 1):
                here = f"{path}.{index}.member"
                if item is None:
                    out.append(_violation(None, here, "Member must not be null"))
                items.append(None if item is None else element(item, here, out))
            return items
        # Scalars inside lists are reported once for the whole list, naming every rule of the element shape:
        # Value '[a, b]' at 'items' failed to satisfy constraint: Member must satisfy constraint: [rule, ...]
        scratch: list[str] = []
        items = [None if item is None else element(item, path, scratch) for item in value]
        if scratch or None in items:
            rules = element_rules + (["Member must not be null"] if None in items else [])
            out.append(_violation(value, path, f"Member must satisfy constraint: [{', '.join(rules)}]"))
        return items

    return read


def _structure(name: str) -> Reader:
    spec = SHAPES[name]
    required = set(spec["required"])
    members = [(member, _member_path(member), member in required, _member_reader(member, shape))
               for member, shape in spec["members"]]

    def read(value, path, out):
        if type(value) is not dict:
            raise SerializationException(START_OF_LIST if type(value) is list else EXPECTED_STRUCTURE)
        prefix = f"{path}." if path else ""
        fields = {}
        # Members the model does not know are ignored, as Coral ignores them; JSON null means "absent".
        for member, member_path, is_required, read_member in members:
            item = value.get(member)
            if item is None:
                if is_required:
                    out.append(_violation(None, prefix + member_path, "Member must not be null"))
                continue
            fields[member] = read_member(item, prefix + member_path, out)
        return fields

    return read


_READERS: dict[str, Reader] = {}


def reader(shape: str) -> Reader:
    """The reader of a shape, built on first use and kept."""
    if shape not in _READERS:
        spec = SHAPES[shape]
        if spec["type"] == "structure":
            _READERS[shape] = _structure(shape)
        elif spec["type"] == "list":
            _READERS[shape] = _list(spec)
        elif spec["type"] == "string":
            # every string, at any depth: what the databases cannot store is refused before it reaches them
            _READERS[shape] = _with_checks(_string, _checks(spec) + [(text.unstorable, text.RULE)])
        else:
            _READERS[shape] = _with_checks(_SCALARS[spec["type"]], _checks(spec))
    return _READERS[shape]


def _member_reader(member: str, shape: str) -> Reader:
    """The shape's reader, plus the member's length ceiling when the model leaves a string unbounded."""
    read = reader(shape)
    spec = SHAPES[shape]
    listed = spec["type"] == "list"
    string = SHAPES[spec["member"]] if listed else spec
    unbounded = string["type"] == "string" and "max" not in string and "enum" not in string
    high = ceiling(member) if unbounded else None
    if high is None:
        return read
    rule = _LENGTH.format("less than or equal", high)
    if listed:  # scalars in a list are reported once for the list, as _list does
        rule = f"Member must satisfy constraint: [{rule}]"

    def read_bounded(value, path, out):
        value = read(value, path, out)
        if any(len(item) > high for item in value if item is not None) if listed else len(value) > high:
            out.append(_violation(value, path, rule))
        return value

    return read_bounded


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python accepts them, JSON does not


# One decoder for every request: json.loads with options would build a new one each call.
_decode = json.JSONDecoder(parse_constant=_reject_constant).decode
# orjson reads an integer beyond 64 bits as a float, where json keeps it exact: a body with so long a run of
# digits anywhere is left to json.
_LONG_DIGITS = re.compile(rb"[0-9]{19}")


def _parse_json(body: bytes | str) -> object:
    """The body's JSON value as json reads it (ValueError or RecursionError for what it refuses). orjson
    reads it first, at a fifth of the cost: what it reads (long digit runs aside) json reads alike, and
    what it refuses (a lone surrogate, say) goes to json, which reads or refuses it as it always did."""
    if type(body) is bytes and not _LONG_DIGITS.search(body):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return _decode(body.decode("utf-8") if isinstance(body, bytes) else body)


#: Operation name -> (reader of its input shape, model builder), all made now so that no request pays for it.
_OPERATION_READERS = {
    name: (reader(model.__name__), model.model_validate) for name, (model, _) in OPERATIONS.items()
}


def parse_request(operation: str, body: bytes | str) -> Shape:
    """The input model of `operation` read from a JSON 1.1 request body.

    Raises SerializationException for a body that is not a JSON object or a member of the wrong JSON type,
    then ValidationException with every constraint violation. KeyError for an operation the model lacks.
    """
    read, build = _OPERATION_READERS[operation]
    if not body or body.isspace():
        data: object = {}  # boto3 always sends at least {}; an empty body means the same
    else:
        try:
            data = _parse_json(body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError too
            raise SerializationException(MALFORMED_BODY) from None
        if type(data) is not dict:
            raise SerializationException(START_OF_LIST if type(data) is list else MALFORMED_BODY)
    violations: list[str] = []
    fields = read(data, "", violations)
    if violations:
        raise ValidationException(violations)
    return build(fields)
