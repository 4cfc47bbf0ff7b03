"""How simulated workers answer (kempelen.testing.crowd): answer policies.

A policy is anything with ``answers(task, rng) -> dict`` (or a plain callable ``(task, rng) -> dict``): a
QuestionIdentifier -> answer mapping for a QuestionForm HIT (free text a string, selections a list of
SelectionIdentifiers, a file ``{"File": bytes}``), or form field -> value for an ExternalQuestion or
HTMLQuestion HIT (posted to externalSubmit). ``rng`` is a ``random.Random`` fixed by the crowd's seed, the
worker and the HIT, so answers are the same on a rerun whatever order the workers ran in.

- ``RandomAnswers()``: valid answers derived from each question's AnswerSpecification (selection counts,
  numeric bounds, lengths, AnswerFormatRegex, file sizes); a field ``answer`` for external HITs.
- ``CsvAnswers(path)``: answers from a CSV with one row per HIT, keyed by a ``HITId`` column, a
  ``RequesterAnnotation`` column, or (any other first column) a value that occurs in the HIT's question; the
  other columns name the answers (``q1`` or MTurk's ``Answer.q1``). Several rows with one key are handed out
  in turn to the HIT's successive assignments. ``|`` separates several selections.
- ``python:module:function`` on the command line, or any callable: ``fn(task, rng) -> dict``.
- ``Accuracy(gold, 0.8)``: each answer is the gold policy's with probability 0.8, else a valid wrong one.
"""

from __future__ import annotations

import csv
import html
import importlib
import random
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

WORDS = ("cat", "dog", "bird", "tree", "river", "stone", "cloud", "apple", "yes", "no", "maybe", "blue",
         "green", "house", "road", "light")


@dataclass
class Task:
    """One assignment a simulated worker is about to answer."""
    hit_id: str
    hit_type_id: str
    assignment_id: str
    worker_id: str
    question_type: str        # QuestionForm, ExternalQuestion or HTMLQuestion
    question_xml: str
    ordinal: int = 0          # how many of the crowd's assignments of this HIT came before this one
    _annotation: Callable[[], str | None] | None = field(default=None, repr=False)
    _parsed: Any = field(default=None, repr=False)

    @property
    def question(self):
        """The parsed Question (kempelen.questions), for policies that read AnswerSpecifications."""
        if self._parsed is None:
            from kempelen.questions import parse_question  # lxml: only crowds that need it pay for it

            self._parsed = parse_question(self.question_xml)
        return self._parsed

    @property
    def requester_annotation(self) -> str | None:
        return self._annotation() if self._annotation is not None else None


class AnswerPolicy(Protocol):
    def answers(self, task: Task, rng: random.Random) -> dict[str, Any]: ...


# --- random, valid answers ----------------------------------------------------------------------------------


class RandomAnswers:
    """Valid random answers; a question no generated value satisfies (an unusual AnswerFormatRegex) is answered
    with its DefaultText, or left out when it is optional."""

    def answers(self, task: Task, rng: random.Random) -> dict[str, Any]:
        if task.question_type != "QuestionForm":
            return {"answer": rng.choice(WORDS)}
        found = {}
        for question in task.question.questions:
            value = random_answer(question, rng)
            if value is not None:
                found[question.identifier] = value
        return found


def random_answer(question, rng: random.Random, *, avoid: Any = None) -> Any:
    from kempelen.questions.model import FileUploadAnswer, SelectionAnswer

    spec = question.answer_specification
    if isinstance(spec, SelectionAnswer):
        ids = list(spec.selection_identifiers)
        low = max(spec.min_selection_count, 1 if question.requires_answer or not ids else 0)
        high = max(low, min(spec.max_selection_count, len(ids)))
        for _ in range(20):
            chosen = sorted(rng.sample(ids, rng.randint(min(low, len(ids)), min(high, len(ids)))),
                            key=ids.index)
            if chosen and chosen != _as_list(avoid):
                return chosen
        return chosen or None
    if isinstance(spec, FileUploadAnswer):
        size = rng.randint(spec.min_bytes, min(spec.max_bytes, spec.min_bytes + 4096))
        return {"File": bytes(rng.getrandbits(8) for _ in range(size))}
    return _free_text(spec, rng, question.requires_answer, avoid)


def _as_list(value: Any) -> Any:
    return value if isinstance(value, list) or value is None else [value]


def _free_text(spec, rng: random.Random, required: bool, avoid: Any) -> str | None:
    from kempelen.questions.jsregex import js_test

    def fits(text: str) -> bool:
        if text == avoid:
            return False
        if spec.min_length is not None and len(text) < spec.min_length:
            return False
        if spec.max_length is not None and len(text) > spec.max_length:
            return False
        return all(js_test(r.regex, r.flags, text) is not False for r in spec.regexes)

    for candidate in _candidates(spec, rng):
        if fits(candidate):
            return candidate
    if spec.default_text is not None and fits(spec.default_text):
        return spec.default_text
    return None if not required else (spec.default_text or "")


def _candidates(spec, rng: random.Random):
    for regex in spec.regexes[:1]:  # a string drawn from the first pattern itself, when it is simple enough
        for _ in range(8):
            sample = sample_regex(regex.regex, rng)
            if sample is not None:
                yield sample
    if spec.is_numeric:
        low = spec.min_value if spec.min_value is not None else 0
        high = spec.max_value if spec.max_value is not None else max(low, 0) + 100
        for _ in range(10):
            yield str(rng.randint(low, high))
        return
    low, high = spec.min_length or 1, spec.max_length or 24
    for _ in range(4):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
        if len(text) < low:
            text += "x" * (low - len(text))
        yield text[:high]
    for alphabet in (string.digits, string.ascii_lowercase, string.ascii_uppercase,
                     string.ascii_letters + string.digits):
        for _ in range(3):
            yield "".join(rng.choice(alphabet) for _ in range(rng.randint(low, max(low, min(high, 12)))))


def sample_regex(pattern: str, rng: random.Random) -> str | None:
    """A random string the (JavaScript) pattern matches, for the usual shapes of AnswerFormatRegex: literals,
    classes, \\d \\w \\s, groups, alternatives and repeats (unbounded ones kept short); None otherwise."""
    import re._parser as sre  # the standard library's own parse of the pattern

    from kempelen.questions.jsregex import _translate

    try:
        tree = sre.parse(_translate(pattern, False))
    except Exception:  # noqa: BLE001 - any pattern Python cannot read is simply not sampled
        return None
    out: list[str] = []
    try:
        _emit(tree, rng, out, sre)
    except _Unsupported:
        return None
    return "".join(out)


class _Unsupported(Exception):
    pass


_PRINTABLE = string.ascii_letters + string.digits


def _emit(items, rng: random.Random, out: list[str], sre) -> None:
    c = sre._constants if hasattr(sre, "_constants") else sre
    for op, arg in items:
        if op is c.LITERAL:
            out.append(chr(arg))
        elif op is c.ANY:
            out.append(rng.choice(_PRINTABLE))
        elif op is c.IN:
            out.append(_from_class(arg, rng, c))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, body = arg
            high = min(high, low + 3) if high is not c.MAXREPEAT else low + 3
            for _ in range(rng.randint(low, max(low, high))):
                _emit(body, rng, out, sre)
        elif op is c.SUBPATTERN:
            _emit(arg[-1], rng, out, sre)
        elif op is c.BRANCH:
            _emit(rng.choice(arg[1]), rng, out, sre)
        elif op is c.AT:
            continue  # anchors: the string is made whole
        else:
            raise _Unsupported(op)


def _from_class(members, rng: random.Random, c) -> str:
    pool: list[str] = []
    for op, arg in members:
        if op is c.NEGATE:
            raise _Unsupported(op)
        if op is c.LITERAL:
            pool.append(chr(arg))
        elif op is c.RANGE:
            pool.extend(chr(code) for code in range(arg[0], min(arg[1], arg[0] + 200) + 1))
        elif op is c.CATEGORY:
            name = str(arg)
            pool.extend(string.digits if "DIGIT" in name and "NOT" not in name else
                        " " if "SPACE" in name and "NOT" not in name else
                        _PRINTABLE + "_" if "WORD" in name and "NOT" not in name else "")
        else:
            raise _Unsupported(op)
    if not pool:
        raise _Unsupported("empty class")
    return rng.choice(pool)


# --- answers from a CSV -------------------------------------------------------------------------------------


class CsvAnswers:
    """Answers from a CSV; see the module's docstring for the keys it understands."""

    def __init__(self, path: str | Path, key: str | None = None):
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames:
                raise ValueError(f"{path} has no header row")
            columns = list(reader.fieldnames)
            rows = list(reader)
        self.key = key or next((c for c in ("HITId", "RequesterAnnotation") if c in columns), columns[0])
        if self.key not in columns:
            raise ValueError(f"{path} has no column {self.key!r}")
        self.answer_columns = [c for c in columns if c != self.key and not c.startswith("Input.")]
        self.rows: dict[str, list[dict[str, str]]] = {}
        for row in rows:
            self.rows.setdefault(row[self.key], []).append(row)
        # a value found in the question: the longest value matches first ("42" before "4")
        self._by_length = sorted(self.rows, key=len, reverse=True)

    def row_for(self, task: Task) -> dict[str, str] | None:
        if self.key == "HITId":
            key = task.hit_id
        elif self.key == "RequesterAnnotation":
            key = task.requester_annotation
        else:
            key = self._key_in_question(task.question_xml)
        found = self.rows.get(key) if key is not None else None
        return found[task.ordinal % len(found)] if found else None

    def _key_in_question(self, question_xml: str) -> str | None:
        text = html.unescape(html.unescape(question_xml))  # HTMLContent is escaped inside the XML
        for value in self._by_length:
            if value and re.search(r"(?<![\w])" + re.escape(value) + r"(?![\w])", text):
                return value
        return None

    def answers(self, task: Task, rng: random.Random) -> dict[str, Any]:
        row = self.row_for(task)
        if row is None:
            raise LookupError(f"no row of the answers CSV matches HIT {task.hit_id} (key column {self.key})")
        selections = _selection_questions(task)
        found = {}
        for column in self.answer_columns:
            value = row.get(column)
            if value is None or value == "":
                continue
            name = column.removeprefix("Answer.")
            found[name] = value.split("|") if name in selections else value
        return found


def _selection_questions(task: Task) -> set[str]:
    if task.question_type != "QuestionForm":
        return set()
    from kempelen.questions.model import SelectionAnswer

    return {q.identifier for q in task.question.questions if isinstance(q.answer_specification, SelectionAnswer)}


# --- a callable, and accuracy against gold answers ----------------------------------------------------------


class CallableAnswers:
    def __init__(self, function: Callable[[Task, random.Random], dict[str, Any]]):
        self.function = function

    def answers(self, task: Task, rng: random.Random) -> dict[str, Any]:
        return self.function(task, rng)


class Accuracy:
    """Each answer (each question of a QuestionForm, each field of an external HIT) is the gold policy's with
    probability `accuracy`, else a valid answer that differs from it."""

    def __init__(self, gold: AnswerPolicy, accuracy: float):
        if not 0 <= accuracy <= 1:
            raise ValueError("accuracy is a number from 0 to 1")
        self.gold, self.accuracy = as_policy(gold), accuracy

    def answers(self, task: Task, rng: random.Random) -> dict[str, Any]:
        gold = self.gold.answers(task, rng)
        given = {}
        for name, value in gold.items():
            if rng.random() < self.accuracy:
                given[name] = value
            else:
                given[name] = self._wrong(task, name, value, rng)
        return given

    def _wrong(self, task: Task, name: str, value: Any, rng: random.Random) -> Any:
        if task.question_type == "QuestionForm":
            question = task.question.question(name)
            if question is not None:
                wrong = random_answer(question, rng, avoid=value)
                if wrong is not None and wrong != value:
                    return wrong
        for _ in range(20):
            wrong = rng.choice(WORDS)
            if wrong != value:
                return wrong
        return f"not {value}"


def as_policy(policy: Any) -> AnswerPolicy:
    if hasattr(policy, "answers"):
        return policy
    if callable(policy):
        return CallableAnswers(policy)
    raise TypeError(f"an answer policy has answers(task, rng) or is a callable (task, rng), not {policy!r}")


def from_spec(spec: str, *, accuracy: float | None = None, key: str | None = None) -> AnswerPolicy:
    """The command line's --policy: random, csv:FILE, python:MODULE:FUNCTION (gold answers for --accuracy)."""
    kind, _, rest = spec.partition(":")
    if kind == "random" and not rest:
        policy: AnswerPolicy = RandomAnswers()
    elif kind == "csv" and rest:
        policy = CsvAnswers(rest, key=key)
    elif kind == "python" and ":" in rest:
        module, _, name = rest.rpartition(":")
        policy = as_policy(getattr(importlib.import_module(module), name))
    else:
        raise ValueError(f"--policy is random, csv:FILE or python:MODULE:FUNCTION, not {spec!r}")
    return Accuracy(policy, accuracy) if accuracy is not None else policy
