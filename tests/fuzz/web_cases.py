"""Bad requests for the worker, admin and file routes, generated from openapi/kempelen.json (what the
application says about itself): each case carries one defect that must get it refused with a 4xx in the
``{"Error": {"Code", "Message"}}`` envelope (HTML pages: any 4xx page).

Defects: the credentials (none, wrong, not a Bearer token, an admin token without X-Kempelen-Worker-Id),
a path id (unknown, NUL, huge, odd characters), a query parameter (wrong type, out of range, NUL, garbage
token), the JSON body (wrong types, unknown or missing members, NUL and surrogates, not JSON, not an object,
another Content-Type, over the size limit).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

SPEC = json.loads((Path(__file__).resolve().parents[2] / "openapi" / "kempelen.json").read_text())
MAX_BODY = 1024 * 1024


@dataclass
class Route:
    method: str
    template: str
    path_params: list[str]
    query: dict[str, dict]          # name -> schema
    required_query: set[str]
    headers: set[str]               # lower-case header parameter names
    body: dict | None               # JSON schema of the body, resolved
    multipart: bool
    html: bool
    admin: bool                     # guarded by the admin token
    open: bool                      # no credentials at all (health, files, worker-site pages)
    max_body: int = MAX_BODY        # the route's own bound when the spec gives one (x-kempelen-max-body-bytes)
    sigv4: bool = False             # signed with the requester's keys (Kempelen's requester routes)


def _resolve(schema: dict) -> dict:
    if "$ref" in schema:
        return _resolve(SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    return schema


def routes() -> list[Route]:
    found = []
    for template, methods in SPEC["paths"].items():
        for method, operation in methods.items():
            if operation.get("x-kempelen-whole-state"):
                continue  # reset, snapshots, fault rules: any accepted request changes everything (own tests)
            params = operation.get("parameters", [])
            content = operation.get("requestBody", {}).get("content", {})
            success = next((r for code, r in operation["responses"].items() if code.startswith("2")), {})
            headers = {p["name"].lower() for p in params if p["in"] == "header"}
            sigv4 = template.startswith("/_kempelen/requester/")
            found.append(Route(
                method.upper(), template, [p["name"] for p in params if p["in"] == "path"],
                {p["name"]: p["schema"] for p in params if p["in"] == "query"},
                {p["name"] for p in params if p["in"] == "query" and p.get("required")}, headers,
                _resolve(content["application/json"]["schema"]) if "application/json" in content else None,
                "multipart/form-data" in content, "text/html" in success.get("content", {}),
                (template.startswith("/_kempelen") and not sigv4) or template.startswith("/api/workers"),
                "authorization" not in headers and not sigv4,
                max_body=operation.get("x-kempelen-max-body-bytes", MAX_BODY), sigv4=sigv4))
    return found


@dataclass
class Case:
    route: Route
    kind: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    declared_length: int | None = None
    notes: list[str] = field(default_factory=list)


class Generator:
    def __init__(self, seed: int, seeds: dict[str, str], admin_token: str, signer=None):
        self.random = random.Random(seed)
        self.seeds = seeds          # path parameter name -> an id that exists
        self.admin_token = admin_token
        self.signer = signer        # the requester's keys, for the SigV4 routes

    def _sign(self, route: Route, method: str, case: Case, good: bool = True) -> Case:
        """SigV4 for the requester routes (as the Requester API signs); `good=False`: a wrong secret, a stale
        date, a body changed after signing, or no signature at all."""
        if not route.sigv4 or self.signer is None:
            return case
        content_type = case.headers.get("content-type", "")
        how = "good" if good else self.random.choice(["none", "secret", "stale", "tampered"])
        if how == "none":
            return case
        signer = self.signer
        if how == "secret":
            from tests.fuzz.signing import Signer

            signer = Signer(signer.access_key_id, "wrong", signer.host)
        from datetime import datetime, timedelta, timezone

        now = datetime.now(timezone.utc) - (timedelta(hours=1) if how == "stale" else timedelta(0))
        case.headers.update(signer.headers(None, case.body, content_type=content_type, method=method,
                                           path=case.path, signed=("content-type", "host", "x-amz-date"), now=now))
        if how == "tampered":
            case.body = case.body + b" " if case.body else b"{}"
        case.notes.append(f"signature {how}")
        return case

    def _auth(self, route: Route) -> dict[str, str]:
        """Good credentials for the route, so that only the case's own defect can refuse it."""
        if route.open or route.sigv4:
            return {}
        if route.admin:
            return {"authorization": f"Bearer {self.admin_token}"}
        if self.random.random() < 0.5:
            return {"authorization": f"Bearer {self.seeds['worker_token']}"}
        return {"authorization": f"Bearer {self.admin_token}", "x-kempelen-worker-id": self.seeds["worker_id"]}

    def _value(self, schema: dict):
        rnd = self.random
        schema = _resolve(schema)
        if "anyOf" in schema:
            return self._value(rnd.choice([s for s in schema["anyOf"] if s.get("type") != "null"]))
        kind = schema.get("type")
        if "enum" in schema:
            return rnd.choice(schema["enum"])
        if kind == "object":
            out = {}
            for name, member in schema.get("properties", {}).items():
                if name in schema.get("required", []) or rnd.random() < 0.5:
                    out[name] = self._value(member)
            return out
        if kind == "string":
            if schema.get("format") == "date-time":
                return "2030-01-01T00:00:00+00:00"
            return rnd.choice(["x", "fuzz", "A1", "US"])
        if kind == "integer":
            return rnd.randint(1, 50)
        if kind == "number":
            return rnd.choice([1, 2.5])
        if kind == "boolean":
            return rnd.random() < 0.5
        return "x"

    def case(self, route: Route) -> Case:
        rnd = self.random
        kinds = []
        if not route.open:
            kinds.append("bad_credentials")
        if route.path_params and route.template != "/_kempelen/health":
            kinds.append("bad_path_id")
        if any(_kind_of(schema) == "integer" for schema in route.query.values()) or route.required_query \
                or "NextToken" in route.query:
            kinds.append("bad_query")
        if route.body is not None:
            kinds += ["bad_body", "bad_body", "not_json", "oversized_body"]
        if route.multipart:
            kinds += ["not_multipart", "oversized_body"]
        if route.template.endswith("externalSubmit"):
            kinds = ["bad_form"]
        if not kinds:
            kinds.append("unknown_method")
        kind = rnd.choice(kinds)
        headers = self._auth(route)
        params = {name: self.seeds.get(name, "x") for name in route.path_params}
        query = {name: str(self._value(route.query[name])) for name in route.required_query}
        notes: list[str] = []
        body_value = self._value(route.body) if route.body is not None else None
        body = b""
        declared = None
        if kind == "bad_body" and route.sigv4 and (rnd.random() < 0.5 or not route.body.get("properties")):
            kind = "not_json"  # these routes ignore unknown members, as the Requester API does
        if kind == "bad_credentials" and route.sigv4:
            pass  # signed wrongly below
        elif kind == "bad_credentials":
            headers = rnd.choice([{}, {"authorization": "Bearer wrong-token"}, {"authorization": self.admin_token},
                                  {"authorization": f"Basic {self.admin_token}"}, {"authorization": "Bearer "},
                                  {"authorization": f"bearer{self.admin_token}"}]
                                 + ([] if route.admin else [{"authorization": f"Bearer {self.admin_token}"}]))
            notes.append(f"authorization {headers.get('authorization', '(none)')[:20]!r}")
        elif kind == "bad_path_id":
            name = rnd.choice(route.path_params)
            params[name] = rnd.choice(["ANOSUCH1", "3NOSUCHID", "%00", "A%00", "x" * 5000, "%C3%A9", "%F0%9F%98%80",
                                       "%2E%2E", "%25", "a%20b", "%FF"])
            notes.append(f"{name}={params[name][:20]}")
        elif kind == "bad_query":
            options = [name for name, s in route.query.items() if _kind_of(s) == "integer"] + ["NextToken"] \
                if "NextToken" in route.query else [name for name, s in route.query.items() if _kind_of(s) == "integer"]
            if route.required_query and (not options or rnd.random() < 0.3):
                name = rnd.choice(sorted(route.required_query))
                if rnd.random() < 0.5:
                    query.pop(name)
                    notes.append(f"{name} missing")
                else:
                    query[name] = "%00"
                    notes.append(f"{name}=NUL")
            else:
                name = rnd.choice(options)
                query[name] = (rnd.choice(["garbage", "%00", "x" * 300, "eyJ9", ""]) if name == "NextToken"
                               else rnd.choice(["abc", "0", "101", "-1", "99999999999999999999999", "1.5", "%00"]))
                if name == "NextToken" and query[name] == "":
                    query[name] = "%00"
                notes.append(f"{name}={query[name][:20]}")
        elif kind == "bad_body":
            body_value, note = self._bad_body(route.body, body_value, unknown_members=not route.sigv4)
            notes.append(note)
        elif kind == "not_json":
            body = rnd.choice([b"{", b"[]", b"null", b"1", b'"x"', b"{'a': 1}", b"\xff", b'{"a": NaN}', b"[" * 50_000])
        elif kind == "oversized_body":
            declared = (rnd.choice([route.max_body + 1, 300 * route.max_body]) if not route.multipart
                        else 3_000_000_000)
            body = b'{"x": "' + b"x" * 100
        elif kind == "bad_form":
            assignment = rnd.choice(["3NOSUCHASSIGNMENT", "%00", "x" * 3000, "", "ASSIGNMENT_ID_NOT_AVAILABLE"])
            fields = f"assignmentId={assignment}&answer=x" if rnd.random() < 0.8 else "answer=x"
            notes.append(fields[:40])
            if route.method == "GET":
                query = dict(pair.split("=", 1) for pair in fields.split("&"))
            else:
                headers["content-type"] = "application/x-www-form-urlencoded"
                body = fields.encode()
        elif kind == "not_multipart":
            headers["content-type"] = rnd.choice(["application/json", "text/plain"])
            body = b"{}"
        path = route.template
        for name, value in params.items():
            path = path.replace("{" + name + "}", value if "%" in value else quote(value, safe=""))
        if query:
            path += "?" + "&".join(f"{k}={v if '%' in v else quote(v, safe='')}" for k, v in query.items())
        if kind == "unknown_method":
            return self._sign(route, "PATCH", Case(route, kind, path, headers, notes=["PATCH"]))
        if body_value is not None and not body:
            body = json.dumps(body_value, ensure_ascii=rnd.random() < 0.5).encode("utf-8", "surrogatepass") \
                if kind != "bad_body" or "surrogate" not in notes[-1] else json.dumps(body_value).encode()
        if route.body is not None and "content-type" not in headers:
            headers["content-type"] = "application/json" if rnd.random() < 0.85 else rnd.choice(
                ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"])
            if headers["content-type"] != "application/json":
                notes.append(headers["content-type"])
        return self._sign(route, route.method, Case(route, kind, path, headers, body, declared, notes),
                          good=kind != "bad_credentials")

    def _bad_body(self, schema: dict, value: dict, *, unknown_members: bool = True) -> tuple[object, str]:
        rnd = self.random
        properties = schema.get("properties", {})
        choice = rnd.randrange(0 if unknown_members else 1, 5)
        if choice == 0 or not properties:
            value[rnd.choice(["Unknown", "workerid", "__proto__", "amount ", ""])] = rnd.choice([1, "x", None, {}])
            return value, "unknown member"
        name = rnd.choice(sorted(properties))
        member = _resolve(properties[name])
        if choice == 1 and schema.get("required"):
            value.pop(rnd.choice(schema["required"]), None)
            return value, "required member missing"
        if choice == 2:
            value[name] = rnd.choice(["a\u0000b", "\u0000", "\ud800x"])
            return value, f"{name}: NUL or surrogate"
        variants = member.get("anyOf", [member])
        kinds = {s.get("type") for s in variants}
        if any(s.get("format") == "date-time" for s in variants):
            wrong = ["not a date", [], {}]  # a number would be read as epoch seconds
        else:
            wrong = ([1, 2.5] if "string" in kinds else ["x"]) + [[], [1]] + ([{}] if "object" not in kinds else [])
        value[name] = rnd.choice(wrong)
        return value, f"{name}: wrong type"


def _kind_of(schema: dict) -> str | None:
    kinds = [s.get("type") for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    return kinds[0] if kinds else None


def is_envelope(payload: object) -> bool:
    if not isinstance(payload, dict) or set(payload) != {"Error"}:
        return False
    error = payload["Error"]
    return (isinstance(error, dict) and {"Code", "Message"} <= set(error) <= {"Code", "Message", "Details"}
            and isinstance(error["Code"], str) and re.fullmatch(r"[A-Za-z][A-Za-z.]*", error["Code"]) is not None
            and isinstance(error["Message"], str) and error["Message"] != "")


class ExtremeGenerator(Generator):
    """Well-formed requests with good credentials and every value at an edge (long strings of odd
    characters, huge numbers): taken or refused, never a 5xx."""

    TEXT = ["x", "é", "\U0001F600", "\u202e", "<b>", "%", " "]

    def _value(self, schema: dict):
        rnd = self.random
        schema = _resolve(schema)
        kind = _kind_of(schema) if "anyOf" in schema else schema.get("type")
        if "enum" in schema or kind in ("object", "boolean", None):
            return super()._value(schema)
        if kind == "string":
            if any(s.get("format") == "date-time" for s in schema.get("anyOf", [schema])):
                return rnd.choice(["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z"])
            return rnd.choice(self.TEXT) * rnd.choice([0, 1, 2, 3, 64, 65, 200, 201, 255, 256, 1000, 5000])
        if kind == "integer":
            return rnd.choice([0, -1, 2**31, 2**63, 10**30, -(10**30)])
        if kind == "number":
            return rnd.choice([0, -1, 1e308, -1e308, 1e-300, 2**63])
        return super()._value(schema)

    def case(self, route: Route) -> Case:
        rnd = self.random
        headers = self._auth(route)
        path = route.template
        for name in route.path_params:
            path = path.replace("{" + name + "}", quote(self.seeds.get(name, "x"), safe=""))
        query = {name: str(self._value(schema)) for name, schema in route.query.items()
                 if name in route.required_query or rnd.random() < 0.5}
        if query:
            path += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
        body = b""
        if route.body is not None:
            body = json.dumps(self._value(route.body)).encode()
            headers["content-type"] = "application/json"
        return self._sign(route, route.method, Case(route, "extreme_valid", path, headers, body,
                                                     notes=[path[:60], body[:80].decode(errors="replace")]))
