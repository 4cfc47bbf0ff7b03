"""AnswerFormatRegex is a JavaScript regular expression; this compiles it for Python with JS meaning.

MTurk checks it in the worker's browser with ``RegExp.test`` (a search, not a full match). We re-check
server-side, so the translation keeps the differences that matter for typical patterns:
``$`` is end of input (Python's also matches before a final newline); ``\\d`` and ``\\w`` are ASCII
and ``\\s`` is JavaScript's whitespace set (``\\b`` keeps Python's Unicode meaning); ``(?<name>…)``
and ``\\k<name>`` are named groups; ``[]`` matches nothing and ``[^]`` anything. Flags: ``i``, ``m``,
``s``; the others (``g``, ``u``, ``y``) do not change a single test.
A pattern Python still cannot compile gives None (not checked here).
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

_JS_SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
# JavaScript class escapes (without the u flag) as explicit sets: (members, negated set)
_CLASS_ESCAPES = {"s": (_JS_SPACE, False), "S": (_JS_SPACE, True), "d": ("0-9", False), "D": ("0-9", True),
                  "w": ("A-Za-z0-9_", False), "W": ("A-Za-z0-9_", True)}
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


def _translate(pattern: str, multiline: bool) -> str:
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            if e in _CLASS_ESCAPES:
                members, negated = _CLASS_ESCAPES[e]
                if not in_class:
                    out.append(f"[{'^' if negated else ''}{members}]")
                else:  # a negated escape inside a set keeps Python's meaning (close enough)
                    out.append(pattern[i:i + 2] if negated else members)
            elif e == "k" and pattern.startswith("<", i + 2) and ">" in pattern[i + 3:]:
                end = pattern.index(">", i + 3)
                out.append(f"(?P={pattern[i + 3:end]})")
                i = end + 1
                continue
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
            out.append(c)
        elif pattern.startswith("[]", i):  # JavaScript: matches nothing
            out.append("(?!)")
            i += 2
            continue
        elif pattern.startswith("[^]", i):  # JavaScript: matches anything
            out.append("[\\s\\S]")
            i += 3
            continue
        elif c == "[":
            in_class = True
            out.append(c)
            if pattern.startswith("[^", i):
                out.append("^")
                i += 1
        elif c == "$" and not multiline:
            out.append("\\Z")
        elif pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            i += 3
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def compile_js_regex(pattern: str, flags: str | None = None) -> re.Pattern | None:
    py_flags = 0
    for flag in flags or "":
        py_flags |= _FLAGS.get(flag, 0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(_translate(pattern, bool(py_flags & re.MULTILINE)), py_flags)
    except (re.error, OverflowError, RecursionError):
        return None


def js_test(pattern: str, flags: str | None, value: str) -> bool | None:
    """``new RegExp(pattern, flags).test(value)``; None when the pattern cannot be compiled."""
    compiled = compile_js_regex(pattern, flags)
    return None if compiled is None else compiled.search(value) is not None
