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
            found.append(Route(
                method.upper(), template, [p["name"] for p in params if p["in"] == "path"],
                {p["name"]: p["schema"] for p in params if p["in"] == "query"},
                {p["name"] for p in params if p["in"] == "query" and p.get("required")}, headers,
                _resolve(content["application/json"]["schema"]) if "application/json" in content else None,
                "multipart/form-data" in content, "text/html" in success.get("content", {}),
                template.startswith("/_kempelen") or template.startswith("/api/workers"),
                "authorization" not in headers, operation.get("x-kempelen-max-body-bytes", MAX_BODY)))
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
    def __init__(self, seed: int, seeds: dict[str, str], admin_token: str):
        self.random = random.Random(seed)
        self.seeds = seeds          # path parameter name -> an id that exists
        self.admin_token = admin_token

    def _auth(self, route: Route) -> dict[str, str]:
        """Good credentials for the route, so that only the case's own defect can refuse it."""
        if route.open:
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
        if kind == "bad_credentials":
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
            body_value, note = self._bad_body(route.body, body_value)
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
            return Case(route, kind, path, headers, notes=["PATCH"])
        if body_value is not None and not body:
            body = json.dumps(body_value, ensure_ascii=rnd.random() < 0.5).encode("utf-8", "surrogatepass") \
                if kind != "bad_body" or "surrogate" not in notes[-1] else json.dumps(body_value).encode()
        if route.body is not None and "content-type" not in headers:
            headers["content-type"] = "application/json" if rnd.random() < 0.85 else rnd.choice(
                ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"])
            if headers["content-type"] != "application/json":
                notes.append(headers["content-type"])
        return Case(route, kind, path, headers, body, declared, notes)

    def _bad_body(self, schema: dict, value: dict) -> tuple[object, str]:
        rnd = self.random
        properties = schema.get("properties", {})
        choice = rnd.randrange(5)
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
            and isinstance(error["Code"], str) and re.fullmatch(r"[A-Za-z]+", error["Code"]) is not None
            and isinstance(error["Message"], str) and error["Message"] != "")
