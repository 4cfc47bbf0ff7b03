"""Bad requester-API requests generated from botocore's mturk model: each case carries exactly one defect that
must get it refused (plus, sometimes, harmless noise: unknown members, another Content-Type), and says
which error types may answer it.

A case starts from a request that is valid for the model (members built from their shapes, ids taken from
the seeded state so that operations would reach deep), then one of the mutations below breaks it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

import botocore.session
from botocore.model import Shape

from tests.fuzz.signing import CONTENT_TYPE, TARGET_PREFIX, Signer

MODEL = botocore.session.get_session().get_service_model("mturk")
OPERATIONS = sorted(MODEL.operation_names)
MAX_BODY = 1024 * 1024
#: the server's ceilings for unbounded strings (kempelen.schemas.limits), mirrored so a huge value is huge
CEILINGS = {"Question": None, "Test": None, "AnswerKey": None, "QualificationRequestId": 255,
            "QualificationTypeId": 255, "Version": 255, "Value": 65535, "Values": 65535}
DEFAULT_CEILING = 4096

AUTH_ERRORS = {"InvalidSignatureException", "IncompleteSignatureException", "MissingAuthenticationTokenException",
               "UnrecognizedClientException"}
EXPECTED = {
    "wrong_type": {"SerializationException"},
    "missing_required": {"ValidationException"},
    "out_of_range": {"ValidationException", "SerializationException"},
    "bad_enum": {"ValidationException"},
    "bad_pattern": {"ValidationException"},
    "huge_string": {"ValidationException", "RequestError", "ParameterValidationError",
                    "RequestEntityTooLargeException"},
    "unstorable_string": {"ValidationException"},
    "malformed_json": {"SerializationException"},
    "bad_target": {"UnknownOperationException"},
    "bad_signature": AUTH_ERRORS,
    "oversized_body": {"RequestEntityTooLargeException"},
    "extreme_valid": {"ValidationException", "SerializationException", "RequestError", "ParameterValidationError",
                      "RequestEntityTooLargeException"},
}
ALWAYS = ("malformed_json", "bad_target", "bad_signature", "oversized_body")
WRONG_CONTENT_TYPES = ("application/json", "text/plain", "application/x-www-form-urlencoded", "", "*/*",
                       "multipart/form-data; boundary=x")


@dataclass
class Case:
    operation: str
    kind: str
    target: str | None
    body: bytes
    headers: dict[str, str]
    declared_length: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Node:
    """A value inside the request, where it hangs, and the shape and member name it has."""
    parent: object
    key: object
    shape: Shape
    member: str


class Generator:
    def __init__(self, seed: int, signer: Signer, ids: dict[str, list[str]]):
        self.random = random.Random(seed)
        self.signer = signer
        self.ids = ids  # member name (HITId, WorkerId, ...) -> ids that exist on the server

    # --- valid values -----------------------------------------------------------------------------

    def value(self, shape: Shape, member: str, depth: int = 0):
        rnd = self.random
        kind = shape.type_name
        if kind == "structure":
            out = {}
            for name, child in shape.members.items():
                if name in shape.required_members or (depth < 4 and rnd.random() < 0.5):
                    out[name] = self.value(child, name, depth + 1)
            return out
        if kind == "list":
            low = shape.metadata.get("min", 1)
            count = rnd.randint(max(low, 1), max(low, 1) + 1)
            if "max" in shape.metadata:
                count = min(count, shape.metadata["max"])
            return [self.value(shape.member, member, depth + 1) for _ in range(count)]
        if kind == "string":
            return self.string(shape, member)
        if kind in ("integer", "long"):
            low = shape.metadata.get("min", 1)
            return rnd.randint(low, shape.metadata.get("max", low + 100))
        if kind == "boolean":
            return rnd.random() < 0.5
        if kind == "timestamp":
            return 1_900_000_000 + rnd.randint(0, 10_000_000)
        raise AssertionError(kind)

    def string(self, shape: Shape, member: str) -> str:
        rnd = self.random
        if shape.enum:
            return rnd.choice(shape.enum)
        pattern = shape.metadata.get("pattern")
        known = self.ids.get(member)
        if pattern == "^[0-9]+(\\.)?[0-9]{0,2}$":
            return rnd.choice(["0.10", "1", "5.", "0.5"])
        if pattern == "^A[A-Z0-9]+$":
            return rnd.choice(known) if known else "AFUZZ" + str(rnd.randint(0, 999))
        if pattern == "^[A-Z0-9]+$":
            return rnd.choice(known) if known and rnd.random() < 0.8 else "3FUZZ" + str(rnd.randint(0, 99999))
        high = shape.metadata.get("max", 40)
        text = rnd.choice(["fuzz", "Fuzz test", "a b c", "café ☕", "x" * 20])
        return text[:high] or "x"

    # --- the nodes a mutation can hit ----------------------------------------------------------------

    def nodes(self, value, shape: Shape, member: str = "", parent=None, key=None) -> list[Node]:
        found = [Node(parent, key, shape, member)] if parent is not None else []
        if shape.type_name == "structure" and isinstance(value, dict):
            for name, child in value.items():
                found += self.nodes(child, shape.members[name], name, value, name)
        elif shape.type_name == "list" and isinstance(value, list):
            for index, item in enumerate(value):
                found += self.nodes(item, shape.member, member, value, index)
        return found

    # --- cases ---------------------------------------------------------------------------------------

    def case(self, operation: str) -> Case:
        rnd = self.random
        shape = MODEL.operation_model(operation).input_shape
        body = self.value(shape, "")
        nodes = self.nodes(body, shape)
        applicable = {
            "wrong_type": nodes,
            "missing_required": [n for n in nodes if n.shape.type_name == "structure" and n.shape.required_members
                                 and isinstance(n.parent[n.key], dict)]
            + ([Node(None, None, shape, "")] if shape.required_members else []),
            "out_of_range": [n for n in nodes if n.shape.type_name in ("integer", "long")
                             or (n.shape.type_name in ("string", "list")
                                 and ("max" in n.shape.metadata or n.shape.metadata.get("min", 0) >= 1))],
            "bad_enum": [n for n in nodes if n.shape.type_name == "string" and n.shape.enum],
            "bad_pattern": [n for n in nodes if "pattern" in n.shape.metadata],
            "huge_string": [n for n in nodes if n.shape.type_name == "string" and not n.shape.enum],
            "unstorable_string": [n for n in nodes if n.shape.type_name == "string"],
        }
        kinds = [kind for kind, where in applicable.items() if where] + list(ALWAYS)
        kind = rnd.choice(kinds)
        target = TARGET_PREFIX + operation
        content_type = CONTENT_TYPE
        notes: list[str] = []
        if kind not in ALWAYS:
            node = rnd.choice(applicable[kind])
            notes.append(getattr(self, "_" + kind)(node, body))
        if kind != "malformed_json" and rnd.random() < 0.3:
            body[rnd.choice(["Unknown", "hitid", "X-Fuzz", "__type"])] = rnd.choice([1, "x", None, [], {}])
            notes.append("unknown member")
        # raw UTF-8 half the time; a surrogate only as its JSON escape (raw, it is just invalid UTF-8)
        ascii_only = kind == "unstorable_string" or rnd.random() < 0.5
        raw = json.dumps(body, ensure_ascii=ascii_only).encode()
        if rnd.random() < 0.25:
            content_type = rnd.choice(WRONG_CONTENT_TYPES)
            notes.append(f"content-type {content_type!r}")
        declared = None
        signed = ("content-type", "host", "x-amz-date", "x-amz-target")
        if kind == "malformed_json":
            raw = rnd.choice(self._malformed(raw))
        elif kind == "bad_target":
            target = rnd.choice([TARGET_PREFIX + "NoSuchOperation", "MTurkRequesterServiceV20140101." + operation,
                                 operation, TARGET_PREFIX + operation.lower(), TARGET_PREFIX, "", None,
                                 TARGET_PREFIX + operation + "X", "DynamoDB_20120810.GetItem"])
        elif kind == "oversized_body":
            declared = rnd.choice([MAX_BODY + 1, 2 * MAX_BODY, 300 * MAX_BODY])
            raw = raw[:64]
        headers = self.signer.headers(target, raw, content_type=content_type, signed=signed)
        if kind == "bad_signature":
            headers, raw = self._bad_signature(headers, raw, target)
        if kind == "oversized_body":
            headers = {"content-type": content_type, "x-amz-target": target or ""}  # and unauthenticated
        return Case(operation, kind, target, raw, headers, declared, notes)

    # --- mutations ----------------------------------------------------------------------------------

    def _wrong_type(self, node: Node, _body) -> str:
        kind = node.shape.type_name
        choices = {
            "structure": ["x", [], 1, True], "list": ["x", {}, 1, False],
            "string": [1, 2.5, True, [], {}], "integer": ["1", 1.5, True, [], {}],
            "long": ["1", 1.5, False, [], {}], "boolean": ["true", 1, [], {}],
            "timestamp": [True, [], {}, "not a time", "2021-13-45"],
        }[kind]
        node.parent[node.key] = self.random.choice(choices)
        return f"{node.member}: {kind} given {type(node.parent[node.key]).__name__}"

    def _missing_required(self, node: Node, body) -> str:
        target = body if node.parent is None else node.parent[node.key]
        name = self.random.choice(sorted(node.shape.required_members))
        if self.random.random() < 0.5:
            target.pop(name, None)
        else:
            target[name] = None
        return f"{name} missing"

    def _out_of_range(self, node: Node, _body) -> str:
        rnd = self.random
        meta = node.shape.metadata
        kind = node.shape.type_name
        if kind in ("integer", "long"):
            bits = 31 if kind == "integer" else 63
            choices = [2 ** bits, -(2 ** bits) - 1, 10 ** 30, -(10 ** 30)]
            if "min" in meta:
                choices.append(meta["min"] - 1)
            if "max" in meta:
                choices.append(meta["max"] + 1)
            node.parent[node.key] = rnd.choice(choices)
        elif "max" in meta and (rnd.random() < 0.5 or "min" not in meta or meta["min"] < 1):
            size = meta["max"] + rnd.randint(1, 10)
            node.parent[node.key] = "A" * size if kind == "string" else [node.parent[node.key][0]] * size
        else:
            node.parent[node.key] = "" if kind == "string" else []
        return f"{node.member}: out of range"

    def _bad_enum(self, node: Node, _body) -> str:
        node.parent[node.key] = self.random.choice(["Nope", "", "assignable", node.parent[node.key] + " "])
        return f"{node.member}: bad enum"

    def _bad_pattern(self, node: Node, _body) -> str:
        node.parent[node.key] = self.random.choice(["lower", "A-B", "$1.00", "1.234", "-5", " A1", "Ä1"])
        return f"{node.member}: bad pattern"

    def _huge_string(self, node: Node, _body) -> str:
        rnd = self.random
        limit = node.shape.metadata.get("max") or CEILINGS.get(node.member, DEFAULT_CEILING) or 65535
        size = rnd.choice([limit + 1, limit * 2, rnd.randint(limit + 1, max(limit * 4, 200_000))])
        node.parent[node.key] = rnd.choice(["x", "é", "\U0001F600", "%_"]) * size
        return f"{node.member}: {size} characters"

    def _unstorable_string(self, node: Node, _body) -> str:
        rnd = self.random
        value = str(node.parent[node.key])
        at = rnd.randint(0, len(value))
        node.parent[node.key] = value[:at] + rnd.choice(["\u0000", "\ud800", "\udfff", "\u0000" * 3]) + value[at:]
        return f"{node.member}: NUL or surrogate"

    def _malformed(self, raw: bytes) -> list[bytes]:
        cut = raw[:self.random.randint(1, max(1, len(raw) - 1))] if len(raw) > 2 else b"{"
        return [cut, b"[]", b"null", b"1", b'"x"', b"{'a': 1}", b'{"a": NaN}', b'{"a": Infinity}',
                b"\xff\xfe{}", raw + b"garbage", b"[" * 100_000, b'{"a":' * 50_000, b"{,}", b'{"a" 1}',
                b'{"HITId": "\xc3\x28"}', b"\x00"]

    def _bad_signature(self, headers: dict[str, str], raw: bytes, target):
        rnd = self.random
        choice = rnd.randrange(6)
        if choice == 0:  # signed with another secret
            other = Signer(self.signer.access_key_id, "wrong" + self.signer.secret, self.signer.host)
            return other.headers(target, raw, content_type=headers["content-type"]), raw
        if choice == 1:  # body changed after signing
            return headers, raw + b" "
        if choice == 2:  # the target not signed
            unsigned = self.signer.headers(target, raw, content_type=headers["content-type"],
                                           signed=("content-type", "host", "x-amz-date"))
            return (unsigned if target is not None else {**unsigned, "x-amz-target": "x"}), raw
        if choice == 3:  # no Authorization at all
            return {k: v for k, v in headers.items() if k != "authorization"}, raw
        if choice == 4:  # an unknown key
            stranger = Signer("AKIAFUZZNOSUCHKEY000", "secret", self.signer.host)
            return stranger.headers(target, raw, content_type=headers["content-type"]), raw
        from datetime import datetime, timedelta, timezone  # signed an hour ago

        return self.signer.headers(target, raw, content_type=headers["content-type"],
                                   now=datetime.now(timezone.utc) - timedelta(hours=1)), raw


# --- valid requests at the edges of what the model allows --------------------------------------------------

EXTREME_TEXT = ["\U0001F600", "é", "\u202e", "e\u0301", "%_", "'\"<>&", "\\", " ", "\t\n", "ﾟ", "A"]
EXTREME_TIMES = [0, 1, 253402300799, 32503680000, 1e11, 1_900_000_000.5, "1970-01-01T00:00:00Z",
                 "9999-12-31T23:59:59+00:00", "2030-01-01T00:00:00-12:00"]


class ExtremeGenerator(Generator):
    """Requests the model accepts, with every value at an edge: longest strings of odd characters, integers at
    their type's bounds, timestamps at the ends of time, the most list items. The server may take them or
    refuse them, but never with a 5xx, and a refusal changes nothing."""

    def value(self, shape: Shape, member: str, depth: int = 0):
        rnd = self.random
        kind = shape.type_name
        meta = shape.metadata
        if kind == "list":
            count = rnd.choice([meta.get("min", 1) or 1, meta.get("max", 20), 20])
            return [self.value(shape.member, member, depth + 1) for _ in range(count)]
        if kind in ("integer", "long"):
            top = 2 ** (31 if kind == "integer" else 63) - 1
            return rnd.choice([meta.get("min", -top - 1), meta.get("max", top), 0, -1, top])
        if kind == "timestamp":
            return rnd.choice(EXTREME_TIMES)
        if kind == "string" and not shape.enum and "pattern" not in meta:
            limit = meta.get("max") or CEILINGS.get(member, DEFAULT_CEILING) or 65535
            size = rnd.choice([limit, limit // 2, 1, max(meta.get("min", 1), 1)])
            text = rnd.choice(EXTREME_TEXT)
            return (text * size)[:size] if len(text) == 1 else text * max(1, size // len(text) // 2)
        if kind == "string" and meta.get("pattern") == "^[0-9]+(\\.)?[0-9]{0,2}$":
            return rnd.choice(["1000000.00", "1000000", "0", "0.00", "999999999999999999999999.99", "0.01"])
        return super().value(shape, member, depth)

    def case(self, operation: str) -> Case:
        shape = MODEL.operation_model(operation).input_shape
        raw = json.dumps(self.value(shape, ""), ensure_ascii=self.random.random() < 0.5).encode()
        target = TARGET_PREFIX + operation
        return Case(operation, "extreme_valid", target, raw, self.signer.headers(target, raw))
