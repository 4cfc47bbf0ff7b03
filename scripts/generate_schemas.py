"""Write app/schemas/generated.py from botocore's MTurk 2017-01-17 service model.

    python scripts/generate_schemas.py           # rewrite the module
    python scripts/generate_schemas.py --check   # exit 1 if the module differs from what the model gives

The output depends only on the model's shapes, operations and metadata (never on documentation, the botocore
package version or the time), so regenerating with a newer botocore changes nothing unless the API did.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from botocore.loaders import Loader

SERVICE = "mturk"
API_VERSION = "2017-01-17"
TARGET = Path(__file__).resolve().parent.parent / "app" / "schemas" / "generated.py"

WIDTH = 110  # longest generated line before a literal is broken over several lines
_SCALARS = {"string": "str", "integer": "int", "long": "int", "boolean": "bool", "timestamp": "datetime"}
_CONSTRAINTS = ("min", "max", "pattern", "enum")
# Member traits that change nothing on the wire; any other (a location, a member-level constraint) would.
_INERT_MEMBER_KEYS = {"shape", "documentation", "deprecated", "deprecatedMessage"}
_METADATA = ("apiVersion", "uid", "serviceId", "protocol", "jsonVersion", "targetPrefix", "signatureVersion")


def load_model() -> dict:
    return Loader().load_service_model(SERVICE, "service-2", API_VERSION)


def reduce_shapes(model: dict) -> dict[str, dict]:
    """The facts of every shape the request walker needs, in a fixed key order, documentation left out."""
    shapes = {}
    for name in sorted(model["shapes"]):
        shape = model["shapes"][name]
        kind = shape["type"]
        if kind not in _SCALARS and kind not in ("list", "structure"):
            # Not in the MTurk model today; fail loudly rather than emit something untested.
            raise SystemExit(f"shape {name}: type {kind!r} is not supported by this generator")
        reduced: dict = {"type": kind}
        if kind == "structure":
            for member, spec in shape["members"].items():
                if set(spec) - _INERT_MEMBER_KEYS:
                    raise SystemExit(f"{name}.{member}: traits {sorted(set(spec) - _INERT_MEMBER_KEYS)} "
                                     "are not supported by this generator")
            reduced["members"] = tuple((member, spec["shape"]) for member, spec in shape["members"].items())
            reduced["required"] = tuple(shape.get("required", ()))
        elif kind == "list":
            reduced["member"] = shape["member"]["shape"]
        for key in _CONSTRAINTS:
            if key in shape:
                reduced[key] = tuple(shape[key]) if key == "enum" else shape[key]
        shapes[name] = reduced
    return shapes


class _Name(str):
    """A bare Python name inside a literal (a class reference), printed without quotes."""

    def __repr__(self) -> str:
        return str(self)


def _flat(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {_flat(item)}" for key, item in value.items()) + "}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_flat(item) for item in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _literal(value, indent: int, start: int) -> str:
    """A Python literal on one line if that line (begun at column `start`) fits in WIDTH, else one item per
    line, each laid out the same way."""
    flat = _flat(value)
    # `<` rather than `<=`: leave room for the "," that ends an item.
    if start + len(flat) < WIDTH or not isinstance(value, (dict, tuple)) or not value:
        return flat
    pairs = value.items() if isinstance(value, dict) else (("", item) for item in value)
    pad = " " * (indent + 4)
    lines = []
    for key, item in pairs:
        head = f"{key!r}: " if isinstance(value, dict) else ""
        lines.append(f"{pad}{head}{_literal(item, indent + 4, indent + 4 + len(head))},\n")
    closing = "}" if isinstance(value, dict) else ")"
    return ("{" if isinstance(value, dict) else "(") + "\n" + "".join(lines) + " " * indent + closing


def _structure_order(shapes: dict[str, dict]) -> list[str]:
    """Structures, each after the structures its members use, ties broken by name: no forward references."""
    order: list[str] = []
    state: dict[str, str] = {}

    def uses(name: str) -> list[str]:
        found = []
        for _member, shape in shapes[name]["members"]:
            while shapes[shape]["type"] == "list":
                shape = shapes[shape]["member"]
            if shapes[shape]["type"] == "structure":
                found.append(shape)
        return found

    def visit(name: str) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise SystemExit(f"shape {name} refers to itself; add forward references to the generator")
        state[name] = "visiting"
        for used in uses(name):
            visit(used)
        state[name] = "done"
        order.append(name)

    for name in shapes:
        if shapes[name]["type"] == "structure":
            visit(name)
    return order


def _annotation(shapes: dict[str, dict], shape: str, member: str | None, aliased: set[str],
                wrap: bool = False) -> str:
    """The Python type of a member; `wrap` puts a long enum's values one per line."""
    spec = shapes[shape]
    kind = spec["type"]
    if kind == "structure":
        if shape == member:
            # `HIT: HIT | None = None` binds HIT to None in the class body before the annotation is read.
            aliased.add(shape)
            return f"_{shape}"
        return shape
    if kind == "list":
        return f"list[{_annotation(shapes, spec['member'], None, aliased, wrap)}]"
    if "enum" in spec:
        values = [repr(value) for value in spec["enum"]]
        if wrap:
            return "Literal[\n" + "".join(f"        {value},\n" for value in values) + "    ]"
        return f"Literal[{', '.join(values)}]"
    return _SCALARS[kind]


def _field(shapes: dict[str, dict], member: str, shape: str, aliased: set[str]) -> str:
    line = f"    {member}: {_annotation(shapes, shape, member, aliased)} | None = None"
    if len(line) <= WIDTH:
        return line
    return f"    {member}: {_annotation(shapes, shape, member, aliased, wrap=True)} | None = None"


def render(model: dict | None = None) -> str:
    model = model if model is not None else load_model()
    shapes = reduce_shapes(model)
    metadata = model["metadata"]

    out = [
        f"# Generated by scripts/generate_schemas.py from botocore's {SERVICE} {API_VERSION} service model",
        f"# (format {model.get('version', '?')}), whose metadata says:",
        *(f"#   {key}: {metadata[key]}" for key in _METADATA if key in metadata),
        "# Do not edit: change the generator and run `python scripts/generate_schemas.py`.",
        '"""Pydantic models and constraint tables for every shape of the MTurk Requester API 2017-01-17.',
        "",
        "Every member is optional here, so that kempelen.schemas can report missing required members in Coral's",
        "words; SHAPES says which are required and what else the model constrains.",
        '"""',
        "",
        "from datetime import datetime",
        "from typing import Literal",
        "",
        "from pydantic import VERSION, BaseModel, ConfigDict",
        "",
        "# Each model's validator is built at its first use, not at import (building them all cost every start",
        "# a tenth of a second, and responses never validate), where pydantic builds a model thread-safely: from",
        "# 2.14, whose model_rebuild() takes a lock. Before that, a first use racing another thread's could be",
        "# handed a half-built model, so older versions build at import as before.",
        'DEFER_BUILD = tuple(int(part) for part in VERSION.split(".")[:2]) >= (2, 14)',
        "",
        "",
        "class Shape(BaseModel):",
        '    """Base of every structure shape."""',
        "",
        "    # forbid: a misspelt member in an output model is a bug, not something to drop silently.",
        '    model_config = ConfigDict(extra="forbid", protected_namespaces=(), defer_build=DEFER_BUILD)',
        "",
    ]
    # Two passes: a class's alias is known only once a later class has used it.
    order = _structure_order(shapes)
    aliased: set[str] = set()
    fields_of = {name: [_field(shapes, member, shape, aliased) for member, shape in shapes[name]["members"]]
                 for name in order}
    for name in order:
        out += ["", f"class {name}(Shape):"]
        out += fields_of[name] or ["    pass"]
        if name in aliased:
            out += ["", "", f"_{name} = {name}  # for members named {name}: see the generator's _annotation"]
        out.append("")

    operations = {
        name: (_Name(op["input"]["shape"]), _Name(op["output"]["shape"]))
        for name, op in sorted(model["operations"].items())
    }
    out += [
        "",
        "#: Every shape by name: type, structure members (name, shape) in model order, required members,",
        "#: and the constraints (min/max length or value, pattern, enum) exactly as the model states them.",
        f"SHAPES: dict[str, dict] = {_literal(shapes, 0, 0)}",
        "",
        "#: Structure shape name -> model class.",
        "MODELS: dict[str, type[Shape]] = {",
        "    name: globals()[name] for name, shape in SHAPES.items() if shape['type'] == 'structure'",
        "}",
        "",
        "#: Operation name -> (input model, output model).",
        f"OPERATIONS: dict[str, tuple[type[Shape], type[Shape]]] = {_literal(operations, 0, 0)}",
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the module is stale")
    parser.add_argument("--output", type=Path, default=TARGET, help=f"where to write (default {TARGET})")
    args = parser.parse_args(argv)
    text = render()
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run python scripts/generate_schemas.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
