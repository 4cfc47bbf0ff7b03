"""Review policies (formats spec §9): ScoreMyKnownAnswers/2011-09-01 judges each submitted assignment against
the requester's known answers; SimplePlurality/2011-09-01 judges a Reviewable HIT by how far its workers
agree. Parameters are parsed and checked here; the scores and what they decide are computed here. No I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kempelen.domain.assignments import feedback_problem
from kempelen.domain.hits import may_increase_assignments
from kempelen.questions import Answer

SCORE_MY_KNOWN_ANSWERS = "ScoreMyKnownAnswers/2011-09-01"
SIMPLE_PLURALITY = "SimplePlurality/2011-09-01"
#: the policy each CreateHIT member takes
POLICY_OF_LEVEL = {"Assignment": SCORE_MY_KNOWN_ANSWERS, "HIT": SIMPLE_PLURALITY}

SCORE_RANGE = (0, 101)                    # thresholds on a 0-100 score: 0 never/always ... 101 always/never
AGREEMENT_RANGE = (0, 100)
HIT_EXTEND_RANGE = (1, 100)               # ExtendIfHITAgreementScoreIsLessThan
EXTEND_MAXIMUM_RANGE = (2, 25)            # ExtendMaximumAssignments
EXTEND_TIME_RANGE = (60, 31_536_000)      # ExtendMinimumTimeInSeconds
DEFAULT_EXTEND_MAXIMUM = 5                # ScoreMyKnownAnswers' documented default
QUESTION_ID_MAX_BYTES = 255
QUESTION_IDS_MAX = 15
PLURALITY_ANSWER_MAX = 256                # longer answers are left out of the plurality
_BOOLEANS = {"true": True, "t": True, "false": False, "f": False}


class PolicyInvalid(ValueError):
    """A policy CreateHIT must refuse; ``missing`` names a required parameter that was not given."""

    def __init__(self, message: str, *, missing: str | None = None,
                 out_of_range: tuple[str, str, int, int] | None = None):
        super().__init__(message)
        self.missing = missing
        self.out_of_range = out_of_range


# --- parameters ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreMyKnownAnswers:
    answer_key: Mapping[str, frozenset[str]]
    approve_at_least: int | None = None
    approve_reason: str | None = None
    reject_below: int | None = None
    reject_reason: str | None = None
    extend_below: int | None = None
    extend_maximum_assignments: int = DEFAULT_EXTEND_MAXIMUM
    extend_minimum_time: int | None = None


@dataclass(frozen=True)
class SimplePlurality:
    question_ids: tuple[str, ...]
    agreement_threshold: int
    disregard_rejected: bool
    disregard_known_answer_score_below: int | None = None
    extend_below: int | None = None
    extend_maximum_assignments: int | None = None
    extend_minimum_time: int | None = None
    approve_at_least: int | None = None
    reject_below: int | None = None
    reject_reason: str | None = None


_KNOWN_ANSWER_PARAMETERS = ("AnswerKey", "ApproveIfKnownAnswerScoreIsAtLeast", "ApproveReason",
                            "RejectIfKnownAnswerScoreIsLessThan", "RejectReason",
                            "ExtendIfKnownAnswerScoreIsLessThan", "ExtendMaximumAssignments",
                            "ExtendMinimumTimeInSeconds")
_PLURALITY_PARAMETERS = ("QuestionIds", "QuestionAgreementThreshold", "DisregardAssignmentIfRejected",
                         "DisregardAssignmentIfKnownAnswerScoreIsLessThan", "ExtendIfHITAgreementScoreIsLessThan",
                         "ExtendMaximumAssignments", "ExtendMinimumTimeInSeconds",
                         "ApproveIfWorkerAgreementScoreIsAtLeast", "RejectIfWorkerAgreementScoreIsLessThan",
                         "RejectReason")
# The docs' examples spell it QuestionIDs; their parameter table says QuestionIds.
_ALIASES = {"QuestionIDs": "QuestionIds"}


class _Parameters:
    """The policy's Parameters by Key, read once each."""

    def __init__(self, policy_name: str, parameters: Sequence[Mapping], known: Sequence[str]):
        self.policy_name = policy_name
        self._by_key: dict[str, Mapping] = {}
        for parameter in parameters:
            key = parameter.get("Key")
            if not key:
                raise PolicyInvalid(f"Every parameter of {policy_name} needs a Key.")
            name = _ALIASES.get(key, key)
            if name not in known:
                raise PolicyInvalid(f"{key} is not a valid parameter for {policy_name}. "
                                    f"Valid parameters: {', '.join(known)}.")
            if name in self._by_key:
                raise PolicyInvalid(f"The parameter {name} of {policy_name} is given more than once.")
            self._by_key[name] = parameter

    def has(self, name: str) -> bool:
        return name in self._by_key

    def values(self, name: str) -> list[str] | None:
        parameter = self._by_key.get(name)
        if parameter is None:
            return None
        if parameter.get("MapEntries"):
            raise PolicyInvalid(f"The parameter {name} of {self.policy_name} takes Values, not MapEntries.")
        return list(parameter.get("Values") or [])

    def single(self, name: str) -> str | None:
        values = self.values(name)
        if values is None:
            return None
        if len(values) != 1:
            raise PolicyInvalid(f"The parameter {name} of {self.policy_name} takes exactly one value.")
        return values[0]

    def integer(self, name: str, bounds: tuple[int, int], *, required: bool = False) -> int | None:
        text = self.single(name)
        if text is None:
            if required:
                raise PolicyInvalid(f"{self.policy_name} requires the parameter {name}.", missing=name)
            return None
        try:
            value = int(text.strip())
        except ValueError:
            raise PolicyInvalid(f"The value {text} for parameter {name} of {self.policy_name} is not an "
                                "integer.") from None
        low, high = bounds
        if not low <= value <= high:
            raise PolicyInvalid(f"The value {text} for parameter {name} is out of range.",
                                out_of_range=(name, text, low, high))
        return value

    def boolean(self, name: str, *, required: bool = False) -> bool | None:
        text = self.single(name)
        if text is None:
            if required:
                raise PolicyInvalid(f"{self.policy_name} requires the parameter {name}.", missing=name)
            return None
        value = _BOOLEANS.get(text.strip().lower())
        if value is None:
            raise PolicyInvalid(f"The value {text} for parameter {name} of {self.policy_name} is not valid. "
                                "Valid values: true, false.")
        return value

    def reason(self, name: str) -> str | None:
        text = self.single(name)
        problem = feedback_problem(text)
        if problem:
            raise PolicyInvalid(problem.replace("RequesterFeedback", name))
        return text

    def answer_key(self) -> dict[str, frozenset[str]]:
        parameter = self._by_key.get("AnswerKey")
        if parameter is None:
            raise PolicyInvalid(f"{self.policy_name} requires the parameter AnswerKey.", missing="AnswerKey")
        if parameter.get("Values"):
            raise PolicyInvalid(f"The parameter AnswerKey of {self.policy_name} takes MapEntries, not Values.")
        entries = parameter.get("MapEntries") or []
        if not entries:
            raise PolicyInvalid(f"The AnswerKey of {self.policy_name} needs at least one MapEntry.")
        key: dict[str, frozenset[str]] = {}
        for entry in entries:
            question_id = _question_id(entry.get("Key"))
            if question_id in key:
                raise PolicyInvalid(f"The AnswerKey names the question {question_id} more than once.")
            key[question_id] = _normalised(entry.get("Values") or [])
        return key


def _question_id(text: str | None) -> str:
    if not text or not text.strip():
        raise PolicyInvalid("A question identifier in a review policy is empty.")
    if len(text.encode()) > QUESTION_ID_MAX_BYTES:
        raise PolicyInvalid(f"The question identifier {text[:40]}... is longer than {QUESTION_ID_MAX_BYTES} bytes.")
    return text


def parse_policy(level: str, policy: Mapping) -> ScoreMyKnownAnswers | SimplePlurality:
    """``{"PolicyName", "Parameters": [{"Key", "Values", "MapEntries"}]}`` for the Assignment or HIT level
    -> the policy's settings; PolicyInvalid says why CreateHIT refuses it."""
    name = policy.get("PolicyName")
    if name != POLICY_OF_LEVEL[level]:
        member = "AssignmentReviewPolicy" if level == "Assignment" else "HITReviewPolicy"
        raise PolicyInvalid(f"The {member} PolicyName {name} is not valid. Valid value: {POLICY_OF_LEVEL[level]}.")
    parameters = policy.get("Parameters") or []
    if name == SCORE_MY_KNOWN_ANSWERS:
        return _score_my_known_answers(_Parameters(name, parameters, _KNOWN_ANSWER_PARAMETERS))
    return _simple_plurality(_Parameters(name, parameters, _PLURALITY_PARAMETERS))


def _score_my_known_answers(p: _Parameters) -> ScoreMyKnownAnswers:
    return ScoreMyKnownAnswers(
        answer_key=p.answer_key(),
        approve_at_least=p.integer("ApproveIfKnownAnswerScoreIsAtLeast", SCORE_RANGE),
        approve_reason=p.reason("ApproveReason"),
        reject_below=p.integer("RejectIfKnownAnswerScoreIsLessThan", SCORE_RANGE),
        reject_reason=p.reason("RejectReason"),
        extend_below=p.integer("ExtendIfKnownAnswerScoreIsLessThan", SCORE_RANGE),
        extend_maximum_assignments=p.integer("ExtendMaximumAssignments", EXTEND_MAXIMUM_RANGE)
        or DEFAULT_EXTEND_MAXIMUM,
        extend_minimum_time=p.integer("ExtendMinimumTimeInSeconds", EXTEND_TIME_RANGE))


def _simple_plurality(p: _Parameters) -> SimplePlurality:
    raw_ids = p.values("QuestionIds")
    if not raw_ids:
        raise PolicyInvalid(f"{p.policy_name} requires the parameter QuestionIds.", missing="QuestionIds")
    # One comma-separated value (the docs' table) or one question per value (the docs' examples).
    question_ids = [_question_id(part.strip()) for value in raw_ids for part in value.split(",")]
    if len(set(question_ids)) != len(question_ids):
        raise PolicyInvalid("QuestionIds names a question more than once.")
    if len(question_ids) > QUESTION_IDS_MAX:
        raise PolicyInvalid(f"QuestionIds names {len(question_ids)} questions; at most {QUESTION_IDS_MAX} are allowed.")
    extend_below = p.integer("ExtendIfHITAgreementScoreIsLessThan", HIT_EXTEND_RANGE)
    extending = extend_below is not None
    return SimplePlurality(
        question_ids=tuple(question_ids),
        agreement_threshold=p.integer("QuestionAgreementThreshold", AGREEMENT_RANGE, required=True),
        disregard_rejected=p.boolean("DisregardAssignmentIfRejected", required=True),
        disregard_known_answer_score_below=p.integer("DisregardAssignmentIfKnownAnswerScoreIsLessThan",
                                                     SCORE_RANGE),
        extend_below=extend_below,
        extend_maximum_assignments=p.integer("ExtendMaximumAssignments", EXTEND_MAXIMUM_RANGE, required=extending),
        extend_minimum_time=p.integer("ExtendMinimumTimeInSeconds", EXTEND_TIME_RANGE, required=extending),
        approve_at_least=p.integer("ApproveIfWorkerAgreementScoreIsAtLeast", SCORE_RANGE),
        reject_below=p.integer("RejectIfWorkerAgreementScoreIsLessThan", SCORE_RANGE),
        reject_reason=p.reason("RejectReason"))


# --- answers ---------------------------------------------------------------------------------------------


def _normalised(values: Sequence[str]) -> frozenset[str]:
    """Only leading and trailing whitespace is ignored; empty values are no answer."""
    return frozenset(value.strip() for value in values if value.strip())


def answer_values(answer: Answer, *, split_free_text: bool) -> frozenset[str]:
    """The set of values a worker gave: selections (and any "other" text), or free text, which external
    forms (ExternalQuestion, HTMLQuestion) record multi-valued fields in joined by ``|``."""
    if answer.kind == "FreeText":
        text = answer.free_text or ""
        return _normalised(text.split("|") if split_free_text else [text])
    if answer.kind == "FileUpload":
        return frozenset()
    extra = [answer.other_selection_text] if answer.other_selection_text else []
    return _normalised([*answer.selection_identifiers, *extra])


def answers_by_question(answers: Sequence[Answer], *, split_free_text: bool) -> dict[str, frozenset[str]]:
    return {answer.question_identifier: answer_values(answer, split_free_text=split_free_text) for answer in answers}


def percent(part: int, whole: int) -> int:
    """100 x part / whole, rounded down (the docs' example scores 2 of 3 as 66)."""
    return 100 * part // whole


# --- ScoreMyKnownAnswers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownAnswerReview:
    correct: dict[str, bool]   # per known question, in the AnswerKey's order
    score: int

    @property
    def summary(self) -> str:
        total = len(self.correct)
        noun = "known answer" if total == 1 else "known answers"
        return f"Reviewed {total} {noun}; {sum(self.correct.values())}/{total} correct"


def review_known_answers(policy: ScoreMyKnownAnswers, answers: Mapping[str, frozenset[str]]) -> KnownAnswerReview:
    """Exact set equality per key question; a missing answer is an empty set."""
    correct = {question_id: answers.get(question_id, frozenset()) == expected
               for question_id, expected in policy.answer_key.items()}
    return KnownAnswerReview(correct, percent(sum(correct.values()), len(correct)))


def known_answer_decisions(policy: ScoreMyKnownAnswers, score: int) -> list[str]:
    """The actions the score calls for, in the order they are taken."""
    return _decisions(score, policy.approve_at_least, policy.reject_below) + (
        ["extend"] if policy.extend_below is not None and score < policy.extend_below else [])


def _decisions(score: int, approve_at_least: int | None, reject_below: int | None) -> list[str]:
    decisions = []
    if approve_at_least is not None and score >= approve_at_least:
        decisions.append("approve")
    if reject_below is not None and score < reject_below:
        decisions.append("reject")
    return decisions


# --- SimplePlurality -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionAgreement:
    question_id: str
    answered: int                        # workers (among those counted) who answered it
    agreed_answer: frozenset[str] | None  # the plurality answer, if its agreement reached the threshold
    score: int | None                    # agreement with the plurality answer; None with no unique plurality


@dataclass(frozen=True)
class WorkerAgreement:
    score: int | None  # None when no question has an agreed answer
    correct: int
    incorrect: int


@dataclass(frozen=True)
class PluralityReview:
    questions: list[QuestionAgreement]
    hit_score: int
    workers: dict[str, WorkerAgreement]  # by AssignmentId

    @property
    def summary(self) -> str:
        agreed = sum(question.agreed_answer is not None for question in self.questions)
        return (f"Reviewed {len(self.workers)} assignments; {agreed} of {len(self.questions)} questions "
                "have an agreed answer")


def review_plurality(policy: SimplePlurality, answers: Mapping[str, Mapping[str, frozenset[str]]]
                     ) -> PluralityReview:
    """`answers`: the counted assignments' answers, AssignmentId -> QuestionId -> values."""
    questions = []
    for question_id in policy.question_ids:
        given = [values for values in (by_question.get(question_id, frozenset()) for by_question in answers.values())
                 if values and all(len(value) <= PLURALITY_ANSWER_MAX for value in values)]
        ranked = Counter(given).most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            questions.append(QuestionAgreement(question_id, len(given), None, None))  # no unique plurality
            continue
        plurality, count = ranked[0]
        score = percent(count, len(given))
        agreed = plurality if score >= policy.agreement_threshold else None
        questions.append(QuestionAgreement(question_id, len(given), agreed, score))
    agreed = [question for question in questions if question.agreed_answer is not None]
    workers = {}
    for assignment_id, by_question in answers.items():
        correct = sum(by_question.get(question.question_id) == question.agreed_answer for question in agreed)
        workers[assignment_id] = WorkerAgreement(percent(correct, len(agreed)) if agreed else None, correct,
                                                 len(agreed) - correct)
    return PluralityReview(questions, percent(len(agreed), len(questions)), workers)


def worker_decisions(policy: SimplePlurality, score: int | None) -> list[str]:
    if score is None:
        return []
    return _decisions(score, policy.approve_at_least, policy.reject_below)


def hit_extension_due(policy: SimplePlurality, hit_score: int) -> bool:
    return policy.extend_below is not None and hit_score < policy.extend_below


def counted(policy: SimplePlurality, *, rejected: bool, known_answer_score: int | None) -> bool:
    """Whether an assignment takes part in the plurality (DisregardAssignmentIf...)."""
    if rejected and policy.disregard_rejected:
        return False
    threshold = policy.disregard_known_answer_score_below
    return not (threshold is not None and known_answer_score is not None and known_answer_score < threshold)


def format_answer(values: frozenset[str]) -> str:
    """An agreed answer as a result Value: its values sorted, joined by ``|`` as external forms join them."""
    return "|".join(sorted(values))


# --- extending -------------------------------------------------------------------------------------------


def extension_allowed(*, max_assignments: int, initial_max_assignments: int, cap: int) -> bool:
    """One more assignment, unless that passes the policy's cap (or CreateAdditionalAssignmentsForHIT went
    past it already), or takes a HIT created with fewer than 10 assignments to 10 (as that operation would)."""
    return max_assignments + 1 <= cap and may_increase_assignments(initial_max_assignments, max_assignments, 1)
